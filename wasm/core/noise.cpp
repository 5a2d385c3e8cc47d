// noise.cpp: SplitMix64 + Box-Muller streams (rule in noise.hpp). Index: 1. stream  2. uses  4. index samples
#include "noise.hpp"

#include <algorithm>
#include <cmath>

namespace strata::noise {

namespace {
constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ull;  // SplitMix64's increment: 2^64 / golden ratio

// SplitMix64's output function: one step from state x, returning the mixed value.
std::uint64_t mix(std::uint64_t x) {
    std::uint64_t z = x + kGolden;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
}  // namespace

// 1. Stream --------------------------------------------------------------------------------------
Stream::Stream(std::uint64_t seed, std::uint64_t index, Purpose purpose)
    : state_(mix(mix(mix(seed) ^ index) ^ std::uint64_t(purpose))) {}

std::uint64_t Stream::next() {
    const std::uint64_t z = mix(state_);
    state_ += kGolden;
    return z;
}

double Stream::uniform() { return double(next() >> 11) * 0x1.0p-53; }

std::vector<float> gaussian_stream(std::uint64_t seed, std::uint64_t index, Purpose purpose, std::size_t count) {
    Stream stream(seed, index, purpose);
    auto uniform = [&stream]() { return stream.uniform(); };
    std::vector<float> out(count);
    const double two_pi = 6.283185307179586476925286766559;
    for (std::size_t i = 0; i < count; i += 2) {
        const double u1 = uniform(), u2 = uniform();
        const double r = std::sqrt(-2.0 * std::log(1.0 - u1));  // 1 - u1 is in (0, 1]: no log(0)
        out[i] = float(r * std::cos(two_pi * u2));
        if (i + 1 < count) out[i + 1] = float(r * std::sin(two_pi * u2));
    }
    return out;
}

// 2. Uses ------------------------------------------------------------------------------------------
std::vector<float> add_noise(const std::vector<float>& x, std::size_t count, std::size_t pixels, double sigma,
                             std::uint64_t seed, std::uint64_t first_index, bool clip) {
    std::vector<float> y(x.begin(), x.begin() + count * pixels);
    if (sigma == 0.0) return y;
    for (std::size_t k = 0; k < count; ++k) {
        const auto e = gaussian_stream(seed, first_index + k, kInputNoise, pixels);
        for (std::size_t p = 0; p < pixels; ++p) {
            float v = float(double(x[k * pixels + p]) + sigma * double(e[p]));
            y[k * pixels + p] = clip ? std::clamp(v, 0.0f, 1.0f) : v;
        }
    }
    return y;
}

std::vector<float> vae_sample(const std::vector<float>& mu, const std::vector<float>& logvar, std::size_t count,
                              std::size_t size, std::uint64_t seed, std::uint64_t first_index) {
    std::vector<float> z(count * size);
    for (std::size_t k = 0; k < count; ++k) {
        const auto e = gaussian_stream(seed, first_index + k, kVaeSample, size);
        for (std::size_t j = 0; j < size; ++j) {
            const std::size_t i = k * size + j;
            z[i] = float(double(mu[i]) + std::exp(0.5 * double(logvar[i])) * double(e[j]));
        }
    }
    return z;
}

// 4. Index samples -------------------------------------------------------------------------------------
std::vector<std::size_t> sample_indices(std::uint64_t seed, std::size_t n, std::size_t m, Purpose purpose) {
    std::vector<std::size_t> all(n);
    for (std::size_t i = 0; i < n; ++i) all[i] = i;
    if (m >= n) return all;
    Stream stream(seed, 0, purpose);
    for (std::size_t i = 0; i < m; ++i) {
        const std::size_t j = std::min(n - 1, i + std::size_t(stream.uniform() * double(n - i)));
        std::swap(all[i], all[j]);
    }
    all.resize(m);
    std::sort(all.begin(), all.end());
    return all;
}

}  // namespace strata::noise
