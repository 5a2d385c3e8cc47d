// test_analysis.cpp: the whole pipeline on synthetic sets with known structure.
#include "analysis.hpp"
#include "error.hpp"
#include "helpers.hpp"

#include <doctest/doctest.h>
#include <cmath>

using namespace strata;

namespace {

const LatentShape kShape{12, 4, 4};

// A clean set whose samples alternate between mode-3 ranks 3 and 6 (two strata), and a noisy
// version with independent noise added.
std::vector<LatentSet> two_strata_sets(int n, double noise, std::mt19937& rng) {
    LatentSet clean;
    clean.name = "clean";
    clean.shape = kShape;
    clean.n = std::size_t(n);
    for (int i = 0; i < n; ++i) {
        const std::vector<double> z = test::low_rank_latent(kShape, i % 2 ? 3 : 6, rng);
        clean.values.insert(clean.values.end(), z.begin(), z.end());
    }
    LatentSet noisy = clean;
    noisy.name = "noisy";
    noisy.sigma = 0.1;
    std::normal_distribution<double> g;
    for (double& v : noisy.values) v += noise * g(rng);
    return {clean, noisy};
}

}  // namespace

TEST_CASE("analysis: ranks, strata, the same set as noise gives zero angles") {
    std::mt19937 rng(40);
    std::vector<LatentSet> sets = two_strata_sets(30, 0.0, rng);
    const GeometryResult r = analyze_geometry(sets, GeometrySettings{});
    REQUIRE(r.sets.size() == 2);
    const SetResult& c = r.sets[0];
    CHECK(c.clean);
    CHECK_FALSE(r.sets[1].clean);
    CHECK(c.n == 30);
    CHECK(c.ranks[0] == std::array<int, 3>{4, 4, 6});
    CHECK(c.ranks[1] == std::array<int, 3>{4, 4, 3});
    REQUIRE(c.strata.size() == 2);
    CHECK(c.strata[0].count == 15);
    CHECK_FALSE(c.smooth);
    CHECK(r.bandwidth > 0.0);
    CHECK(c.hilbert_dim > 1);
    CHECK(c.hilbert_dim < 30);
    CHECK(c.kernel_spectrum.size() == 30);
    CHECK(c.kernel_min_eigenvalue > 0.0);   // log-euclidean: a positive definite kernel
    CHECK(c.embedding_2d.size() == 30);
    CHECK(c.principal_angles_deg.empty());
    // Noise of zero: the noisy set is the clean set, so everything matches and angles vanish.
    const SetResult& y = r.sets[1];
    CHECK(y.hilbert_dim == c.hilbert_dim);
    REQUIRE(y.principal_angles_deg.size() == std::size_t(c.hilbert_dim));
    CHECK(y.principal_angles_deg.back() < 1e-4);
    for (std::size_t i = 0; i < 30; ++i) {
        CHECK(y.embedding_2d[i][0] == doctest::Approx(c.embedding_2d[i][0]).scale(1.0));
        CHECK(y.embedding_2d[i][1] == doctest::Approx(c.embedding_2d[i][1]).scale(1.0));
    }
}

TEST_CASE("analysis: noise smooths the strata and turns the subspace") {
    std::mt19937 rng(41);
    std::vector<LatentSet> sets = two_strata_sets(30, 0.3, rng);
    const GeometryResult r = analyze_geometry(sets, GeometrySettings{});
    const SetResult& y = r.sets[1];
    // Gaussian noise makes every unfolding full rank: one stratum, (4, 4, min(12, 16 - 1)).
    CHECK(y.smooth);
    CHECK(y.strata[0].ranks == std::array<int, 3>{4, 4, 12});
    CHECK(y.principal_angles_deg.back() > 1.0);
}

TEST_CASE("analysis: all metrics run; fixed-rank reports cross-stratum pairs") {
    std::mt19937 rng(42);
    std::vector<LatentSet> sets = two_strata_sets(12, 0.05, rng);
    for (const std::string& m : metric_names()) {
        GeometrySettings s;
        s.metric = m;
        const GeometryResult r = analyze_geometry(sets, s);
        CAPTURE(m);
        CHECK(r.bandwidth > 0.0);
        CHECK(r.sets[1].principal_angles_deg.size() > 0);
        CHECK(r.sets[0].cross_stratum_pairs.has_value() == (m == "fixed-rank"));
        if (m == "fixed-rank") {
            CHECK(*r.sets[0].cross_stratum_pairs == 6 * 6);          // 6 of rank 3 against 6 of rank 6
            CHECK(*r.sets[1].cross_stratum_pairs == 0);              // noise: one stratum
            CHECK(*r.sets[1].cross_stratum_pairs_vs_clean == 12 * 12);
        }
    }
}

TEST_CASE("analysis: the same answer with 1 and 2 threads; a given bandwidth is used") {
    std::mt19937 rng(43);
    std::vector<LatentSet> sets = two_strata_sets(20, 0.1, rng);
    GeometrySettings one, two;
    one.threads = 1;
    two.threads = 2;
    const GeometryResult a = analyze_geometry(sets, one), b = analyze_geometry(sets, two);
    CHECK(a.bandwidth == doctest::Approx(b.bandwidth).epsilon(1e-12));
    for (std::size_t k = 0; k < 2; ++k) {
        CHECK(a.sets[k].ranks == b.sets[k].ranks);
        CHECK(a.sets[k].hilbert_dim == b.sets[k].hilbert_dim);
        for (std::size_t i = 0; i < a.sets[k].kernel_spectrum.size(); ++i)
            CHECK(a.sets[k].kernel_spectrum[i] == doctest::Approx(b.sets[k].kernel_spectrum[i]).epsilon(1e-10).scale(1.0));
    }
    GeometrySettings fixed;
    fixed.bandwidth = 2.5;
    CHECK(analyze_geometry(sets, fixed).bandwidth == 2.5);
}

TEST_CASE("analysis: bad input is named") {
    std::mt19937 rng(44);
    std::vector<LatentSet> sets = two_strata_sets(5, 0.1, rng);
    GeometrySettings s;
    SUBCASE("shape mismatch") {
        sets[1].shape = {6, 8, 4};
        CHECK_THROWS_WITH_AS(analyze_geometry(sets, s), "noisy: latent shape 6x8x4 differs from the clean set's 12x4x4 (clean)",
                             Error);
    }
    SUBCASE("one sample") {
        sets[1].n = 1;
        sets[1].values.resize(std::size_t(kShape.size()));
        CHECK_THROWS_WITH_AS(analyze_geometry(sets, s), "noisy: needs at least 2 samples, got 1", Error);
    }
    SUBCASE("NaN") {
        sets[0].values[std::size_t(3 * kShape.size() + 5)] = std::nan("");
        CHECK_THROWS_WITH_AS(analyze_geometry(sets, s), "clean: sample 3 contains NaN", Error);
    }
    SUBCASE("settings") {
        s.metric = "cosine";
        CHECK_THROWS_AS(analyze_geometry(sets, s), Error);
        s.metric = "log-euclidean";
        s.energy = 0.0;
        CHECK_THROWS_WITH_AS(analyze_geometry(sets, s), "--energy: must be in (0, 1], got 0.000000", Error);
    }
    SUBCASE("identical clean latents") {
        for (std::size_t i = 1; i < sets[0].n; ++i)
            std::copy(sets[0].sample(0), sets[0].sample(0) + kShape.size(), sets[0].values.begin() + std::ptrdiff_t(i * kShape.size()));
        CHECK_THROWS_AS(analyze_geometry(sets, s), Error);
    }
    SUBCASE("no sets") { CHECK_THROWS_AS(analyze_geometry({}, s), Error); }
}

TEST_CASE("CleanAnalysis: noisy sets added one at a time give analyze_geometry's numbers") {
    std::mt19937 rng(45);
    std::vector<LatentSet> sets = two_strata_sets(16, 0.1, rng);
    LatentSet more = sets[1];
    more.name = "noisier";
    more.sigma = 0.3;
    std::normal_distribution<double> g;
    for (double& v : more.values) v += 0.3 * g(rng);
    sets.push_back(more);
    for (const std::string& metric : {std::string("log-euclidean"), std::string("fixed-rank")}) {
        GeometrySettings s;
        s.metric = metric;
        const GeometryResult whole = analyze_geometry(sets, s);
        const CleanAnalysis clean(sets[0], s);
        CAPTURE(metric);
        CHECK(clean.bandwidth() == whole.bandwidth);
        CHECK(clean.clean().hilbert_dim == whole.sets[0].hilbert_dim);
        for (std::size_t k = 1; k < sets.size(); ++k) {   // in reverse order too: no hidden state
            const SetResult a = clean.add_noisy(sets[sets.size() - k]);
            const SetResult& b = whole.sets[sets.size() - k];
            CHECK(a.name == b.name);
            CHECK(a.ranks == b.ranks);
            CHECK(a.hilbert_dim == b.hilbert_dim);
            CHECK(a.cross_stratum_pairs == b.cross_stratum_pairs);
            REQUIRE(a.principal_angles_deg.size() == b.principal_angles_deg.size());
            for (std::size_t i = 0; i < a.principal_angles_deg.size(); ++i)
                CHECK(a.principal_angles_deg[i] == doctest::Approx(b.principal_angles_deg[i]).epsilon(1e-12));
            for (std::size_t i = 0; i < a.n; ++i)
                CHECK(a.embedding_2d[i][0] == doctest::Approx(b.embedding_2d[i][0]).epsilon(1e-12));
        }
    }
    LatentSet wrong = sets[1];
    wrong.shape = {6, 8, 4};
    const CleanAnalysis clean(sets[0], GeometrySettings{});
    CHECK_THROWS_WITH_AS(clean.add_noisy(wrong), "noisy: latent shape 6x8x4 differs from the clean set's 12x4x4 (clean)",
                         Error);
}
