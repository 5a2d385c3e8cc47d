// psnr.hpp: reconstruction quality (docs/method.md section 8).
//
// PSNR = 10 log10(1 / MSE(x_hat, x)) per image with pixel values in [0, 1]; x is the clean image,
// x_hat the decoder's output for the noisy input. A perfect reconstruction (MSE = 0) has infinite
// PSNR; psnr_stats() caps it at 100 dB so means stay finite.
#pragma once
#include <cstddef>
#include <vector>

namespace strata {

struct PsnrStats {
    double mean = 0.0;
    double std = 0.0;               // population standard deviation over the images
    std::vector<double> per_image;  // each image's PSNR (capped as the mean's), in order
};

double psnr(const float* x_hat, const float* x, std::size_t pixels);
// `count` images of `pixels` values each, stored one after the other.
PsnrStats psnr_stats(const float* x_hat, const float* x, std::size_t count, std::size_t pixels);

}  // namespace strata
