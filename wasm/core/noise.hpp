// noise.hpp: the reproducible Gaussian numbers of the study, natively and in the page.
//
// Index: 1. Stream (the seeded generator) and gaussian_stream  2. add_noise (docs/method.md section 1)
//        3. vae_sample (section 2)  4. sample_indices (the landmarks of docs/method.md, "Landmarks")
//
// Why our own generator: the noise e and the VAE's reparameterisation e must be the same numbers
// on every machine and in the page (JavaScript), so they cannot come from std::normal_distribution
// (implementation-defined) or torch (version-defined). The rule, simple enough to port:
//   mix(x) = SplitMix64's step: z = x + 0x9E3779B97F4A7C15;
//            z = (z ^ z>>30) * 0xBF58476D1CE4E5B9; z = (z ^ z>>27) * 0x94D049BB133111EB; z ^ z>>31
//   state  = mix(mix(mix(seed) XOR index) XOR purpose)   (all arithmetic modulo 2^64)
//   next() = mix(state), then state += 0x9E3779B97F4A7C15
// The start state goes through the mixing function, so two streams (seed, index, purpose) start at
// unrelated points of SplitMix64's cycle of length 2^64 and do not overlap in practice (start states
// a multiple of the increment apart would make one image's numbers another's shifted by a few draws).
//   u      = (next() >> 11) * 2^-53                       (uniform in [0, 1))
//   pairs  : r = sqrt(-2 ln(1 - u1)), e0 = r cos(2 pi u2), e1 = r sin(2 pi u2)   (Box-Muller)
// One stream per image (index = the image's position in the test split) and per purpose, so the
// numbers of image i do not depend on N, and the same e_i serves every sigma.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace strata::noise {

enum Purpose : std::uint64_t { kInputNoise = 1, kVaeSample = 2, kInterpolationPairs = 3, kLandmarks = 4 };

// 1. The stream (seed, index, purpose): next() and uniform() as in the rule above. Other seeded
// draws of the study (interpolation pairs) use it too, so everything random has one generator.
class Stream {
public:
    Stream(std::uint64_t seed, std::uint64_t index, Purpose purpose);
    std::uint64_t next();
    double uniform();  // (next() >> 11) * 2^-53, in [0, 1)

private:
    std::uint64_t state_;
};

// `count` standard normal numbers of the stream (seed, index, purpose).
std::vector<float> gaussian_stream(std::uint64_t seed, std::uint64_t index, Purpose purpose, std::size_t count);

// 2. y = clip(x + sigma * e, 0, 1) for `count` images of `pixels` values, image k being test image
// first_index + k. Clipping can be turned off (docs/method.md: on by default).
std::vector<float> add_noise(const std::vector<float>& x, std::size_t count, std::size_t pixels, double sigma,
                             std::uint64_t seed, std::uint64_t first_index = 0, bool clip = true);

// 3. z = mu + exp(logvar / 2) * e for `count` latents of `size` values, e from kVaeSample streams.
std::vector<float> vae_sample(const std::vector<float>& mu, const std::vector<float>& logvar, std::size_t count,
                              std::size_t size, std::uint64_t seed, std::uint64_t first_index = 0);

// 4. m distinct indices of 0..n-1 drawn uniformly without replacement, sorted ascending (m <= n, else
// every index). A partial Fisher-Yates shuffle of 0..n-1 driven by the uniforms u_0, u_1, ... of the
// stream (seed, 0, purpose): for i = 0..m-1, j = i + floor(u_i (n - i)) (at most n - 1), swap
// entries i and j; the first m entries, sorted, are the sample.
std::vector<std::size_t> sample_indices(std::uint64_t seed, std::size_t n, std::size_t m, Purpose purpose);

}  // namespace strata::noise
