// compare.hpp: the numeric comparison of the trainer tests (torch-free, for both test programs).
//
// std::max(m, NaN) keeps m, so a plain running maximum of |a_i - b_i| skips NaN and an all-NaN
// output would compare equal to anything. Here a value that is not finite, a size mismatch or an
// empty pair of arrays gives +infinity, so every `max_abs_diff(a, b) <= tol` fails on them.
#pragma once
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

namespace fixtures {

inline float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    constexpr float bad = std::numeric_limits<float>::infinity();
    if (a.size() != b.size() || a.empty()) return bad;
    float m = 0.0f;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!std::isfinite(a[i]) || !std::isfinite(b[i])) return bad;
        const float d = std::abs(a[i] - b[i]);
        if (d > m) m = d;
    }
    return m;
}

}  // namespace fixtures
