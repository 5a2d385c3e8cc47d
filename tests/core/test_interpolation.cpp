// test_interpolation.cpp: paths between latents, the seeded pair draw, and neighbours.
//
// Index: 1. independent references (ranks by SVD, distances by the plain pairwise function)
//        2. paths: endpoints, ranks of constructed latents, distance to data
//        3. pair draw  4. neighbours (brute-force sorts, explicit kernel PCA, ties)
#include "analysis.hpp"
#include "distance.hpp"
#include "error.hpp"
#include "helpers.hpp"
#include "interpolation.hpp"
#include "kernel.hpp"
#include "neighbours.hpp"
#include "rank.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>

namespace {

using strata::LatentSet;
using strata::LatentShape;

// 1. Independent references ------------------------------------------------------------------------------
// Rank of mode n by numpy.linalg.matrix_rank's rule on the centred unfolding, built here element by
// element from the C-order layout and decomposed by Eigen's Jacobi SVD.
int svd_rank(const double* z, const LatentShape& s, int mode) {
    const int I = mode == 1 ? s.H : mode == 2 ? s.W : s.C;
    const int m = s.size() / I;
    Eigen::MatrixXd U(I, m);
    std::vector<int> col(std::size_t(I), 0);
    for (int c = 0; c < s.C; ++c)
        for (int h = 0; h < s.H; ++h)
            for (int w = 0; w < s.W; ++w) {
                const int row = mode == 1 ? h : mode == 2 ? w : c;
                U(row, col[std::size_t(row)]++) = z[(c * s.H + h) * s.W + w];
            }
    U.colwise() -= U.rowwise().mean();
    const Eigen::VectorXd sv = Eigen::JacobiSVD<Eigen::MatrixXd>(U).singularValues();
    const double tol = sv(0) * double(std::max(I, m)) * std::ldexp(1.0, -23);
    int r = 0;
    for (Eigen::Index i = 0; i < sv.size(); ++i) r += sv(i) > tol ? 1 : 0;
    return r;
}

// A latent whose live channels are [first, first + count) (random values), the others exactly 0.
std::vector<double> channel_latent(const LatentShape& s, int first, int count, std::mt19937& rng) {
    std::normal_distribution<double> g;
    std::vector<double> z(std::size_t(s.size()), 0.0);
    for (int c = first; c < first + count; ++c)
        for (int k = 0; k < s.H * s.W; ++k) z[std::size_t(c * s.H * s.W + k)] = g(rng);
    return z;
}

LatentSet set_of(const std::string& name, const LatentShape& s, const std::vector<std::vector<double>>& latents) {
    LatentSet set;
    set.name = name;
    set.shape = s;
    set.n = latents.size();
    for (const auto& z : latents) set.values.insert(set.values.end(), z.begin(), z.end());
    return set;
}

// Squared d_PM between two latents with the plain pairwise function (product_distance_sq).
double plain_distance_sq(const double* x, const double* y, const LatentShape& s, const strata::GeometrySettings& g) {
    const strata::FactorRoute route = strata::factor_route(g);
    const strata::SpsdPoint P = strata::spsd_point(x, s, g.centered, route),
                            Q = strata::spsd_point(y, s, g.centered, route);
    return strata::product_distance_sq(P, strata::rank_triple(P, g.rank_rtol), Q, strata::rank_triple(Q, g.rank_rtol),
                                       g);
}

}  // namespace

// 2. Paths ------------------------------------------------------------------------------------------------------
TEST_CASE("interpolation: endpoints are the samples; ranks of disjoint-channel latents are known in closed form") {
    const LatentShape s{12, 5, 5};
    std::mt19937 rng(17);
    // Sample 0 lives on channels 0-2, sample 1 on channels 3-6: every interior step lives on 0-6,
    // so its channel rank is 3 + 4 = 7 (< HW - 1 = 24), outside both endpoints' strata.
    std::vector<std::vector<double>> latents = {channel_latent(s, 0, 3, rng), channel_latent(s, 3, 4, rng)};
    for (int i = 0; i < 8; ++i) latents.push_back(channel_latent(s, 0, 12, rng));
    const LatentSet set = set_of("constructed", s, latents);
    strata::GeometrySettings g;
    g.threads = 2;
    const strata::CleanAnalysis clean(set, g);

    const std::vector<double> z = strata::path_latents(set.sample(0), set.sample(1), s, 9);
    for (int i = 0; i < s.size(); ++i) {
        CHECK(z[std::size_t(i)] == set.sample(0)[i]);
        CHECK(z[std::size_t(8 * s.size() + i)] == set.sample(1)[i]);
    }

    const auto paths = strata::interpolate_pairs(clean, set, {{0, 1}}, 9);
    REQUIRE(paths.size() == 1);
    const strata::InterpolationPath& p = paths[0];
    REQUIRE(p.steps.size() == 9);
    CHECK(p.steps[0].ranks == clean.clean().ranks[0]);
    CHECK(p.steps[8].ranks == clean.clean().ranks[1]);
    CHECK(p.steps[0].ranks[2] == 3);
    CHECK(p.steps[8].ranks[2] == 4);
    for (std::size_t k = 0; k < 9; ++k) {
        const double* zk = z.data() + k * std::size_t(s.size());
        for (int mode = 1; mode <= 3; ++mode) CHECK(p.steps[k].ranks[std::size_t(mode - 1)] == svd_rank(zk, s, mode));
        if (k > 0 && k < 8) {
            CHECK(p.steps[k].ranks[2] == 7);
            CHECK(p.steps[k].outside_endpoints);
        }
        CHECK(p.steps[k].t == doctest::Approx(double(k) / 8.0));
    }
    CHECK(p.steps[1].changes_stratum);
    CHECK(p.steps[8].changes_stratum);
    CHECK_FALSE(p.steps[0].changes_stratum);
    CHECK_FALSE(p.steps[4].changes_stratum);
    CHECK(p.leaves_endpoint_strata);
    CHECK(p.changes_stratum);
    // The endpoints are clean latents: distance 0 to themselves.
    CHECK(p.steps[0].distance < 1e-6);
    CHECK(p.steps[0].nearest == 0);
    CHECK(p.steps[8].nearest == 1);

    // A path inside one stratum changes nothing.
    const auto q = strata::interpolate_pairs(clean, set, {{2, 3}}, 5)[0];
    for (const auto& st : q.steps) CHECK(st.ranks == (std::array<int, 3>{5, 5, 12}));
    CHECK_FALSE(q.changes_stratum);
    CHECK_FALSE(q.leaves_endpoint_strata);
}

TEST_CASE("interpolation: distance to data equals a brute-force loop with the plain pairwise function") {
    const LatentShape s{10, 4, 4};
    std::mt19937 rng(5);
    const LatentSet set = test::low_rank_set("clean", s, 14, 6, rng);
    for (const std::string& metric : strata::metric_names()) {
        CAPTURE(metric);
        strata::GeometrySettings g;
        g.metric = metric;
        g.threads = 2;
        const strata::CleanAnalysis clean(set, g);
        const std::vector<std::array<std::size_t, 2>> pairs = {{0, 5}, {3, 11}, {7, 13}};
        const auto paths = strata::interpolate_pairs(clean, set, pairs, 6);
        const strata::InterpolationSummary sum = strata::summarize(paths);
        double max_seen = 0.0, interior_mean = 0.0;
        for (std::size_t p = 0; p < pairs.size(); ++p) {
            const std::vector<double> z = strata::path_latents(set.sample(pairs[p][0]), set.sample(pairs[p][1]), s, 6);
            double interior = 0.0;
            for (std::size_t k = 0; k < 6; ++k) {
                const double* zk = z.data() + k * std::size_t(s.size());
                double best = INFINITY, far = 0.0;
                std::size_t arg = 0;
                for (std::size_t j = 0; j < set.n; ++j) {
                    const double d = std::sqrt(std::max(0.0, plain_distance_sq(zk, set.sample(j), s, g)));
                    REQUIRE(std::isfinite(d));
                    if (d < best) best = d, arg = j;
                    far = std::max(far, d);
                }
                const strata::PathStep& st = paths[p].steps[k];
                REQUIRE(std::isfinite(st.distance));
                // Squared distances to 1e-10 of the largest: log-euclidean's block route ||a||^2 + ||b||^2
                // - 2 a.b cancels at the endpoints (distance 0 to themselves), so their distance is
                // about sqrt(eps) times the scale rather than 0.
                CHECK(std::abs(st.distance * st.distance - best * best) <= 1e-10 * far * far);
                if (best > 1e-3) CHECK(st.nearest == arg);
                if (k > 0 && k < 5) interior += st.distance;
                max_seen = std::max(max_seen, st.distance);
            }
            CHECK(paths[p].mean_interior_distance == doctest::Approx(interior / 4.0));
            interior_mean += interior / 4.0 / double(pairs.size());
        }
        CHECK(sum.pairs == 3);
        CHECK(sum.steps == 6);
        CHECK(sum.max_distance == doctest::Approx(max_seen));
        CHECK(sum.mean_interior_distance == doctest::Approx(interior_mean));
    }
}

TEST_CASE("interpolation: bad input is named") {
    const LatentShape s{6, 3, 3};
    std::mt19937 rng(1);
    const LatentSet set = test::low_rank_set("clean", s, 6, 3, rng);
    const strata::CleanAnalysis clean(set, strata::GeometrySettings{});
    CHECK_THROWS_WITH_AS(strata::interpolate_pairs(clean, set, {{0, 1}}, 2), doctest::Contains("need 3 to 1000"),
                         strata::Error);
    CHECK_THROWS_WITH_AS(strata::interpolate_pairs(clean, set, {{0, 6}}, 9), doctest::Contains("outside the 6"),
                         strata::Error);
    LatentSet bad = set;
    bad.values[3] = NAN;
    CHECK_THROWS_AS(strata::interpolate_pairs(clean, bad, {{0, 1}}, 9), strata::Error);
}

// 3. Pair draw --------------------------------------------------------------------------------------------------
TEST_CASE("draw_pairs: seeded, distinct, i < j, uniform; more pairs than exist is an error") {
    const auto a = strata::draw_pairs(30, 200, 7), b = strata::draw_pairs(30, 200, 7),
               c = strata::draw_pairs(30, 200, 8);
    CHECK(a == b);
    CHECK(a != c);
    std::set<std::array<std::size_t, 2>> seen;
    for (const auto& p : a) {
        CHECK(p[0] < p[1]);
        CHECK(p[1] < 30);
        CHECK(seen.insert(p).second);
    }
    // Every pair, when all are asked.
    const auto all = strata::draw_pairs(6, 15, 0);
    CHECK(std::set<std::array<std::size_t, 2>>(all.begin(), all.end()).size() == 15);
    CHECK_THROWS_WITH_AS(strata::draw_pairs(6, 16, 0), doctest::Contains("only 15 distinct pairs"), strata::Error);
    CHECK_THROWS_AS(strata::draw_pairs(1, 1, 0), strata::Error);
    // Uniform: the first pair of 20000 seeds lands on each of the 10 pairs of 5 samples about 2000
    // times (binomial sd about 42; 6 sd allowed).
    std::map<std::array<std::size_t, 2>, int> counts;
    for (std::uint64_t seed = 0; seed < 20000; ++seed) ++counts[strata::draw_pairs(5, 1, seed)[0]];
    CHECK(counts.size() == 10);
    for (const auto& [pair, count] : counts) CHECK(std::abs(count - 2000) < 255);
}

// 4. Neighbours ---------------------------------------------------------------------------------------------
TEST_CASE("neighbours: the latent metric and the kernel's feature space against brute-force sorts") {
    const LatentShape s{8, 4, 4};
    std::mt19937 rng(23);
    const LatentSet set = test::low_rank_set("clean", s, 25, 5, rng);
    for (const std::string& metric : {std::string("log-euclidean"), std::string("bures-wasserstein")}) {
        CAPTURE(metric);
        strata::GeometrySettings g;
        g.metric = metric;
        const strata::CleanAnalysis clean(set, g);
        const Eigen::Index n = Eigen::Index(set.n);
        Eigen::MatrixXd D2(n, n);
        for (Eigen::Index i = 0; i < n; ++i)
            for (Eigen::Index j = 0; j < n; ++j)
                D2(i, j) =
                    i == j ? 0.0 : plain_distance_sq(set.sample(std::size_t(i)), set.sample(std::size_t(j)), s, g);
        // Explicit kernel PCA: centred kernel, its eigenvectors by Eigen's dense solver, top dim_eta.
        const double h = clean.bandwidth();
        const Eigen::MatrixXd K = (-D2.array() / (2 * h * h)).exp().matrix();
        const Eigen::MatrixXd J = Eigen::MatrixXd::Identity(n, n) - Eigen::MatrixXd::Constant(n, n, 1.0 / double(n));
        Eigen::VectorXd mu;
        const Eigen::MatrixXd V = test::descending_eigenvectors(J * K * J, &mu);
        const int dim = clean.clean().hilbert_dim;
        REQUIRE(dim >= 1);
        Eigen::MatrixXd X(n, dim);
        for (int c = 0; c < dim; ++c) X.col(c) = std::sqrt(std::max(0.0, mu(c))) * V.col(c);

        for (std::size_t i : {std::size_t(0), std::size_t(9), std::size_t(24)}) {
            const strata::Neighbours nb = strata::neighbours(clean, i, 8);
            CHECK(nb.kernel_dim == dim);
            REQUIRE(nb.latent.size() == 8);
            REQUIRE(nb.kernel.size() == 8);
            std::vector<std::size_t> by_latent, by_kernel;
            for (Eigen::Index j = 0; j < n; ++j)
                if (std::size_t(j) != i) by_latent.push_back(std::size_t(j)), by_kernel.push_back(std::size_t(j));
            const Eigen::VectorXd dk = (X.rowwise() - X.row(Eigen::Index(i))).rowwise().squaredNorm();
            std::sort(by_latent.begin(), by_latent.end(), [&](std::size_t a, std::size_t b) {
                return D2(Eigen::Index(i), Eigen::Index(a)) < D2(Eigen::Index(i), Eigen::Index(b));
            });
            std::sort(by_kernel.begin(), by_kernel.end(),
                      [&](std::size_t a, std::size_t b) { return dk(Eigen::Index(a)) < dk(Eigen::Index(b)); });
            for (std::size_t r = 0; r < 8; ++r) {
                CHECK(nb.latent[r].index == by_latent[r]);
                CHECK(nb.latent[r].distance ==
                      doctest::Approx(std::sqrt(D2(Eigen::Index(i), Eigen::Index(by_latent[r])))).epsilon(1e-8));
                CHECK(nb.kernel[r].index == by_kernel[r]);
                CHECK(nb.kernel[r].distance ==
                      doctest::Approx(std::sqrt(dk(Eigen::Index(by_kernel[r])))).epsilon(1e-6));
            }
        }
        CHECK_THROWS_WITH_AS(strata::neighbours(clean, 0, 25), doctest::Contains("24 other samples"), strata::Error);
        CHECK_THROWS_WITH_AS(strata::neighbours(clean, 25, 3), doctest::Contains("outside the 25"), strata::Error);
        CHECK_THROWS_AS(strata::neighbours(clean, 0, 0), strata::Error);
    }
}

TEST_CASE("neighbours: ties go to the smaller index, the sample itself is left out") {
    // Points on a line at 0, 1, -1, 2, -2, 1: from point 0, samples 1, 2 and 5 are all at distance 1.
    Eigen::MatrixXd X(6, 1);
    X << 0, 1, -1, 2, -2, 1;
    const auto nc = strata::nearest_by_coordinates(X, 0, 5);
    const std::vector<std::size_t> want = {1, 2, 5, 3, 4};
    for (std::size_t r = 0; r < 5; ++r) CHECK(nc[r].index == want[r]);
    CHECK(nc[2].distance == 1.0);
    CHECK(nc[3].distance == 2.0);
    Eigen::MatrixXd D2(6, 6);
    for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 6; ++j) D2(i, j) = (X(i, 0) - X(j, 0)) * (X(i, 0) - X(j, 0));
    const auto nd =
        strata::nearest_by_distance_sq(D2.row(5).transpose(), 5, 3);  // from 1: sample 1 (distance 0), then 0 and 3
    CHECK(nd[0].index == 1);
    CHECK(nd[0].distance == 0.0);
    CHECK(nd[1].index == 0);
    CHECK(nd[2].index == 3);
    D2(5, 4) = NAN;
    CHECK_THROWS_WITH_AS(strata::nearest_by_distance_sq(D2.row(5).transpose(), 5, 3), doctest::Contains("not finite"),
                         strata::Error);
}
