// test_compare.cpp: the comparison the parity tests rely on fails on what it must.
#include "compare.hpp"

#include <doctest/doctest.h>

#include <limits>
#include <vector>

TEST_CASE("max_abs_diff: NaN, infinity, a size mismatch and empty outputs fail any tolerance") {
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    const std::vector<float> ref = {0.5f, -1.0f, 2.0f};
    CHECK(fixtures::max_abs_diff(ref, {0.5f, -1.0f, 2.0f}) == 0.0f);
    CHECK(fixtures::max_abs_diff(ref, {0.5f, -1.0f, 2.25f}) == 0.25f);
    // All NaN on one side, or on both: a running std::max would report 0 here.
    CHECK_FALSE(fixtures::max_abs_diff(ref, {nan, nan, nan}) <= 1e-4f);
    CHECK_FALSE(fixtures::max_abs_diff({nan, nan, nan}, {nan, nan, nan}) <= 1e-4f);
    CHECK_FALSE(fixtures::max_abs_diff(ref, {0.5f, nan, 2.0f}) <= 1e-4f);
    CHECK_FALSE(fixtures::max_abs_diff({inf, -1.0f, 2.0f}, {inf, -1.0f, 2.0f}) <= 1e-4f);
    CHECK_FALSE(fixtures::max_abs_diff(ref, {0.5f, -1.0f}) <= 1e-4f);
    CHECK_FALSE(fixtures::max_abs_diff({}, {}) <= 1e-4f);
    CHECK_FALSE(fixtures::max_abs_diff(ref, {0.5f, nan, 2.0f}) == 0.0f);  // the VAE mu check's form
}
