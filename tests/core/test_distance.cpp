// test_distance.cpp: the four metrics in closed form, their properties, and pairwise blocks.
#include "angles.hpp"
#include "distance.hpp"
#include "error.hpp"
#include "helpers.hpp"
#include "rank.hpp"

#include <doctest/doctest.h>
#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>
#include <vector>

using namespace strata;

namespace {

// S = Q diag(s) Q^T for a shared rotation Q: S and T commute.
Eigen::MatrixXd rotated(const Eigen::MatrixXd& Q, const Eigen::VectorXd& d) {
    return Q * d.asDiagonal() * Q.transpose();
}

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
    CHECK(regularization_shift(S, 1e-6) == doctest::Approx(1e-6));  // tr/I = 1
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
            const int r = (trial % 2) ? 8 : 5;  // full rank and rank-deficient
            const SpsdFactor S = test::factor(test::random_spsd(8, r, rng)),
                             T = test::factor(test::random_spsd(8, r, rng));
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
            const SpsdFactor A = test::factor(test::random_spsd(6, 6, rng)),
                             B = test::factor(test::random_spsd(6, 6, rng)),
                             C = test::factor(test::random_spsd(6, 6, rng));
            const double ab = std::sqrt(factor_distance_sq(A, 6, B, 6, gs)),
                         bc = std::sqrt(factor_distance_sq(B, 6, C, 6, gs)),
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
    const double dc =
        affine_invariant_sq(test::factor(A * S * A.transpose()), test::factor(A * T * A.transpose()), 0.0);
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
    CHECK(std::sqrt(fixed_rank_sq(S, 1, test::factor(2.0 * w * w.transpose()), 1, 1.0)) ==
          doctest::Approx(1e-9).epsilon(1e-4));
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
    for (int n = 0; n < 3; ++n) expected += gs.weights[n] * log_euclidean_sq(P.factors[n], Q.factors[n], gs.spd_eps);
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
    const LatentShape s{20, 3, 3};  // mode 3 is 20 x 9: thin
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
        CHECK(factor_distance_sq(t1, r1, t2, r2, gs) ==
              doctest::Approx(factor_distance_sq(f1, r1, f2, r2, gs)).epsilon(1e-7));
    }
}

// Fixed-rank at right angles -------------------------------------------------------------------------
// Two matrices of equal rank whose ranges share some directions and not others (a channel live
// in one latent and dead in the other) have principal angles of exactly 90 degrees: the SVD of
// U_S^T U_T may then return any basis of that block, and the formula's log term depends on it.
// docs/method.md section 5 fixes it; these tests compare fixed_rank_sq with closed forms built from
// the blocks directly and with a brute force that makes every free choice at random.
namespace {

constexpr double kPi = 3.14159265358979323846;

Eigen::MatrixXd random_spd(int n, std::mt19937& rng) {
    return test::random_spsd(n, n + 2, rng) + 0.1 * Eigen::MatrixXd::Identity(n, n);
}

// A pair built in blocks of coordinates: m shared ones, then z where only S lives, then z where
// only T lives (n = m + 2z). Both have rank m + z; their ranges meet in the first m coordinates and
// are orthogonal on the rest: m cosines of 1 and z of 0.
struct BlockPair {
    Eigen::MatrixXd S, T;
    int m = 0, z = 0;
};

BlockPair block_pair(int m, int z, std::mt19937& rng) {
    BlockPair p;
    p.m = m;
    p.z = z;
    const int n = m + 2 * z;
    p.S = Eigen::MatrixXd::Zero(n, n);
    p.T = Eigen::MatrixXd::Zero(n, n);
    p.S.topLeftCorner(m + z, m + z) = random_spd(m + z, rng);
    const Eigen::MatrixXd t = random_spd(m + z, rng);
    std::vector<int> idx;  // T's coordinates: the shared block, then its own
    for (int i = 0; i < m; ++i) idx.push_back(i);
    for (int i = 0; i < z; ++i) idx.push_back(m + z + i);
    for (int i = 0; i < m + z; ++i)
        for (int j = 0; j < m + z; ++j) p.T(idx[std::size_t(i)], idx[std::size_t(j)]) = t(i, j);
    return p;
}

// The closed form of the rule for a BlockPair. On the shared block the principal vectors can be
// the coordinate vectors themselves (the result does not depend on that basis); on the zero block
// Y_S = e_{S-only} V_S with V_S the eigenvectors of S on its own block (descending), likewise T, so
//     R_S^2 = [S_CC, S_CZ V_S; V_S^T S_ZC, diag(l_S)]   and   R_T^2 likewise;
// the Z x Z blocks are diagonal, so ||R_S^2 - D R_T^2 D||^2 separates over the columns of Z: d_j = -1
// exactly when the j-th columns of S_CZ V_S and T_CZ V_T have a negative inner product.
double block_pair_closed_form(const BlockPair& p, double k) {
    const int m = p.m, z = p.z;
    const Eigen::MatrixXd SZZ = p.S.block(m, m, z, z), TZZ = p.T.block(m + z, m + z, z, z);
    Eigen::VectorXd ls, lt;
    const Eigen::MatrixXd VS = test::descending_eigenvectors(SZZ, &ls), VT = test::descending_eigenvectors(TZZ, &lt);
    const Eigen::MatrixXd SCZ = p.S.block(0, m, m, z) * VS, TCZ = p.T.block(0, m + z, m, z) * VT;
    Eigen::MatrixXd A(m + z, m + z), B(m + z, m + z);
    A << p.S.topLeftCorner(m, m), SCZ, SCZ.transpose(), Eigen::MatrixXd(ls.asDiagonal());
    B << p.T.topLeftCorner(m, m), TCZ, TCZ.transpose(), Eigen::MatrixXd(lt.asDiagonal());
    for (int j = 0; j < z; ++j)
        if (SCZ.col(j).dot(TCZ.col(j)) < 0.0) {
            B.row(m + j) *= -1.0;
            B.col(m + j) *= -1.0;
        }
    return z * (kPi / 2) * (kPi / 2) + k * test::pencil_log_sq(A, B);
}

// The formula without the rule, for one SVD given explicitly (to show that the choice matters).
double fixed_rank_without_rule(const SpsdFactor& S, const SpsdFactor& T, int r, const Eigen::MatrixXd& OS,
                               const Eigen::MatrixXd& OT, const Eigen::VectorXd& theta) {
    const Eigen::MatrixXd RS2 = OS.transpose() * S.eigenvalues.head(r).asDiagonal() * OS;
    const Eigen::MatrixXd RT2 = OT.transpose() * T.eigenvalues.head(r).asDiagonal() * OT;
    return theta.squaredNorm() + test::pencil_log_sq(RS2, RT2);
}

// The factor of exactly known eigenpairs: eigenvalues l, the first r columns of the orthogonal Q
// (n = Q's rows; cols = 4n, as a latent's mode with more columns than rows).
SpsdFactor exact_factor(const Eigen::VectorXd& l, const Eigen::MatrixXd& Q, int r) {
    SpsdFactor f;
    f.rows = int(Q.rows());
    f.cols = 4 * int(Q.rows());
    f.eigenvalues = l;
    f.eigenvectors = Q.leftCols(r);
    return f;
}

// Q M Q^T
Eigen::MatrixXd conj(const Eigen::MatrixXd& Q, const Eigen::MatrixXd& M) { return Q * M * Q.transpose(); }

}  // namespace

TEST_CASE("fixed-rank, one channel live in S and dead in T: closed form, and the choice it fixes matters") {
    // S lives on coordinates (0, 1), T on (1, 2): angles 0 and 90 degrees. With R_S^2 = [c, b; b, a]
    // and R_T^2 = [c', b'; b', a'] in the basis (e_1, e_0) and (e_1, e_2), the rule picks the sign of
    // e_2 that makes b and b' agree; the pencil's eigenvalues are the roots of
    // g^2 (ca - b^2) - g (c a' + c' a - 2 |b b'|) + (c' a' - b'^2) = 0.
    const double a = 3.0, b = 1.2, c = 2.0, a2 = 0.7, b2 = -0.5, c2 = 1.5, k = 0.8;
    Eigen::MatrixXd S = Eigen::MatrixXd::Zero(3, 3), T = Eigen::MatrixXd::Zero(3, 3);
    S << a, b, 0, b, c, 0, 0, 0, 0;
    T << 0, 0, 0, 0, c2, b2, 0, b2, a2;
    const double qa = c * a - b * b, qb = c * a2 + c2 * a - 2.0 * std::abs(b * b2), qc = c2 * a2 - b2 * b2;
    const double disc = std::sqrt(qb * qb - 4.0 * qa * qc);
    const double g1 = (qb + disc) / (2.0 * qa), g2 = (qb - disc) / (2.0 * qa);
    const double want = kPi * kPi / 4.0 + k * (std::pow(std::log(g1), 2) + std::pow(std::log(g2), 2));
    int z = -1;
    const double got = fixed_rank_sq(test::factor(S), 2, test::factor(T), 2, k, &z);
    CHECK(z == 1);
    CHECK(got == doctest::Approx(want).epsilon(1e-12));
    // The other sign is a valid SVD too, and the formula without the rule gives another value there.
    const SpsdFactor FS = test::factor(S), FT = test::factor(T);
    Eigen::MatrixXd OS, OT;
    const Eigen::VectorXd theta =
        principal_angles_orthonormal(FS.eigenvectors.leftCols(2), FT.eigenvectors.leftCols(2), &OS, &OT);
    Eigen::MatrixXd OT_flipped = OT;
    OT_flipped.col(1) *= -1.0;  // the column of the zero cosine
    const double v1 = fixed_rank_without_rule(FS, FT, 2, OS, OT, theta),
                 v2 = fixed_rank_without_rule(FS, FT, 2, OS, OT_flipped, theta);
    const double rule = fixed_rank_sq(FS, 2, FT, 2, 1.0);  // k = 1, as fixed_rank_without_rule
    CHECK((std::isfinite(v1) && std::isfinite(v2) && std::isfinite(rule)));
    CHECK(std::abs(v1 - v2) > 0.05 * rule);
    CHECK(std::min(std::abs(v1 - rule), std::abs(v2 - rule)) < 1e-10 * rule);  // the rule picks one of them
    // Rotated and permuted frames, and the swapped pair: the same distance.
    std::mt19937 rng(60);
    for (int trial = 0; trial < 8; ++trial) {
        const Eigen::MatrixXd Q = test::random_orthogonal(3, rng);
        CHECK(fixed_rank_sq(test::factor(conj(Q, S)), 2, test::factor(conj(Q, T)), 2, k) ==
              doctest::Approx(want).epsilon(1e-10));
        CHECK(fixed_rank_sq(test::factor(conj(Q, T)), 2, test::factor(conj(Q, S)), 2, k) ==
              doctest::Approx(want).epsilon(1e-10));
    }
}

TEST_CASE(
    "fixed-rank, several channels differing: closed form, invariant to rotations, brute force over bases and signs") {
    std::mt19937 rng(61);
    for (const std::pair<int, int> mz : {std::pair<int, int>{3, 2}, {4, 3}, {2, 5}, {5, 12}, {3, 14}}) {
        const int m = mz.first, z = mz.second;
        CAPTURE(m);
        CAPTURE(z);
        const BlockPair p = block_pair(m, z, rng);
        const int n = m + 2 * z, r = m + z;
        const double k = 1.3, want = block_pair_closed_form(p, k);
        int zc = -1;
        CHECK(fixed_rank_sq(test::factor(p.S), r, test::factor(p.T), r, k, &zc) ==
              doctest::Approx(want).epsilon(1e-10));
        CHECK(zc == z);
        for (int trial = 0; trial < 4; ++trial) {
            // A random frame of the whole space (no coordinate is special any more) ...
            const Eigen::MatrixXd Q = test::random_orthogonal(n, rng);
            const Eigen::MatrixXd S = conj(Q, p.S), T = conj(Q, p.T);
            CHECK(fixed_rank_sq(test::factor(S), r, test::factor(T), r, k) == doctest::Approx(want).epsilon(1e-9));
            CHECK(fixed_rank_sq(test::factor(T), r, test::factor(S), r, k) == doctest::Approx(want).epsilon(1e-9));
            // ... and the brute force, every free choice random.
            int zb = -1;
            CHECK(test::fixed_rank_by_definition(S, T, r, k, rng, &zb) == doctest::Approx(want).epsilon(1e-9));
            CHECK(zb == z);
        }
    }
}

TEST_CASE("fixed-rank, zero cosines next to general angles: brute force, z <= 12 (enumeration) and z > 12 (greedy)") {
    // S lives on [shared m | S-only z], T on [R(shared m, extra e) | T-only z] with R a rotation that
    // mixes the shared coordinates with e extra ones: cosines of general angles on the shared part,
    // exactly z zero cosines, then everything in a random frame.
    std::mt19937 rng(62);
    for (const std::tuple<int, int, int> mze : {std::tuple<int, int, int>{3, 1, 2}, {4, 3, 3}, {3, 6, 2}, {4, 13, 3}}) {
        const int m = std::get<0>(mze), z = std::get<1>(mze), e = std::get<2>(mze);
        CAPTURE(m);
        CAPTURE(z);
        const BlockPair p = block_pair(m, z, rng);
        const int n = m + 2 * z + e, r = m + z;
        Eigen::MatrixXd S = Eigen::MatrixXd::Zero(n, n), T = Eigen::MatrixXd::Zero(n, n);
        S.topLeftCorner(m + 2 * z, m + 2 * z) = p.S;
        T.topLeftCorner(m + 2 * z, m + 2 * z) = p.T;
        // The rotation acts on the shared coordinates and the extra ones only.
        std::vector<int> moved;
        for (int i = 0; i < m; ++i) moved.push_back(i);
        for (int i = 0; i < e; ++i) moved.push_back(m + 2 * z + i);
        const Eigen::MatrixXd small = test::random_orthogonal(m + e, rng);
        Eigen::MatrixXd R = Eigen::MatrixXd::Identity(n, n);
        for (int i = 0; i < m + e; ++i)
            for (int j = 0; j < m + e; ++j) R(moved[std::size_t(i)], moved[std::size_t(j)]) = small(i, j);
        T = conj(R, T);
        const Eigen::MatrixXd Q = test::random_orthogonal(n, rng);
        S = conj(Q, S);
        T = conj(Q, T);
        const double k = 0.9;
        int zc = -1, zb = -1;
        const double got = fixed_rank_sq(test::factor(S), r, test::factor(T), r, k, &zc);
        CHECK(zc == z);
        for (int trial = 0; trial < 3; ++trial)
            CHECK(test::fixed_rank_by_definition(S, T, r, k, rng, &zb) == doctest::Approx(got).epsilon(1e-9));
        CHECK(zb == z);
        // A principal angle that is not 0 or 90 degrees is there (the shared block turned).
        Eigen::VectorXd cosines;
        principal_angles_orthonormal(test::factor(S).eigenvectors.leftCols(r), test::factor(T).eigenvectors.leftCols(r),
                                     nullptr, nullptr, &cosines);
        CHECK((cosines.array() > 0.05 && cosines.array() < 0.99).any());
        CHECK(fixed_rank_sq(test::factor(T), r, test::factor(S), r, k) == doctest::Approx(got).epsilon(1e-9));
    }
}

TEST_CASE("fixed-rank on 9x5x6 ReLU latents with different dead channels: one distance however they are presented") {
    // Channels 0-1 dead in P, 2-3 dead in Q: the mode-3 ranges share channels 4-8 and are
    // orthogonal on the rest (z = 2), both of rank 7; modes 1 and 2 are generic.
    std::mt19937 rng(63);
    const LatentShape s{9, 5, 6};
    auto relu_latent = [&](std::initializer_list<int> dead) {
        std::vector<double> z = test::low_rank_latent(s, 9, rng);
        for (double& v : z) v = std::max(0.0, v + 0.5);
        for (int c : dead) std::fill(z.begin() + c * 30, z.begin() + (c + 1) * 30, 0.0);
        return z;
    };
    const std::vector<double> zp = relu_latent({0, 1}), zq = relu_latent({2, 3});
    // The same channel permutation, or the same reversal of rows, applied to both latents is a
    // rotation of one mode's space for both: the distance must not change.
    auto permute_channels = [&](const std::vector<double>& z, const std::vector<int>& perm) {
        std::vector<double> out(z.size());
        for (int c = 0; c < 9; ++c)
            std::copy(z.begin() + perm[std::size_t(c)] * 30, z.begin() + (perm[std::size_t(c)] + 1) * 30,
                      out.begin() + c * 30);
        return out;
    };
    auto reverse_rows = [&](const std::vector<double>& z) {
        std::vector<double> out(z.size());
        for (int c = 0; c < 9; ++c)
            for (int h = 0; h < 5; ++h)
                for (int w = 0; w < 6; ++w)
                    out[std::size_t((c * 5 + h) * 6 + w)] = z[std::size_t((c * 5 + (4 - h)) * 6 + w)];
        return out;
    };
    GeometrySettings gs;
    gs.metric = "fixed-rank";
    auto distance = [&](const std::vector<double>& a, const std::vector<double>& b, int* z = nullptr) {
        const SpsdPoint P = spsd_point(a.data(), s, true, FactorRoute::Accurate),
                        Q = spsd_point(b.data(), s, true, FactorRoute::Accurate);
        return product_distance_sq(P, rank_triple(P, std::nullopt), Q, rank_triple(Q, std::nullopt), gs, z);
    };
    int z = -1;
    const double d = distance(zp, zq, &z);
    CHECK(z == 2);
    CHECK(distance(zq, zp) == doctest::Approx(d).epsilon(1e-10));
    CHECK(distance(reverse_rows(zp), reverse_rows(zq)) == doctest::Approx(d).epsilon(1e-10));
    for (int trial = 0; trial < 6; ++trial) {
        std::vector<int> perm = {0, 1, 2, 3, 4, 5, 6, 7, 8};
        std::shuffle(perm.begin(), perm.end(), rng);
        CHECK(distance(permute_channels(zp, perm), permute_channels(zq, perm)) == doctest::Approx(d).epsilon(1e-10));
    }
    // Without the rule the mode-3 term is not defined: rotating the zero block of one side is
    // another valid SVD and changes the value.
    const SpsdPoint P = spsd_point(zp.data(), s, true, FactorRoute::Accurate),
                    Q = spsd_point(zq.data(), s, true, FactorRoute::Accurate);
    const SpsdFactor &S3 = P.factors[2], &T3 = Q.factors[2];
    REQUIRE(matrix_rank(S3, std::nullopt) == 7);
    REQUIRE(matrix_rank(T3, std::nullopt) == 7);
    Eigen::MatrixXd OS, OT;
    const Eigen::VectorXd theta =
        principal_angles_orthonormal(S3.eigenvectors.leftCols(7), T3.eigenvectors.leftCols(7), &OS, &OT);
    Eigen::MatrixXd OT_turned = OT;
    const double a = 0.7;
    OT_turned.col(5) = std::cos(a) * OT.col(5) + std::sin(a) * OT.col(6);
    OT_turned.col(6) = -std::sin(a) * OT.col(5) + std::cos(a) * OT.col(6);
    const double v1 = fixed_rank_without_rule(S3, T3, 7, OS, OT, theta),
                 v2 = fixed_rank_without_rule(S3, T3, 7, OS, OT_turned, theta);
    MESSAGE("9x5x6 pair, mode 3 without the rule: " << v1 << " or " << v2
                                                    << "; with it: " << fixed_rank_sq(S3, 7, T3, 7, 1.0));
    CHECK(std::abs(v1 - v2) > 1e-3 * v1);
}

TEST_CASE("fixed-rank and affine-invariant: eigenvalues over ten orders of magnitude keep full accuracy") {
    // Factors given by exact eigenpairs, so the distances depend only on how the metric computes
    // them. Eigenvalues span 1e-10 (as near the rank threshold) and the two ranges meet at general
    // angles, so R_S^2 is a full matrix of condition 1e10 and the pencil's eigenvalues span 1e17.
    // A Cholesky-based generalised eigensolver is then off by a few per cent in double and still by
    // 3e-5 in long double; the squared singular values of C = diag(l_T)^1/2 O_T O_S^T diag(l_S)^-1/2
    // are not. The reference is that route in long double (about 1e-19 * 3e4 relative). Checked once
    // against 60-digit arithmetic from the same inputs: 1009.0678475136721, all 17 digits equal to
    // the core's.
    using MatrixL = Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>;
    std::mt19937 rng(64);
    const int n = 9, r = 7;
    const Eigen::MatrixXd QS = test::random_orthogonal(n, rng);
    std::normal_distribution<double> g;
    Eigen::MatrixXd skew(n, n);
    for (int i = 0; i < skew.size(); ++i) skew.data()[i] = 0.15 * g(rng);
    skew = (skew - skew.transpose()).eval();
    // A nearby basis: QS times the rotation exp(skew) (a Taylor series is plenty for |skew| < 1).
    Eigen::MatrixXd rot = Eigen::MatrixXd::Identity(n, n), term = Eigen::MatrixXd::Identity(n, n);
    for (int j = 1; j < 30; ++j) {
        term = (term * skew / double(j)).eval();
        rot += term;
    }
    const Eigen::MatrixXd QT = QS * rot;
    Eigen::VectorXd ls = Eigen::VectorXd::Zero(n), lt = Eigen::VectorXd::Zero(n);
    for (int i = 0; i < r; ++i) {
        ls(i) = std::pow(10.0, -10.0 * i / (r - 1));
        lt(i) = std::pow(10.0, -9.0 * i / (r - 1)) * 0.7;
    }
    const auto exact = [&](const Eigen::VectorXd& l, const Eigen::MatrixXd& Q) { return exact_factor(l, Q, r); };
    const SpsdFactor S = exact(ls, QS), T = exact(lt, QT);
    // The reference in long double: one SVD of U_S^T U_T, then C and its singular values.
    const MatrixL US = QS.leftCols(r).cast<long double>(), UT = QT.leftCols(r).cast<long double>();
    Eigen::JacobiSVD<MatrixL> svd(MatrixL(US.transpose() * UT), Eigen::ComputeFullU | Eigen::ComputeFullV);
    const MatrixL OS = svd.matrixU(), OT = svd.matrixV();
    const MatrixL C = lt.head(r).cast<long double>().cwiseSqrt().asDiagonal() * (OT * OS.transpose()) *
                      ls.head(r).cast<long double>().cwiseSqrt().cwiseInverse().asDiagonal();
    const Eigen::Matrix<long double, Eigen::Dynamic, 1> sv = Eigen::JacobiSVD<MatrixL>(C).singularValues();
    long double want = 0.0L;
    for (int i = 0; i < r; ++i) {
        const long double c = std::min(1.0L, svd.singularValues()(i));
        want += std::acos(c) * std::acos(c) + std::pow(2.0L * std::log(sv(i)), 2.0L);
    }
    CHECK(svd.singularValues().allFinite());
    CHECK(svd.singularValues().minCoeff() < 0.99L);  // general angles, not a shared range
    CHECK(fixed_rank_sq(S, r, T, r, 1.0) == doctest::Approx(double(want)).epsilon(1e-12));
    CHECK(fixed_rank_sq(T, r, S, r, 1.0) == doctest::Approx(double(want)).epsilon(1e-12));
    // Affine-invariant, closed form on shared eigenvectors, with a shift far below the small
    // eigenvalues' scale.
    const SpsdFactor S2 = exact(ls, QS), T2 = exact(lt, QS);
    double ai = 0.0;
    const double ds = 1e-14 * ls.sum() / n, dt = 1e-14 * lt.sum() / n;
    for (int i = 0; i < n; ++i) ai += std::pow(std::log((lt(i) + dt) / (ls(i) + ds)), 2);
    CHECK(affine_invariant_sq(S2, T2, 1e-14) == doctest::Approx(ai).epsilon(1e-12));
}

TEST_CASE("affine-invariant on turned bases with eigenvalues over ten orders of magnitude: long-double reference") {
    // The pair problem is graded in both directions: S_e's and T_e's eigenvalues span 1e-10 to 1
    // plus a shift of 1e-14 tr/I, and their eigenvectors differ by a general rotation, so the
    // eigenvalues of S_e^-1/2 T_e S_e^-1/2 span about 1e20. The reference: C = D_S^-1/2 Q_S^T Q_T
    // D_T^1/2 from the complete bases (any basis of the complement gives the same S_e) and its
    // singular values by Jacobi's SVD in long double. The core's two symmetric eigenproblems
    // (distance.cpp) bound each eigenvalue's relative error by about eps (g_max / g_min)^1/2, far
    // above eps here, but only where |log g| is smallest, so the sum is checked to 1e-8 rather
    // than the 1e-12 of the Jacobi route (and its error is printed).
    using MatrixL = Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>;
    std::mt19937 rng(65);
    const int n = 9, r = 7;
    for (int trial = 0; trial < 4; ++trial) {
        const Eigen::MatrixXd QS = test::random_orthogonal(n, rng), QT = test::random_orthogonal(n, rng);
        Eigen::VectorXd ls = Eigen::VectorXd::Zero(n), lt = Eigen::VectorXd::Zero(n);
        for (int i = 0; i < r; ++i) {
            ls(i) = std::pow(10.0, -10.0 * i / (r - 1));
            lt(i) = std::pow(10.0, -9.0 * i / (r - 1)) * (0.5 + trial);
        }
        const auto exact = [&](const Eigen::VectorXd& l, const Eigen::MatrixXd& Q) { return exact_factor(l, Q, r); };
        const double eps = 1e-14;
        const Eigen::VectorXd es = ls.array() + eps * ls.sum() / n, et = lt.array() + eps * lt.sum() / n;
        const MatrixL C = es.cast<long double>().cwiseSqrt().cwiseInverse().asDiagonal() *
                          (QS.transpose() * QT).cast<long double>() * et.cast<long double>().cwiseSqrt().asDiagonal();
        const Eigen::Matrix<long double, Eigen::Dynamic, 1> sv = Eigen::JacobiSVD<MatrixL>(C).singularValues();
        long double want = 0.0L;
        for (int i = 0; i < n; ++i) want += std::pow(2.0L * std::log(sv(i)), 2.0L);
        CAPTURE(trial);
        CHECK(sv.maxCoeff() / sv.minCoeff() > 1e9L);  // graded indeed
        const double got = affine_invariant_sq(exact(ls, QS), exact(lt, QT), eps);
        CHECK(std::isfinite(got));
        MESSAGE("affine-invariant, turned bases, trial " << trial << ": relative error "
                                                         << std::abs(got - double(want)) / double(want));
        CHECK(got == doctest::Approx(double(want)).epsilon(1e-8));
        CHECK(affine_invariant_sq(exact(lt, QT), exact(ls, QS), eps) == doctest::Approx(double(want)).epsilon(1e-8));
    }
}
