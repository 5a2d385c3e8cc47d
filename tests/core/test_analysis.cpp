// test_analysis.cpp: the whole pipeline on synthetic sets with known structure, against a dense
// computation from the definitions, and with 1 and 2 threads.
//
// Index: 1. sets with known strata, NaN-aware comparisons  2. the dense computation  3. tests
#include "analysis.hpp"
#include "cancel.hpp"
#include "error.hpp"
#include "helpers.hpp"

#include <doctest/doctest.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

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

// The sets plus a third, "noisier" (sigma 0.3): the noisy set with more independent noise.
std::vector<LatentSet> with_noisier_set(std::vector<LatentSet> sets, std::mt19937& rng) {
    LatentSet more = sets[1];
    more.name = "noisier";
    more.sigma = 0.3;
    std::normal_distribution<double> g;
    for (double& v : more.values) v += 0.3 * g(rng);
    sets.push_back(std::move(more));
    return sets;
}

// NaN-aware: same size, every value finite, max |a - b| <= tol * max(1, max |b|).
template <class A, class B>
bool close(const A& a, const B& b, double tol) {
    if (a.size() != b.size()) return false;
    double scale = 1.0, err = 0.0;
    for (std::size_t i = 0; i < std::size_t(a.size()); ++i) {
        if (!std::isfinite(double(a[i])) || !std::isfinite(double(b[i]))) return false;
        scale = std::max(scale, std::abs(double(b[i])));
    }
    for (std::size_t i = 0; i < std::size_t(a.size()); ++i) err = std::max(err, std::abs(double(a[i]) - double(b[i])));
    return err <= tol * scale;
}

template <std::size_t K>
std::vector<double> flat(const std::vector<std::array<double, K>>& rows) {
    std::vector<double> v;
    for (const auto& r : rows) v.insert(v.end(), r.begin(), r.end());
    return v;
}

// Every output field of two results of one set: integers exactly, numbers to tol.
void check_same_set(const SetResult& a, const SetResult& b, double tol) {
    CAPTURE(b.name);
    CHECK(a.name == b.name);
    CHECK(a.clean == b.clean);
    CHECK(a.sigma == b.sigma);
    CHECK(a.n == b.n);
    CHECK(a.shape == b.shape);
    CHECK(a.ranks == b.ranks);
    CHECK(a.strata.size() == b.strata.size());
    for (std::size_t i = 0; i < std::min(a.strata.size(), b.strata.size()); ++i) {
        CHECK(a.strata[i].ranks == b.strata[i].ranks);
        CHECK(a.strata[i].count == b.strata[i].count);
    }
    CHECK(a.smooth == b.smooth);
    CHECK(a.hilbert_dim == b.hilbert_dim);
    CHECK(close(flat(a.effective_ranks), flat(b.effective_ranks), tol));
    CHECK(close(a.kernel_spectrum, b.kernel_spectrum, tol));
    CHECK(close(std::vector<double>{a.kernel_min_eigenvalue}, std::vector<double>{b.kernel_min_eigenvalue}, tol));
    CHECK(close(flat(a.embedding_2d), flat(b.embedding_2d), tol));
    CHECK(close(a.principal_angles_deg, b.principal_angles_deg, tol));
    CHECK(a.cross_stratum_pairs == b.cross_stratum_pairs);
    CHECK(a.cross_stratum_pairs_vs_clean == b.cross_stratum_pairs_vs_clean);
    CHECK(a.fixed_rank_ambiguous_pairs == b.fixed_rank_ambiguous_pairs);
}

// Sets whose mode-3 ranks are all 8 of 12 channels, with the dead channels of sample i starting at
// i mod 5: pairs whose dead channels differ have ranges at 90 degrees (fixed-rank's rule).
std::vector<LatentSet> dead_channel_sets(int n, std::mt19937& rng) {
    std::vector<LatentSet> sets = {test::low_rank_set("clean", kShape, n, 12, rng),
                                   test::low_rank_set("noisy", kShape, n, 12, rng, 0.2)};
    for (LatentSet& set : sets)
        for (int i = 0; i < n; ++i)
            for (int c = 0; c < 4; ++c) {
                double* channel =
                    set.values.data() + std::size_t(i) * kShape.size() + std::size_t((i % 5 + c) % 12) * 16;
                std::fill(channel, channel + 16, 0.0);
            }
    return sets;
}

// 2. An independent dense computation of docs/method.md sections 3-7 straight from the definitions:
// unfoldings by index, covariances as products, ranks from a Jacobi SVD of the centred unfolding,
// log-euclidean through a dense eigendecomposition of S_e and fixed-rank through
// test::fixed_rank_by_definition, the median by sorting, Kc = J K J with J formed, the
// out-of-sample projection and the principal angles written out as matrix products.
struct DenseSet {
    std::vector<std::array<int, 3>> ranks;
    std::vector<std::array<double, 3>> effective_ranks;
    std::vector<std::array<Eigen::MatrixXd, 3>> S;  // per sample, per mode
    int hilbert_dim = 0;
    Eigen::VectorXd mu, mu_vectors_sign;
    Eigen::MatrixXd V;  // eigenvectors of Kc, descending, signed as docs/method.md's view needs (largest entry > 0)
    double kmin = 0.0;
    std::vector<double> embedding, angles;
    std::int64_t ambiguous = 0;
};

Eigen::MatrixXd dense_unfolding(const double* z, const LatentShape& s, int mode) {
    const int rows = mode == 1 ? s.H : mode == 2 ? s.W : s.C;
    Eigen::MatrixXd U(rows, s.size() / rows);
    std::vector<int> next(std::size_t(rows), 0);
    for (int c = 0; c < s.C; ++c)
        for (int h = 0; h < s.H; ++h)
            for (int w = 0; w < s.W; ++w) {
                const int row = mode == 1 ? h : mode == 2 ? w : c;
                U(row, next[std::size_t(row)]++) = z[(c * s.H + h) * s.W + w];
            }
    return U;
}

std::vector<DenseSet> dense_analysis(const std::vector<LatentSet>& sets, const GeometrySettings& gs,
                                     double* bandwidth) {
    std::vector<DenseSet> out(sets.size());
    for (std::size_t k = 0; k < sets.size(); ++k) {
        const LatentSet& set = sets[k];
        for (std::size_t i = 0; i < set.n; ++i) {
            std::array<int, 3> r{};
            std::array<double, 3> er{};
            std::array<Eigen::MatrixXd, 3> S;
            for (int mode = 1; mode <= 3; ++mode) {
                Eigen::MatrixXd Z = dense_unfolding(set.sample(i), set.shape, mode);
                const double m = double(Z.cols());
                if (gs.centered) Z = (Z.colwise() - Z.rowwise().mean()).eval();
                S[mode - 1] = Z * Z.transpose() / (gs.centered ? m - 1.0 : m);
                const Eigen::VectorXd sv = Eigen::JacobiSVD<Eigen::MatrixXd>(Z).singularValues();
                const double factor = double(std::max(Z.rows(), Z.cols())) * std::pow(2.0, -23);
                int rank = 0;
                double total = 0.0, entropy = 0.0;
                for (Eigen::Index j = 0; j < sv.size(); ++j) rank += sv(j) > sv(0) * factor;
                // Effective rank over singular values above round-off (the core's floor).
                const double floor = sv(0) * sv(0) * double(std::max(Z.rows(), Z.cols())) * std::pow(2.0, -52);
                for (Eigen::Index j = 0; j < sv.size(); ++j) total += sv(j) * sv(j) > floor ? sv(j) : 0.0;
                for (Eigen::Index j = 0; j < sv.size(); ++j)
                    if (sv(j) * sv(j) > floor) entropy -= sv(j) / total * std::log(sv(j) / total);
                r[std::size_t(mode - 1)] = rank;
                er[std::size_t(mode - 1)] = std::exp(entropy);
            }
            out[k].ranks.push_back(r);
            out[k].effective_ranks.push_back(er);
            out[k].S.push_back(S);
        }
    }
    auto logm = [&](const Eigen::MatrixXd& S) {
        const double I = double(S.rows()), tr = S.trace();
        const Eigen::MatrixXd Se =
            S + (tr > 0 ? gs.spd_eps * tr / I : gs.spd_eps) * Eigen::MatrixXd::Identity(S.rows(), S.cols());
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> e(Se);
        return Eigen::MatrixXd(e.eigenvectors() * e.eigenvalues().array().log().matrix().asDiagonal() *
                               e.eigenvectors().transpose());
    };
    std::mt19937 rng(99);
    auto d2 = [&](const DenseSet& a, std::size_t i, const DenseSet& b, std::size_t j, int* z_pair) {
        double d = 0.0;
        *z_pair = 0;
        for (int n = 0; n < 3; ++n) {
            if (gs.weights[std::size_t(n)] == 0.0) continue;
            if (gs.metric == "log-euclidean") {
                d += gs.weights[std::size_t(n)] *
                     (logm(a.S[i][std::size_t(n)]) - logm(b.S[j][std::size_t(n)])).squaredNorm();
            } else {
                int z = 0;
                const int r = std::min(a.ranks[i][std::size_t(n)], b.ranks[j][std::size_t(n)]);
                d += gs.weights[std::size_t(n)] * test::fixed_rank_by_definition(a.S[i][std::size_t(n)],
                                                                                 b.S[j][std::size_t(n)], r,
                                                                                 gs.fixed_rank_k, rng, &z);
                *z_pair += z;
            }
        }
        return d;
    };
    const Eigen::Index N = Eigen::Index(sets[0].n);
    std::vector<Eigen::MatrixXd> D(sets.size()), Dx(sets.size());
    for (std::size_t k = 0; k < sets.size(); ++k) {
        D[k] = Eigen::MatrixXd::Zero(N, N);
        Dx[k] = Eigen::MatrixXd::Zero(N, N);
        for (Eigen::Index i = 0; i < N; ++i)
            for (Eigen::Index j = 0; j < N; ++j) {
                int z = 0;
                if (j > i) {
                    D[k](i, j) = D[k](j, i) = d2(out[k], std::size_t(i), out[k], std::size_t(j), &z);
                    out[k].ambiguous += z > 0;
                }
                if (k > 0) Dx[k](i, j) = d2(out[0], std::size_t(i), out[k], std::size_t(j), &z);
            }
    }
    std::vector<double> dist;
    for (Eigen::Index j = 0; j < N; ++j)
        for (Eigen::Index i = 0; i < j; ++i) dist.push_back(std::sqrt(D[0](i, j)));
    std::sort(dist.begin(), dist.end());
    const std::size_t half = dist.size() / 2;
    const double h = gs.bandwidth ? *gs.bandwidth : dist.size() % 2 ? dist[half] : 0.5 * (dist[half - 1] + dist[half]);
    *bandwidth = h;
    const Eigen::MatrixXd J = Eigen::MatrixXd::Identity(N, N) - Eigen::MatrixXd::Constant(N, N, 1.0 / double(N));
    auto kernel = [&](const Eigen::MatrixXd& Dk) { return Eigen::MatrixXd((-Dk.array() / (2.0 * h * h)).exp()); };
    std::vector<Eigen::MatrixXd> K(sets.size());
    for (std::size_t k = 0; k < sets.size(); ++k) {
        K[k] = kernel(D[k]);
        out[k].kmin = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(K[k]).eigenvalues()(0);
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> e(J * K[k] * J);
        out[k].mu = e.eigenvalues().reverse().cwiseMax(0.0);
        out[k].V = e.eigenvectors().rowwise().reverse();
        for (Eigen::Index c = 0; c < N; ++c) {
            Eigen::Index at;
            out[k].V.col(c).cwiseAbs().maxCoeff(&at);
            if (out[k].V(at, c) < 0) out[k].V.col(c) *= -1.0;
        }
        const double total = out[k].mu.sum();
        double acc = 0.0;
        for (Eigen::Index m = 0; m < N; ++m) {
            acc += out[k].mu(m);
            if (acc >= gs.energy * total * (1.0 - 1e-12)) {  // the core's slack
                out[k].hilbert_dim = int(m + 1);
                break;
            }
        }
    }
    const DenseSet& c = out[0];
    for (std::size_t k = 0; k < sets.size(); ++k) {
        // 2-D view: the clean set's coordinates; a noisy point's cross-kernel row centred with the
        // clean kernel's column means and its own mean, projected on the clean components.
        Eigen::MatrixXd Y(N, 2);
        if (k == 0) {
            for (int a = 0; a < 2; ++a) Y.col(a) = std::sqrt(c.mu(a)) * c.V.col(a);
        } else {
            const Eigen::MatrixXd Kt = kernel(Dx[k]).transpose();  // rows: noisy points
            const Eigen::MatrixXd ones = Eigen::MatrixXd::Constant(N, N, 1.0 / double(N));
            const Eigen::MatrixXd Ktc = Kt - ones * K[0] - Kt * ones + ones * K[0] * ones;
            for (int a = 0; a < 2; ++a) Y.col(a) = Ktc * c.V.col(a) / std::sqrt(c.mu(a));
            const Eigen::MatrixXd A =
                c.V.leftCols(c.hilbert_dim) * c.mu.head(c.hilbert_dim).cwiseSqrt().cwiseInverse().asDiagonal();
            const Eigen::MatrixXd B = out[k].V.leftCols(out[k].hilbert_dim) *
                                      out[k].mu.head(out[k].hilbert_dim).cwiseSqrt().cwiseInverse().asDiagonal();
            const Eigen::VectorXd s =
                Eigen::JacobiSVD<Eigen::MatrixXd>(A.transpose() * (J * kernel(Dx[k]) * J) * B).singularValues();
            for (Eigen::Index i = 0; i < s.size(); ++i)
                out[k].angles.push_back(std::acos(std::min(1.0, s(i))) * 180.0 / 3.14159265358979323846);
            std::sort(out[k].angles.begin(), out[k].angles.end());
        }
        for (Eigen::Index i = 0; i < N; ++i) out[k].embedding.insert(out[k].embedding.end(), {Y(i, 0), Y(i, 1)});
    }
    return out;
}

// A result of the core against the dense computation.
void check_against_dense(const SetResult& r, const DenseSet& d, const GeometrySettings& gs, double tol) {
    CAPTURE(r.name);
    CHECK(r.ranks == d.ranks);
    CHECK(close(flat(r.effective_ranks), flat(d.effective_ranks), tol));
    CHECK(r.hilbert_dim == d.hilbert_dim);
    CHECK(close(r.kernel_spectrum, std::vector<double>(d.mu.data(), d.mu.data() + d.mu.size()), tol));
    CHECK(close(std::vector<double>{r.kernel_min_eigenvalue}, std::vector<double>{d.kmin}, tol));
    CHECK(close(flat(r.embedding_2d), d.embedding, tol));
    CHECK(close(r.principal_angles_deg, d.angles, tol));
    if (gs.metric == "fixed-rank") CHECK(r.fixed_rank_ambiguous_pairs == d.ambiguous);
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
    CHECK(c.kernel_min_eigenvalue > 0.0);  // log-euclidean: a positive definite kernel
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
            CHECK(*r.sets[0].cross_stratum_pairs == 6 * 6);  // 6 of rank 3 against 6 of rank 6
            CHECK(*r.sets[1].cross_stratum_pairs == 0);      // noise: one stratum
            CHECK(*r.sets[1].cross_stratum_pairs_vs_clean == 12 * 12);
        }
    }
}

TEST_CASE("analysis: the cancel flag stops it with Cancelled; cleared, the same analysis runs") {
    std::mt19937 rng(7);
    const std::vector<LatentSet> sets = two_strata_sets(12, 0.05, rng);
    for (const int threads : {1, 2}) {
        GeometrySettings s;
        s.metric = "affine-invariant";
        s.threads = threads;
        cancel_flag().store(1);
        CHECK_THROWS_AS(analyze_geometry(sets, s), Cancelled);
        cancel_flag().store(0);
        const GeometryResult r = analyze_geometry(sets, s);
        CHECK(r.sets.size() == 2);
        CHECK(std::isfinite(r.bandwidth));
    }
}

TEST_CASE("analysis: the same answer with 1 and 2 threads; a given bandwidth is used") {
    // N = 64 or more, so that the two-thread paths run (the within-set Gram split starts at 64).
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
            CHECK(a.sets[k].kernel_spectrum[i] ==
                  doctest::Approx(b.sets[k].kernel_spectrum[i]).epsilon(1e-10).scale(1.0));
    }
    std::vector<LatentSet> big = two_strata_sets(72, 0.1, rng);
    std::vector<LatentSet> dead = dead_channel_sets(64, rng);
    for (const std::string metric : {"log-euclidean", "bures-wasserstein", "affine-invariant", "fixed-rank"}) {
        CAPTURE(metric);
        one.metric = two.metric = metric;
        const std::vector<LatentSet>& input = metric == "fixed-rank" ? dead : big;
        const GeometryResult x = analyze_geometry(input, one), y = analyze_geometry(input, two);
        CHECK(std::isfinite(x.bandwidth));
        CHECK(x.bandwidth == doctest::Approx(y.bandwidth).epsilon(1e-12));
        REQUIRE(x.sets.size() == y.sets.size());
        for (std::size_t k = 0; k < x.sets.size(); ++k) check_same_set(x.sets[k], y.sets[k], 1e-10);
        if (metric == "fixed-rank") CHECK(*x.sets[0].fixed_rank_ambiguous_pairs > 0);
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
        CHECK_THROWS_WITH_AS(analyze_geometry(sets, s),
                             "noisy: latent shape 6x8x4 differs from the clean set's 12x4x4 (clean)", Error);
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
            std::copy(sets[0].sample(0), sets[0].sample(0) + kShape.size(),
                      sets[0].values.begin() + std::ptrdiff_t(i * kShape.size()));
        CHECK_THROWS_AS(analyze_geometry(sets, s), Error);
    }
    SUBCASE("no sets") { CHECK_THROWS_AS(analyze_geometry({}, s), Error); }
}

TEST_CASE("CleanAnalysis and analyze_geometry agree with a dense computation from the definitions") {
    // Not the core against itself: every number is recomputed by dense_analysis() above. Settings
    // away from the defaults too, and a fixed-rank set whose pairs need the rule for zero cosines.
    std::mt19937 rng(46);
    const std::vector<LatentSet> sets = with_noisier_set(two_strata_sets(14, 0.1, rng), rng);
    const std::vector<LatentSet> dead = dead_channel_sets(12, rng);
    GeometrySettings le, le2, fr, fr2;
    le2.centered = false;
    le2.weights = {0.5, 0.0, 2.0};
    le2.spd_eps = 1e-4;
    le2.energy = 0.8;
    le2.rank_rtol = 1e-3;
    fr.metric = fr2.metric = "fixed-rank";
    fr2.fixed_rank_k = 0.5;
    fr2.weights = {1.0, 2.0, 0.5};
    fr2.bandwidth = 6.0;
    struct Case {
        const char* name;
        GeometrySettings gs;
        const std::vector<LatentSet>* sets;
    };
    for (const Case& c : {Case{"log-euclidean", le, &sets}, Case{"log-euclidean, other settings", le2, &sets},
                          Case{"fixed-rank", fr, &sets}, Case{"fixed-rank, dead channels", fr2, &dead}}) {
        CAPTURE(c.name);
        double h = 0.0;
        const std::vector<DenseSet> want = dense_analysis(*c.sets, c.gs, &h);
        const CleanAnalysis clean(c.sets->front(), c.gs);
        CHECK(clean.bandwidth() == doctest::Approx(h).epsilon(1e-10));
        check_against_dense(clean.clean(), want[0], c.gs, 1e-9);
        for (std::size_t k = c.sets->size() - 1; k >= 1; --k)  // in reverse order: no hidden state
            check_against_dense(clean.add_noisy((*c.sets)[k]), want[k], c.gs, 1e-9);
        const GeometryResult whole = analyze_geometry(*c.sets, c.gs);
        CHECK(whole.bandwidth == doctest::Approx(h).epsilon(1e-10));
        for (std::size_t k = 0; k < c.sets->size(); ++k) check_against_dense(whole.sets[k], want[k], c.gs, 1e-9);
        if (c.sets == &dead) CHECK(want[0].ambiguous > 0);
    }
}

TEST_CASE("CleanAnalysis: noisy sets added one at a time give analyze_geometry's numbers") {
    std::mt19937 rng(45);
    const std::vector<LatentSet> sets = with_noisier_set(two_strata_sets(16, 0.1, rng), rng);
    for (const std::string& metric : {std::string("log-euclidean"), std::string("fixed-rank")}) {
        GeometrySettings s;
        s.metric = metric;
        const GeometryResult whole = analyze_geometry(sets, s);
        const CleanAnalysis clean(sets[0], s);
        CAPTURE(metric);
        CHECK(clean.bandwidth() == whole.bandwidth);
        CHECK(clean.clean().hilbert_dim == whole.sets[0].hilbert_dim);
        for (std::size_t k = 1; k < sets.size(); ++k) {  // in reverse order too: no hidden state
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
    CHECK_THROWS_WITH_AS(clean.add_noisy(wrong),
                         "noisy: latent shape 6x8x4 differs from the clean set's 12x4x4 (clean)", Error);
}

TEST_CASE("bandwidth scan: f = 1 is the main analysis exactly; other factors match the dense computation") {
    std::mt19937 rng(47);
    const std::vector<LatentSet> sets = with_noisier_set(two_strata_sets(14, 0.1, rng), rng);
    for (const std::string& metric : {std::string("log-euclidean"), std::string("fixed-rank")}) {
        CAPTURE(metric);
        GeometrySettings plain;
        plain.metric = metric;
        GeometrySettings scan = plain;
        scan.bandwidth_scan = {0.25, 0.5, 1.0, 2.0, 4.0};
        const GeometryResult a = analyze_geometry(sets, plain), b = analyze_geometry(sets, scan);
        REQUIRE(std::isfinite(a.bandwidth));
        CHECK(b.bandwidth == a.bandwidth);
        REQUIRE(b.sets.size() == sets.size());
        for (std::size_t k = 0; k < sets.size(); ++k) {
            check_same_set(b.sets[k], a.sets[k], 0.0);  // the scan changes no other result
            CHECK(a.sets[k].bandwidth_scan.empty());
            REQUIRE(b.sets[k].bandwidth_scan.size() == 5);
            const BandwidthScanPoint& p = b.sets[k].bandwidth_scan[2];
            CHECK(p.factor == 1.0);
            CHECK(p.bandwidth == a.bandwidth);
            CHECK(p.hilbert_dim == a.sets[k].hilbert_dim);
            const auto& deg = a.sets[k].principal_angles_deg;
            if (k == 0) {
                CHECK(std::isnan(p.mean_angle_deg));
                CHECK(std::isnan(p.max_angle_deg));
            } else {
                REQUIRE(!deg.empty());
                // A copy, not a Map: Eigen sums aligned and unaligned data in different orders.
                const Eigen::VectorXd v = Eigen::Map<const Eigen::VectorXd>(deg.data(), Eigen::Index(deg.size()));
                CHECK(p.mean_angle_deg == v.mean());
                CHECK(p.max_angle_deg == v.maxCoeff());
            }
        }
        // Each other factor against the test's own dense computation with h' = f h given explicitly.
        for (std::size_t i : {std::size_t(0), std::size_t(1), std::size_t(3), std::size_t(4)}) {
            const double f = scan.bandwidth_scan[i];
            CAPTURE(f);
            GeometrySettings given = plain;
            given.bandwidth = f * a.bandwidth;
            double h = 0.0;
            const std::vector<DenseSet> want = dense_analysis(sets, given, &h);
            for (std::size_t k = 0; k < sets.size(); ++k) {
                CAPTURE(k);
                const BandwidthScanPoint& p = b.sets[k].bandwidth_scan[i];
                CHECK(p.factor == f);
                CHECK(p.bandwidth == f * a.bandwidth);
                CHECK(p.hilbert_dim == want[k].hilbert_dim);
                if (k == 0) {
                    CHECK(std::isnan(p.mean_angle_deg));
                    continue;
                }
                REQUIRE(!want[k].angles.empty());
                double mean = 0.0;
                for (double x : want[k].angles) mean += x / double(want[k].angles.size());
                CHECK(close(std::vector<double>{p.mean_angle_deg, p.max_angle_deg},
                            std::vector<double>{mean, want[k].angles.back()}, 1e-9));
            }
        }
        // The incremental route gives the same scan.
        const CleanAnalysis clean(sets[0], scan);
        for (std::size_t k = 1; k < sets.size(); ++k) {
            const SetResult r = clean.add_noisy(sets[k]);
            REQUIRE(r.bandwidth_scan.size() == 5);
            for (std::size_t i = 0; i < 5; ++i) {
                CHECK(r.bandwidth_scan[i].hilbert_dim == b.sets[k].bandwidth_scan[i].hilbert_dim);
                CHECK(r.bandwidth_scan[i].mean_angle_deg == b.sets[k].bandwidth_scan[i].mean_angle_deg);
            }
        }
    }
    // The dimension is not the same at every factor on these sets (the scan shows something).
    GeometrySettings scan;
    scan.bandwidth_scan = {0.25, 4.0};
    const GeometryResult r = analyze_geometry(sets, scan);
    CHECK(r.sets[0].bandwidth_scan[0].hilbert_dim > r.sets[0].bandwidth_scan[1].hilbert_dim);
    // Bad factors and landmarks are refused, named.
    scan.bandwidth_scan = {0.5, 0.0};
    CHECK_THROWS_WITH_AS(analyze_geometry(sets, scan), "--bandwidth-factors: each factor must be a finite number > 0",
                         Error);
    scan.bandwidth_scan = {0.5, std::nan("")};
    CHECK_THROWS_AS(analyze_geometry(sets, scan), Error);
    scan.bandwidth_scan = {2.0};
    scan.landmarks = 5;
    CHECK_THROWS_WITH_AS(analyze_geometry(sets, scan),
                         "--bandwidth-scan: needs the exact kernel analysis; it is not available with --landmarks 5 "
                         "< N = 14",
                         Error);
}
