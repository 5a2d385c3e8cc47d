// test_latent.cpp: mode unfoldings and latent-set validation.
#include "error.hpp"
#include "latent.hpp"

#include <doctest/doctest.h>
#include <cmath>
#include <numeric>

using namespace strata;

TEST_CASE("unfoldings put each mode on the rows and keep every entry") {
    const LatentShape s{3, 2, 4};  // C, H, W
    std::vector<double> z(std::size_t(s.size()));
    std::iota(z.begin(), z.end(), 0.0);  // z[c*8 + h*4 + w] = c*8 + h*4 + w
    const Eigen::MatrixXd Z1 = unfold(z.data(), s, 1), Z2 = unfold(z.data(), s, 2), Z3 = unfold(z.data(), s, 3);
    CHECK(Z1.rows() == 2);
    CHECK(Z1.cols() == 12);
    CHECK(Z2.rows() == 4);
    CHECK(Z2.cols() == 6);
    CHECK(Z3.rows() == 3);
    CHECK(Z3.cols() == 8);
    // Every row of Z_(1) holds exactly the entries with that h.
    for (int h = 0; h < 2; ++h)
        for (int j = 0; j < 12; ++j) CHECK((int(Z1(h, j)) % 8) / 4 == h);
    for (int w = 0; w < 4; ++w)
        for (int j = 0; j < 6; ++j) CHECK(int(Z2(w, j)) % 4 == w);
    for (int c = 0; c < 3; ++c)
        for (int j = 0; j < 8; ++j) CHECK(int(Z3(c, j)) / 8 == c);
    // Sums agree: nothing lost or duplicated.
    const double total = std::accumulate(z.begin(), z.end(), 0.0);
    CHECK(Z1.sum() == total);
    CHECK(Z2.sum() == total);
    CHECK(Z3.sum() == total);
    CHECK(s.rows(3) == 3);
    CHECK(s.cols(3) == 8);
    CHECK_THROWS_AS(s.rows(4), Error);
}

TEST_CASE("validate names the set and the first bad sample") {
    LatentSet set;
    set.name = "clean.npy";
    set.shape = {2, 2, 2};
    set.n = 3;
    set.values.assign(24, 1.0);
    CHECK_NOTHROW(validate(set));
    set.values[8 * 2 + 3] = std::nan("");
    try {
        validate(set);
        FAIL("NaN not detected");
    } catch (const Error& e) { CHECK(std::string(e.what()) == "clean.npy: sample 2 contains NaN"); }
    set.values[8 * 2 + 3] = 1.0;
    set.values[8] = INFINITY;
    CHECK_THROWS_WITH_AS(validate(set), "clean.npy: sample 1 contains Inf", Error);
    set.values.clear();
    set.n = 0;
    CHECK_THROWS_WITH_AS(validate(set), "clean.npy: the set is empty (0 samples)", Error);
}
