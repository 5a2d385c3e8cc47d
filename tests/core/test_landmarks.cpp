// test_landmarks.cpp: the Nystrom route of the kernel analysis (landmarks.hpp, docs/method.md "Landmarks").
//
// Index: 1. points in R^d and their exact kernel quantities  2. the landmark rule  3. exact features
//        reproduce sections 6-7  4. degenerate cases  5. the pipeline with --landmarks  6. bad settings
#include "analysis.hpp"
#include "angles.hpp"
#include "error.hpp"
#include "helpers.hpp"
#include "kernel.hpp"
#include "landmarks.hpp"

#include <doctest/doctest.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

using namespace strata;

namespace {

// 1. Points in R^d (rows) and their kernel blocks ---------------------------------------------------------
Eigen::MatrixXd gaussian_points(int n, int d, std::mt19937& rng) {
    std::normal_distribution<double> g;
    Eigen::MatrixXd P(n, d);
    for (Eigen::Index i = 0; i < P.size(); ++i) P.data()[i] = g(rng);
    return P;
}

// Squared Euclidean distances between the rows of A and of B, entry by entry.
Eigen::MatrixXd sq_dist(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
    Eigen::MatrixXd D(A.rows(), B.rows());
    for (Eigen::Index i = 0; i < A.rows(); ++i)
        for (Eigen::Index j = 0; j < B.rows(); ++j) D(i, j) = (A.row(i) - B.row(j)).squaredNorm();
    return D;
}

Eigen::MatrixXd stack(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
    Eigen::MatrixXd S(A.rows() + B.rows(), A.cols());
    S << A, B;
    return S;
}

// NaN-aware: same size, every value finite, max |a - b| <= tol * max(1, max |b|).
bool close(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, double tol) {
    if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
    if (!a.allFinite() || !b.allFinite()) return false;
    const double scale = std::max(1.0, b.size() ? b.cwiseAbs().maxCoeff() : 0.0);
    return a.size() == 0 || (a - b).cwiseAbs().maxCoeff() <= tol * scale;
}

// SplitMix64 as noise.hpp words it, written out again here: the landmark rule from its documentation.
std::uint64_t splitmix_step(std::uint64_t x) {
    std::uint64_t z = x + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

std::vector<std::size_t> documented_rule(std::uint64_t seed, std::size_t n, std::size_t m) {
    const std::uint64_t golden = 0x9E3779B97F4A7C15ull;
    std::uint64_t state = splitmix_step(splitmix_step(splitmix_step(seed) ^ 0) ^ 4);  // index 0, purpose 4
    std::vector<std::size_t> a(n);
    for (std::size_t i = 0; i < n; ++i) a[i] = i;
    for (std::size_t i = 0; i < m; ++i) {
        const std::uint64_t z = splitmix_step(state);
        state += golden;
        const double u = double(z >> 11) / 9007199254740992.0;  // 2^53
        std::swap(a[i], a[std::min(n - 1, i + std::size_t(std::floor(u * double(n - i))))]);
    }
    a.resize(m);
    std::sort(a.begin(), a.end());
    return a;
}

}  // namespace

// 2. The landmark rule ------------------------------------------------------------------------------------
TEST_CASE("landmarks: seeded, sorted, distinct, deterministic, as documented") {
    for (std::uint64_t seed : {0ull, 1ull, 12345ull}) {
        const auto a = landmark_indices(1000, 100, seed);
        REQUIRE(a.size() == 100);
        for (std::size_t i = 1; i < a.size(); ++i) CHECK(a[i - 1] < a[i]);  // sorted and distinct
        CHECK(a.back() < 1000);
        CHECK(a == landmark_indices(1000, 100, seed));
        CHECK(a == documented_rule(seed, 1000, 100));
    }
    CHECK(landmark_indices(1000, 100, 0) != landmark_indices(1000, 100, 1));
    // m >= n: every index.
    const auto all = landmark_indices(7, 9, 3);
    CHECK(all == std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6});
    CHECK(landmark_indices(7, 7, 3) == all);
    CHECK_THROWS_AS(landmark_indices(7, 0, 3), Error);
    // Uniform: over 4000 seeds each of 20 indices is drawn m/n = 1/4 of the time (1000 expected,
    // standard deviation about 27).
    std::vector<int> count(20, 0);
    for (std::uint64_t seed = 0; seed < 4000; ++seed)
        for (std::size_t i : landmark_indices(20, 5, seed)) ++count[i];
    for (int c : count) CHECK(std::abs(c - 1000) < 150);
}

// 3. Exact features reproduce sections 6 and 7 -----------------------------------------------------------
TEST_CASE("landmarks: with every point a landmark the Nystrom route gives the exact analysis") {
    std::mt19937 rng(15);
    const int n = 40, d = 6;
    const Eigen::MatrixXd X = gaussian_points(n, d, rng);
    const Eigen::MatrixXd Y = X + 0.4 * gaussian_points(n, d, rng);
    const Eigen::MatrixXd Dxx = sq_dist(X, X);
    const double h = median_bandwidth(Dxx);
    const Eigen::MatrixXd Kxx = gaussian_kernel(Dxx, h), Kyy = gaussian_kernel(sq_dist(Y, Y), h);
    const Eigen::MatrixXd Kxy = gaussian_kernel(sq_dist(X, Y), h);
    const double energy = 0.95;

    // Exact, sections 6-7.
    const KernelSpectrum sx = kernel_spectrum(Kxx), sy = kernel_spectrum(Kyy);
    const int dx = hilbert_dimension(sx.mu, energy), dy = hilbert_dimension(sy.mu, energy);
    const Eigen::MatrixXd view_x = kpca_coordinates(sx, 2), view_y = kpca_project(Kxx, sx, Kxy.transpose(), 2);
    const Eigen::VectorXd angles =
        kernel_principal_angles_deg(sx.vectors, sx.mu, dx, sy.vectors, sy.mu, dy, center_kernel(Kxy));
    REQUIRE(dx > 2);
    REQUIRE(angles.size() == std::min(dx, dy));
    REQUIRE(angles.maxCoeff() > 1.0);  // a real rotation, not only round-off

    SUBCASE("landmarks = the clean set (M = N): spectrum, dimension and the 2-D view") {
        const NystromMap map = nystrom_map(Kxx);
        REQUIRE(map.projection.cols() == n);  // well conditioned: nothing cut
        const Eigen::MatrixXd Phi_x = nystrom_features(Kxx, map);
        const FeatureSpectrum fx = feature_spectrum(Phi_x);
        CHECK(close(fx.mu, sx.mu, 1e-10));
        CHECK(hilbert_dimension(fx.mu, energy) == dx);
        CHECK(close(feature_coordinates(Phi_x, fx, 2), view_x, 1e-8));  // the same signs
        CHECK(close(feature_coordinates(nystrom_features(Kxy.transpose(), map), fx, 2), view_y, 1e-8));
        CHECK(std::abs(map.min_eigenvalue - sx.min_eigenvalue) < 1e-12);
    }
    SUBCASE("landmarks = clean and noisy sets: the principal angles too") {
        // Every feature of X and Y lies in the landmarks' span, so the features are exact.
        const Eigen::MatrixXd L = stack(X, Y);
        const NystromMap map = nystrom_map(gaussian_kernel(sq_dist(L, L), h));
        REQUIRE(map.projection.cols() == 2 * n);
        const Eigen::MatrixXd Phi_x = nystrom_features(gaussian_kernel(sq_dist(X, L), h), map);
        const Eigen::MatrixXd Phi_y = nystrom_features(gaussian_kernel(sq_dist(Y, L), h), map);
        CHECK(close(Phi_x * Phi_x.transpose(), Kxx, 1e-9));  // C W^+ C^T = K
        const FeatureSpectrum fx = feature_spectrum(Phi_x), fy = feature_spectrum(Phi_y);
        CHECK(close(fx.mu.head(n), sx.mu, 1e-9));
        CHECK(fx.mu.tail(n).cwiseAbs().maxCoeff() < 1e-9);  // rank n - 1 after centring
        CHECK(hilbert_dimension(fx.mu, energy) == dx);
        CHECK(hilbert_dimension(fy.mu, energy) == dy);
        CHECK(close(feature_coordinates(Phi_x, fx, 2), view_x, 1e-8));
        CHECK(close(feature_coordinates(Phi_y, fx, 2), view_y, 1e-8));
        // The exact route takes arccos of the cosines (about 1e-6 degrees); the features take the
        // sine/cosine method.
        const Eigen::VectorXd a = feature_principal_angles_deg(fx, dx, fy, dy);
        CHECK(close(a, angles, 1e-6));
    }
}

// 4. Degenerate cases --------------------------------------------------------------------------------------
TEST_CASE("landmarks: duplicate landmarks make W singular; the kept rank and the features stay exact") {
    std::mt19937 rng(16);
    const Eigen::MatrixXd X = gaussian_points(12, 4, rng);
    const Eigen::MatrixXd L = stack(X, X.topRows(5));  // 5 landmarks twice
    const double h = 2.0;
    const NystromMap map = nystrom_map(gaussian_kernel(sq_dist(L, L), h));
    CHECK(map.projection.cols() == 12);
    CHECK(std::abs(map.min_eigenvalue) < 1e-12);
    const Eigen::MatrixXd Phi = nystrom_features(gaussian_kernel(sq_dist(X, L), h), map);
    CHECK(close(Phi * Phi.transpose(), gaussian_kernel(sq_dist(X, X), h), 1e-9));
}

TEST_CASE("landmarks: one landmark gives a one-dimensional feature space") {
    std::mt19937 rng(17);
    const Eigen::MatrixXd X = gaussian_points(10, 3, rng);
    const NystromMap map = nystrom_map(Eigen::MatrixXd::Ones(1, 1));
    REQUIRE(map.projection.cols() == 1);
    const Eigen::MatrixXd C = gaussian_kernel(sq_dist(X, X.topRows(1)), 1.5);
    const Eigen::MatrixXd Phi = nystrom_features(C, map);
    CHECK(close(Phi, C, 1e-15));
    const FeatureSpectrum f = feature_spectrum(Phi);
    REQUIRE(f.mu.size() == 1);
    CHECK(f.mu(0) == doctest::Approx((C.array() - C.mean()).square().sum()));
    const Eigen::MatrixXd v = feature_coordinates(Phi, f, 2);
    CHECK(v.col(1).isZero(0.0));
    CHECK(close(v.col(0).cwiseAbs(), (C.array() - C.mean()).abs().matrix(), 1e-12));
    CHECK(feature_principal_angles_deg(f, 1, f, 1).size() == 1);
    CHECK(feature_principal_angles_deg(f, 0, f, 1).size() == 0);
}

// 5. The pipeline -----------------------------------------------------------------------------------------------
namespace {
const LatentShape kShape{8, 4, 4};

std::vector<LatentSet> clean_and_noisy(int n, std::mt19937& rng) {
    LatentSet clean = test::low_rank_set("clean", kShape, n, 3, rng);
    LatentSet noisy = clean;
    noisy.name = "noisy";
    noisy.sigma = 0.1;
    std::normal_distribution<double> g;
    for (double& v : noisy.values) v += 0.3 * g(rng);
    return {clean, noisy};
}

GeometryResult with_landmarks(const std::vector<LatentSet>& sets, int m) {
    GeometrySettings s;
    s.landmarks = m;
    return analyze_geometry(sets, s);
}
}  // namespace

TEST_CASE("landmarks in analyze_geometry: M >= N is the exact analysis; M < N is flagged") {
    std::mt19937 rng(18);
    const std::vector<LatentSet> sets = clean_and_noisy(30, rng);
    const GeometryResult e = with_landmarks(sets, 0), m = with_landmarks(sets, 30);
    CHECK_FALSE(m.landmarks);
    CHECK(m.bandwidth == e.bandwidth);
    for (std::size_t s = 0; s < 2; ++s) {
        CHECK_FALSE(m.sets[s].approximate);
        CHECK(m.sets[s].kernel_spectrum == e.sets[s].kernel_spectrum);
        CHECK(m.sets[s].principal_angles_deg == e.sets[s].principal_angles_deg);
    }

    GeometrySettings few;
    few.landmarks = 12;
    few.landmark_seed = 5;
    const GeometryResult a = analyze_geometry(sets, few);
    REQUIRE(a.landmarks);
    CHECK(a.landmarks->m == 12);
    CHECK(a.landmarks->indices == landmark_indices(30, 12, 5));
    CHECK(a.landmarks->feature_rank >= 1);
    CHECK(a.landmarks->feature_rank <= 12);
    CHECK(a.bandwidth > 0.0);
    CHECK(a.bandwidth != e.bandwidth);  // the landmarks' own median
    CHECK(a.sets[0].kernel_spectrum.size() == std::size_t(a.landmarks->feature_rank));
    CHECK(a.sets[1].kernel_spectrum.size() <= 24);  // joint features of 2 x 12 landmarks
    for (const SetResult& r : a.sets) {
        CHECK(r.approximate);
        CHECK(r.embedding_2d.size() == 30);
        CHECK(r.ranks == e.sets[r.clean ? 0 : 1].ranks);  // ranks and strata stay exact
        CHECK(r.hilbert_dim >= 1);
        for (const auto& p : r.embedding_2d) CHECK((std::isfinite(p[0]) && std::isfinite(p[1])));
    }
    const auto& ang = a.sets[1].principal_angles_deg;
    // min(m_X, m_Y), m_X the clean dimension in the joint features (not the clean result's).
    CHECK(!ang.empty());
    CHECK(ang.size() <= std::size_t(a.sets[1].hilbert_dim));
    for (double x : ang) CHECK((std::isfinite(x) && x >= 0.0 && x <= 90.0));
    // The same seed, the same numbers; CleanAnalysis one set at a time gives the same too.
    const GeometryResult again = analyze_geometry(sets, few);
    CHECK(again.sets[1].principal_angles_deg == ang);
    const CleanAnalysis clean(sets[0], few);
    CHECK(clean.add_noisy(sets[1]).principal_angles_deg == ang);
}

TEST_CASE("landmarks in analyze_geometry: with M = N - 1 the angles are near the exact ones") {
    // Joint landmarks hold both sets' directions, so the angles do not collapse towards 0 as they
    // would in the clean landmarks' features alone.
    std::mt19937 rng(21);
    const std::vector<LatentSet> sets = clean_and_noisy(40, rng);
    const GeometryResult e = with_landmarks(sets, 0), a = with_landmarks(sets, 39);
    REQUIRE(a.landmarks);
    auto mean = [](const std::vector<double>& v) {
        double m = 0.0;
        for (double x : v) m += x / double(v.size());
        return m;
    };
    const double me = mean(e.sets[1].principal_angles_deg), ma = mean(a.sets[1].principal_angles_deg);
    REQUIRE(me > 5.0);
    CHECK(std::abs(ma - me) < 0.1 * me);
    CHECK(std::abs(a.sets[0].hilbert_dim - e.sets[0].hilbert_dim) <= 2);
    CHECK(std::abs(a.sets[1].hilbert_dim - e.sets[1].hilbert_dim) <= 2);
}

TEST_CASE("landmarks in analyze_geometry: a noisy set equal to the clean one has zero angles") {
    std::mt19937 rng(19);
    std::vector<LatentSet> sets = clean_and_noisy(25, rng);
    sets[1] = sets[0];
    sets[1].name = "copy";
    sets[1].sigma = 0.2;
    GeometrySettings s;
    s.landmarks = 10;
    const GeometryResult r = analyze_geometry(sets, s);
    REQUIRE(!r.sets[1].principal_angles_deg.empty());
    for (double x : r.sets[1].principal_angles_deg) CHECK((std::isfinite(x) && x < 1e-9));
    CHECK(r.sets[1].embedding_2d == r.sets[0].embedding_2d);
    CHECK(r.sets[1].hilbert_dim == r.sets[0].hilbert_dim);
}

TEST_CASE("landmarks in analyze_geometry: one landmark needs a given bandwidth; duplicate latents") {
    std::mt19937 rng(20);
    std::vector<LatentSet> sets = clean_and_noisy(12, rng);
    GeometrySettings s;
    s.landmarks = 1;
    CHECK_THROWS_WITH_AS(analyze_geometry(sets, s), doctest::Contains("--landmarks"), Error);
    s.bandwidth = 3.0;
    const GeometryResult r = analyze_geometry(sets, s);
    REQUIRE(r.landmarks);
    CHECK(r.landmarks->feature_rank == 1);
    CHECK(r.sets[0].kernel_spectrum.size() == 1);
    CHECK(r.sets[1].kernel_spectrum.size() <= 2);  // joint features of the two sets' landmarks
    CHECK(!r.sets[1].principal_angles_deg.empty());
    CHECK(r.sets[1].principal_angles_deg.size() <= 2);
    // Every clean latent the same as latent 0: W is all ones (rank 1) whatever the landmarks.
    LatentSet same = sets[0];
    for (std::size_t i = 1; i < same.n; ++i)
        std::copy(same.values.begin(), same.values.begin() + std::ptrdiff_t(same.shape.size()),
                  same.values.begin() + std::ptrdiff_t(i * std::size_t(same.shape.size())));
    s.landmarks = 5;
    const GeometryResult d = analyze_geometry({same, sets[1]}, s);
    CHECK(d.landmarks->feature_rank == 1);
    CHECK(d.sets[0].hilbert_dim == 0);  // no spread at all
    CHECK(d.sets[1].principal_angles_deg.empty());
    s.bandwidth.reset();
    CHECK_THROWS_WITH_AS(analyze_geometry({same, sets[1]}, s), doctest::Contains("distance 0"), Error);
}

// 6. Bad settings ---------------------------------------------------------------------------------------------
TEST_CASE("landmarks: a negative count is refused with the flag's name") {
    GeometrySettings s;
    s.landmarks = -1;
    CHECK_THROWS_WITH_AS(validate(s), doctest::Contains("--landmarks"), Error);
}
