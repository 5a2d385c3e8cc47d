// test_spsd_rank.cpp: SPSD points, the rank rule, strata and effective rank.
#include "helpers.hpp"
#include "rank.hpp"
#include "spsd.hpp"

#include <doctest/doctest.h>
#include <algorithm>
#include <cmath>

using namespace strata;

TEST_CASE("covariance: centred and uncentred by hand") {
    Eigen::MatrixXd Z(2, 3);
    Z << 1, 2, 3,
         2, 4, 9;
    const Eigen::MatrixXd S = covariance(Z, true).selfadjointView<Eigen::Lower>();
    // Row means 2 and 5; centred rows (-1 0 1) and (-3 -1 4); divide by m - 1 = 2.
    CHECK(S(0, 0) == doctest::Approx(1.0));
    CHECK(S(1, 0) == doctest::Approx(3.5));
    CHECK(S(1, 1) == doctest::Approx(13.0));
    const Eigen::MatrixXd U = covariance(Z, false).selfadjointView<Eigen::Lower>();
    CHECK(U(0, 0) == doctest::Approx(14.0 / 3));
    CHECK(U(1, 0) == doctest::Approx(37.0 / 3));
    CHECK(U(1, 1) == doctest::Approx(101.0 / 3));
    // A single column has no spread: the centred covariance is zero.
    CHECK(covariance(Eigen::MatrixXd::Ones(3, 1), true).isZero());
}

TEST_CASE("decompose: descending eigenvalues, orthonormal vectors, reconstructs S") {
    std::mt19937 rng(1);
    const Eigen::MatrixXd S = test::random_spsd(6, 3, rng);
    const SpsdFactor f = decompose(S, 10);
    for (int i = 1; i < 6; ++i) CHECK(f.eigenvalues(i) <= f.eigenvalues(i - 1));
    CHECK(f.eigenvalues.allFinite());   // minCoeff may pass over a NaN
    CHECK(f.eigenvalues.minCoeff() >= 0.0);
    CHECK((f.eigenvectors.transpose() * f.eigenvectors - Eigen::MatrixXd::Identity(6, 6)).norm() < 1e-12);
    CHECK((f.matrix() - S).norm() < 1e-12 * S.norm());
    CHECK(f.trace() == doctest::Approx(S.trace()));
}

TEST_CASE("ranks of tensors built with known ranks") {
    std::mt19937 rng(2);
    const LatentShape s{64, 7, 7};
    for (int r : {1, 5, 20, 47}) {
        const std::vector<double> z = test::low_rank_latent(s, r, rng);
        const SpsdPoint p = spsd_point(z.data(), s, true);
        const auto ranks = rank_triple(p, std::nullopt);
        CHECK(ranks[0] == 7);
        CHECK(ranks[1] == 7);
        CHECK(ranks[2] == r);
    }
    // Full rank: centring caps mode 3 at m - 1 = 48, the paper's (7, 7, 48).
    const std::vector<double> full = test::low_rank_latent(s, 64, rng);
    CHECK(rank_triple(spsd_point(full.data(), s, true), std::nullopt) == std::array<int, 3>{7, 7, 48});
    // Without centring the cap is min(I, m) = 49.
    CHECK(rank_triple(spsd_point(full.data(), s, false), std::nullopt) == std::array<int, 3>{7, 7, 49});
}

TEST_CASE("ranks do not depend on column order") {
    std::mt19937 rng(3);
    const LatentShape s{16, 5, 5};
    const std::vector<double> z = test::low_rank_latent(s, 6, rng);
    for (int mode = 1; mode <= 3; ++mode) {
        Eigen::MatrixXd Z = unfold(z.data(), s, mode);
        const int r0 = matrix_rank(decompose(covariance(Z, true), int(Z.cols())), std::nullopt);
        std::vector<int> perm(std::size_t(Z.cols()));
        for (int j = 0; j < int(perm.size()); ++j) perm[std::size_t(j)] = j;
        std::shuffle(perm.begin(), perm.end(), rng);
        Eigen::MatrixXd P(Z.rows(), Z.cols());
        for (int j = 0; j < int(perm.size()); ++j) P.col(j) = Z.col(perm[std::size_t(j)]);
        const SpsdFactor fp = decompose(covariance(P, true), int(P.cols()));
        CHECK(matrix_rank(fp, std::nullopt) == r0);
    }
}

TEST_CASE("rank rule: threshold, rank_rtol override, zero matrix") {
    SpsdFactor f;
    f.rows = 4;
    f.cols = 10;
    f.eigenvectors = Eigen::MatrixXd::Identity(4, 4);
    // sqrt(l) = 1, 1e-3, 1e-5, 1e-7; default factor 10 * 2^-23 ~ 1.19e-6.
    f.eigenvalues = Eigen::Vector4d(1.0, 1e-6, 1e-10, 1e-14);
    CHECK(matrix_rank(f, std::nullopt) == 3);
    CHECK(matrix_rank(f, 1e-4) == 2);
    CHECK(matrix_rank(f, 0.0) == 4);
    CHECK(rank_factor(4, 10, std::nullopt) == doctest::Approx(10.0 / 8388608.0));
    f.eigenvalues.setZero();
    CHECK(matrix_rank(f, std::nullopt) == 0);
}

TEST_CASE("strata: counts, most frequent first") {
    const std::vector<std::array<int, 3>> r = {{7, 7, 48}, {7, 6, 40}, {7, 7, 48}, {6, 7, 30}, {7, 6, 40}, {7, 7, 48}};
    const auto s = count_strata(r);
    REQUIRE(s.size() == 3);
    CHECK(s[0].ranks == std::array<int, 3>{7, 7, 48});
    CHECK(s[0].count == 3);
    CHECK(s[1].ranks == std::array<int, 3>{7, 6, 40});
    CHECK(s[1].count == 2);
    CHECK(s[2].count == 1);
    CHECK(count_strata({{1, 2, 3}, {1, 2, 3}}).size() == 1);
}

TEST_CASE("effective rank: flat spectrum gives the rank, one direction gives 1") {
    SpsdFactor f;
    f.rows = 5;
    f.eigenvalues = Eigen::VectorXd::Zero(5);
    f.eigenvalues.head(3).setConstant(2.0);
    CHECK(effective_rank(f) == doctest::Approx(3.0));
    f.eigenvalues.setZero();
    f.eigenvalues(0) = 7.0;
    CHECK(effective_rank(f) == doctest::Approx(1.0));
    f.eigenvalues.setZero();
    CHECK(effective_rank(f) == 0.0);
    // Between 1 and the rank for an uneven spectrum.
    f.eigenvalues = (Eigen::VectorXd(5) << 4, 1, 0.25, 0, 0).finished();
    CHECK(effective_rank(f) > 1.0);
    CHECK(effective_rank(f) < 3.0);
}

TEST_CASE("mode_factor: the Gram route for wide unfoldings equals the direct decomposition") {
    std::mt19937 rng(4);
    const LatentShape s{64, 7, 7};
    for (int r : {10, 64}) {
        const std::vector<double> z = test::low_rank_latent(s, r, rng);
        const Eigen::MatrixXd Z = unfold(z.data(), s, 3);   // 64 x 49: I > m
        for (bool centered : {true, false}) {
            const SpsdFactor thin = mode_factor(Z, centered);
            const SpsdFactor full = decompose(covariance(Z, centered), int(Z.cols()));
            CAPTURE(r);
            CAPTURE(centered);
            CHECK(thin.eigenvectors.cols() < 64);
            CHECK((thin.eigenvalues - full.eigenvalues).norm() < 1e-12 * full.eigenvalues(0));
            CHECK((thin.matrix() - full.matrix()).norm() < 1e-12 * full.matrix().norm());
            CHECK(matrix_rank(thin, std::nullopt) == matrix_rank(full, std::nullopt));
            const Eigen::MatrixXd Uc = thin.complete_eigenvectors();
            CHECK((Uc.transpose() * Uc - Eigen::MatrixXd::Identity(64, 64)).norm() < 1e-10);
        }
    }
}

TEST_CASE("mode_factor: the accurate route keeps small eigenvalues to relative accuracy; both routes agree on S") {
    // Z = Q diag(s) W^T / scale with s spanning five orders of magnitude, so l = s^2 / (m - 1)
    // spans ten: the smallest are near the rank threshold, where an eigenvalue of the formed
    // product S keeps only a few digits.
    std::mt19937 rng(5);
    for (const std::pair<int, int> shape : {std::pair<int, int>{12, 30}, {30, 12}}) {
        const int I = shape.first, m = shape.second;   // (no structured bindings: CAPTURE takes them by lambda)
        const int k = std::min(I, m) - 1;              // centring removes one direction
        const Eigen::VectorXd s =
            Eigen::VectorXd::LinSpaced(k, 0.0, -5.0).unaryExpr([](double e) { return std::pow(10.0, e); });
        // Columns of W orthogonal to the all-ones vector, so that centring leaves Z unchanged.
        Eigen::MatrixXd W = test::random_orthogonal(m, rng);
        const Eigen::VectorXd ones = Eigen::VectorXd::Ones(m) / std::sqrt(double(m));
        Eigen::MatrixXd B(m, k + 1);
        B << ones, W.leftCols(k);
        Eigen::HouseholderQR<Eigen::MatrixXd> qr(B);
        const Eigen::MatrixXd Wc = (qr.householderQ() * Eigen::MatrixXd::Identity(m, k + 1)).rightCols(k);
        const Eigen::MatrixXd Q = test::random_orthogonal(I, rng).leftCols(k);
        const Eigen::MatrixXd Z = Q * s.asDiagonal() * Wc.transpose();
        const SpsdFactor accurate = mode_factor(Z, true, FactorRoute::Accurate);
        const SpsdFactor fast = mode_factor(Z, true, FactorRoute::Fast);
        CAPTURE(I);
        for (int i = 0; i < k; ++i) {
            const double want = s(i) * s(i) / double(m - 1);
            CHECK(accurate.eigenvalues(i) == doctest::Approx(want).epsilon(1e-10));
            // The eigenvector of a small eigenvalue too (up to sign).
            CHECK(std::abs(accurate.eigenvectors.col(i).dot(Q.col(i))) == doctest::Approx(1.0).epsilon(1e-10));
        }
        for (int i = k; i < I; ++i) CHECK(accurate.eigenvalues(i) < 1e-28);
        CHECK(matrix_rank(accurate, std::nullopt) == k);
        CHECK(matrix_rank(fast, std::nullopt) == k);
        CHECK((accurate.matrix() - fast.matrix()).norm() < 1e-13 * fast.matrix().norm());
    }
}
