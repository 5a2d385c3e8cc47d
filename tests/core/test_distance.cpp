// test_distance.cpp: the four metrics in closed form, their properties, and pairwise blocks.
#include "distance.hpp"
#include "error.hpp"
#include "helpers.hpp"
#include "rank.hpp"

#include <doctest/doctest.h>
#include <cmath>

using namespace strata;

namespace {

// S = Q diag(s) Q^T for a shared rotation Q: S and T commute.
Eigen::MatrixXd rotated(const Eigen::MatrixXd& Q, const Eigen::VectorXd& d) { return Q * d.asDiagonal() * Q.transpose(); }

}  // namespace

TEST_CASE("commuting matrices: closed forms of all metrics") {
    std::mt19937 rng(10);
    const Eigen::MatrixXd Q = test::random_orthogonal(5, rng);
    const Eigen::VectorXd s = (Eigen::VectorXd(5) << 4.0, 2.0, 1.0, 0.5, 0.25).finished();
    const Eigen::VectorXd t = (Eigen::VectorXd(5) << 1.0, 3.0, 1.0, 2.0, 0.01).finished();
    const SpsdFactor S = test::factor(rotated(Q, s)), T = test::factor(rotated(Q, t));

    double bw = 0, ai = 0;
    for (int i = 0; i < 5; ++i) {
        bw += std::pow(std::sqrt(s(i)) - std::sqrt(t(i)), 2);
        ai += std::pow(std::log(t(i) / s(i)), 2);
    }
    CHECK(bures_wasserstein_sq(S, T) == doctest::Approx(bw).epsilon(1e-10));
    CHECK(affine_invariant_sq(S, T, 0.0) == doctest::Approx(ai).epsilon(1e-10));
    // For commuting matrices log-euclidean equals affine-invariant.
    CHECK(log_euclidean_sq(S, T, 0.0) == doctest::Approx(ai).epsilon(1e-10));
}

TEST_CASE("regularisation: S_e = S + e tr(S)/I I, zero matrix uses e I") {
    const SpsdFactor S = test::factor(Eigen::Vector3d(3, 0, 0).asDiagonal());
    CHECK(regularization_shift(S, 1e-6) == doctest::Approx(1e-6));   // tr/I = 1
    const Eigen::MatrixXd L = regularized_log(S, 1e-6);
    CHECK(L(0, 0) == doctest::Approx(std::log(3.0 + 1e-6)));
    CHECK(L(1, 1) == doctest::Approx(std::log(1e-6)));
    const SpsdFactor Z = test::factor(Eigen::Matrix3d::Zero());
    CHECK(regularization_shift(Z, 1e-6) == 1e-6);
    CHECK(std::isfinite(log_euclidean_sq(S, Z, 1e-6)));
    CHECK_THROWS_AS(log_euclidean_sq(S, Z, 0.0), Error);
}

TEST_CASE("every metric: symmetric, zero on the diagonal, non-negative, also rank-deficient") {
    std::mt19937 rng(11);
    for (const std::string& metric : metric_names()) {
        GeometrySettings gs;
        gs.metric = metric;
        for (int trial = 0; trial < 4; ++trial) {
            const int r = (trial % 2) ? 8 : 5;   // full rank and rank-deficient
            const SpsdFactor S = test::factor(test::random_spsd(8, r, rng)), T = test::factor(test::random_spsd(8, r, rng));
            const int rs = matrix_rank(S, std::nullopt), rt = matrix_rank(T, std::nullopt);
            const double st = factor_distance_sq(S, rs, T, rt, gs), ts = factor_distance_sq(T, rt, S, rs, gs);
            CAPTURE(metric);
            CHECK(st > 0.0);
            CHECK(st == doctest::Approx(ts).epsilon(1e-8));
            CHECK(factor_distance_sq(S, rs, S, rs, gs) == doctest::Approx(0.0).scale(st));
        }
    }
}

TEST_CASE("triangle inequality on random triples (the three true metrics)") {
    std::mt19937 rng(12);
    for (const std::string metric : {"log-euclidean", "affine-invariant", "bures-wasserstein"}) {
        GeometrySettings gs;
        gs.metric = metric;
        for (int trial = 0; trial < 20; ++trial) {
            const SpsdFactor A = test::factor(test::random_spsd(6, 6, rng)), B = test::factor(test::random_spsd(6, 6, rng)),
                             C = test::factor(test::random_spsd(6, 6, rng));
            const double ab = std::sqrt(factor_distance_sq(A, 6, B, 6, gs)), bc = std::sqrt(factor_distance_sq(B, 6, C, 6, gs)),
                         ac = std::sqrt(factor_distance_sq(A, 6, C, 6, gs));
            CAPTURE(metric);
            CHECK(ac <= ab + bc + 1e-9);
        }
    }
}

TEST_CASE("affine-invariant: invariant under congruence S -> A S A^T") {
    std::mt19937 rng(13);
    const Eigen::MatrixXd S = test::random_spsd(5, 5, rng), T = test::random_spsd(5, 5, rng);
    Eigen::MatrixXd A = test::random_orthogonal(5, rng) * Eigen::VectorXd::LinSpaced(5, 0.5, 3.0).asDiagonal();
    const double d = affine_invariant_sq(test::factor(S), test::factor(T), 0.0);
    const double dc = affine_invariant_sq(test::factor(A * S * A.transpose()), test::factor(A * T * A.transpose()), 0.0);
    CHECK(dc == doctest::Approx(d).epsilon(1e-8));
    // log-euclidean is only invariant under rotations, not general congruences.
    const double le = log_euclidean_sq(test::factor(S), test::factor(T), 0.0);
    const double le_c = log_euclidean_sq(test::factor(A * S * A.transpose()), test::factor(A * T * A.transpose()), 0.0);
    CHECK(std::abs(le_c - le) > 1e-3 * le);
}

TEST_CASE("fixed-rank: rotation of a rank-1 matrix by theta is theta^2; same range is the SPD part") {
    const double theta = 0.3;
    Eigen::VectorXd u = Eigen::VectorXd::Zero(4), v = Eigen::VectorXd::Zero(4);
    u(0) = 1.0;
    v(0) = std::cos(theta);
    v(1) = std::sin(theta);
    const SpsdFactor S = test::factor(2.0 * u * u.transpose()), T = test::factor(2.0 * v * v.transpose());
    CHECK(fixed_rank_sq(S, 1, T, 1, 1.0) == doctest::Approx(theta * theta).epsilon(1e-10));
    // A tiny rotation is resolved (the sine branch), not lost to arccos.
    Eigen::VectorXd w = Eigen::VectorXd::Zero(4);
    w(0) = std::cos(1e-9);
    w(1) = std::sin(1e-9);
    CHECK(std::sqrt(fixed_rank_sq(S, 1, test::factor(2.0 * w * w.transpose()), 1, 1.0)) == doctest::Approx(1e-9).epsilon(1e-4));
    // Same range, scaled by 3: d^2 = k * log(3)^2.
    const SpsdFactor S3 = test::factor(6.0 * u * u.transpose());
    CHECK(fixed_rank_sq(S, 1, S3, 1, 2.0) == doctest::Approx(2.0 * std::pow(std::log(3.0), 2)).epsilon(1e-10));
    // Different ranks: compared at the smaller one.
    const SpsdFactor R2 = test::factor(2.0 * u * u.transpose() + v * v.transpose());
    CHECK(std::isfinite(fixed_rank_sq(S, 1, R2, 2, 1.0)));
}

TEST_CASE("product distance: weighted sum of the factor distances") {
    std::mt19937 rng(14);
    const LatentShape s{6, 3, 4};
    const std::vector<double> z1 = test::low_rank_latent(s, 3, rng), z2 = test::low_rank_latent(s, 4, rng);
    const SpsdPoint P = spsd_point(z1.data(), s, true), Q = spsd_point(z2.data(), s, true);
    GeometrySettings gs;
    gs.weights = {1.0, 0.5, 2.0};
    const auto rp = rank_triple(P, std::nullopt), rq = rank_triple(Q, std::nullopt);
    double expected = 0.0;
    for (int n = 0; n < 3; ++n)
        expected += gs.weights[n] * log_euclidean_sq(P.factors[n], Q.factors[n], gs.spd_eps);
    CHECK(product_distance_sq(P, rp, Q, rq, gs) == doctest::Approx(expected).epsilon(1e-12));
}

TEST_CASE("pairwise blocks agree with pair-by-pair distances, for every metric") {
    std::mt19937 rng(15);
    const LatentShape s{6, 3, 4};
    for (const std::string& metric : metric_names()) {
        GeometrySettings gs;
        gs.metric = metric;
        gs.weights = {0.5, 1.0, 2.0};
        auto make = [&](int n) {
            std::vector<SpsdPoint> pts;
            std::vector<std::array<int, 3>> ranks;
            for (int i = 0; i < n; ++i) {
                const std::vector<double> z = test::low_rank_latent(s, 2 + i % 3, rng);
                pts.push_back(spsd_point(z.data(), s, true));
                ranks.push_back(rank_triple(pts.back(), std::nullopt));
            }
            return std::make_pair(pts, ranks);
        };
        // 9 and 7 points, 37 features: whole and partial blocks of the WebAssembly Gram kernel
        // (4 rows x 2 columns, pairs of features) in both directions.
        auto [pa, ra] = make(9);
        auto [pb, rb] = make(7);
        const PointSet A = make_point_set(pa, ra, gs), B = make_point_set(pb, rb, gs);
        const Eigen::MatrixXd DAB = pairwise_sq(A, B, gs), DAA = pairwise_sq(A, gs);
        CAPTURE(metric);
        for (int i = 0; i < 9; ++i) {
            for (int j = 0; j < 7; ++j)
                CHECK(DAB(i, j) == doctest::Approx(product_distance_sq(pa[i], ra[i], pb[j], rb[j], gs)).epsilon(1e-8));
            for (int j = 0; j < 9; ++j)
                CHECK(DAA(i, j) == doctest::Approx(i == j ? 0.0 : product_distance_sq(pa[i], ra[i], pa[j], ra[j], gs))
                                       .epsilon(1e-8)
                                       .scale(1.0));
        }
        CHECK((DAA - DAA.transpose()).norm() == 0.0);
    }
}

TEST_CASE("cross-stratum pairs") {
    const std::vector<std::array<int, 3>> a = {{7, 7, 48}, {7, 7, 48}, {7, 6, 40}};
    CHECK(cross_stratum_pairs(a) == 2);
    CHECK(cross_stratum_pairs(a, {{7, 7, 48}, {1, 1, 1}}) == 4);
}

TEST_CASE("thin factors (Gram route) give the same distances as full decompositions") {
    std::mt19937 rng(16);
    const LatentShape s{20, 3, 3};   // mode 3 is 20 x 9: thin
    const std::vector<double> z1 = test::low_rank_latent(s, 4, rng), z2 = test::low_rank_latent(s, 20, rng);
    const Eigen::MatrixXd Z1 = unfold(z1.data(), s, 3), Z2 = unfold(z2.data(), s, 3);
    const SpsdFactor t1 = mode_factor(Z1, true), t2 = mode_factor(Z2, true);
    const SpsdFactor f1 = decompose(covariance(Z1, true), 9), f2 = decompose(covariance(Z2, true), 9);
    REQUIRE(t1.eigenvectors.cols() < 20);
    for (const std::string& metric : metric_names()) {
        GeometrySettings gs;
        gs.metric = metric;
        const int r1 = matrix_rank(f1, std::nullopt), r2 = matrix_rank(f2, std::nullopt);
        CAPTURE(metric);
        CHECK(factor_distance_sq(t1, r1, t2, r2, gs) == doctest::Approx(factor_distance_sq(f1, r1, f2, r2, gs)).epsilon(1e-7));
    }
}
