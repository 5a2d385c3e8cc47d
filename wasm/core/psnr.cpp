// psnr.cpp: peak signal-to-noise ratio of reconstructions.
#include "psnr.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace strata {

double psnr(const float* x_hat, const float* x, std::size_t pixels) {
    double se = 0.0;
    for (std::size_t i = 0; i < pixels; ++i) {
        const double d = double(x_hat[i]) - double(x[i]);
        se += d * d;
    }
    const double mse = pixels ? se / double(pixels) : 0.0;
    return mse > 0.0 ? 10.0 * std::log10(1.0 / mse) : INFINITY;
}

PsnrStats psnr_stats(const float* x_hat, const float* x, std::size_t count, std::size_t pixels) {
    PsnrStats s;
    if (count == 0) return s;
    // Two passes (mean, then spread) rather than sum of squares: no cancellation.
    std::vector<double> p(count);
    for (std::size_t k = 0; k < count; ++k) p[k] = std::min(100.0, psnr(x_hat + k * pixels, x + k * pixels, pixels));
    for (double v : p) s.mean += v;
    s.mean /= double(count);
    double var = 0.0;
    for (double v : p) var += (v - s.mean) * (v - s.mean);
    s.std = std::sqrt(var / double(count));
    s.per_image = std::move(p);
    return s;
}

}  // namespace strata
