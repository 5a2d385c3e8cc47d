// analysis.cpp: the pipeline of METHOD.md sections 3-7 for one model's latent sets.
//
// Index: 1. input checks  2. SPSD points, ranks, strata (per set)  3. distances and kernels
//        4. spectra, Hilbert dimensionality, 2-D view  5. principal angles  6. analyze_geometry
//
// Work is arranged for speed and memory: a set's points are reduced to what the metric needs
// (for `log-euclidean` one feature row per point), each distance block becomes its kernel as soon
// as the bandwidth is known, and the independent per-set eigenproblems run in parallel.
#include "analysis.hpp"

#include "angles.hpp"
#include "distance.hpp"
#include "error.hpp"
#include "kernel.hpp"
#include "parallel.hpp"
#include "rank.hpp"
#include "spsd.hpp"

#include <chrono>
#include <cmath>

namespace strata {

namespace {

std::string shape_text(const LatentShape& s) {
    return std::to_string(s.C) + "x" + std::to_string(s.H) + "x" + std::to_string(s.W);
}

// 1. Input checks ------------------------------------------------------------------------------------
void check_inputs(const std::vector<LatentSet>& sets, const GeometrySettings& settings) {
    validate(settings);
    if (sets.empty()) throw Error("no latent sets given (the clean set is required)");
    for (const LatentSet& set : sets) {
        validate(set);
        if (set.n < 2)
            throw Error(set.name + ": needs at least 2 samples, got " + std::to_string(set.n));
        if (set.shape != sets[0].shape)
            throw Error(set.name + ": latent shape " + shape_text(set.shape) + " differs from the clean set's " +
                        shape_text(sets[0].shape) + " (" + sets[0].name + ")");
    }
}

// 2. Points of one set ----------------------------------------------------------------------------------
struct PreparedSet {
    PointSet points;
    std::vector<std::array<double, 3>> effective_ranks;
};

PreparedSet prepare(const LatentSet& set, const GeometrySettings& s) {
    std::vector<SpsdPoint> points(set.n);
    std::vector<std::array<int, 3>> ranks(set.n);
    PreparedSet out;
    out.effective_ranks.resize(set.n);
    const bool gram_route = s.metric == "log-euclidean" || s.metric == "bures-wasserstein";   // see spsd.hpp
    parallel_for(set.n, s.threads, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
            points[i] = spsd_point(set.sample(i), set.shape, s.centered, gram_route);
            ranks[i] = rank_triple(points[i], s.rank_rtol);
            for (int n = 0; n < 3; ++n) out.effective_ranks[i][std::size_t(n)] = effective_rank(points[i].factors[n]);
        }
    });
    out.points = make_point_set(std::move(points), std::move(ranks), s);
    return out;
}

void fill_rank_results(SetResult& r, const LatentSet& set, const PreparedSet& p) {
    r.name = set.name;
    r.sigma = set.sigma;
    r.n = set.n;
    r.shape = set.shape;
    r.ranks = p.points.ranks;
    r.effective_ranks = p.effective_ranks;
    r.strata = count_strata(r.ranks);
    r.smooth = r.strata.size() == 1;
}

// 4. Spectrum and Hilbert dimensionality of one set's kernel --------------------------------------------------
void fill_spectrum_results(SetResult& r, const KernelSpectrum& spec, double energy) {
    r.kernel_min_eigenvalue = spec.min_eigenvalue;
    r.kernel_spectrum.assign(spec.mu.data(), spec.mu.data() + spec.mu.size());
    r.hilbert_dim = hilbert_dimension(spec.mu, energy);
}

std::vector<std::array<double, 2>> rows_2d(const Eigen::MatrixXd& Y) {
    std::vector<std::array<double, 2>> out(std::size_t(Y.rows()));
    for (Eigen::Index i = 0; i < Y.rows(); ++i) out[std::size_t(i)] = {Y(i, 0), Y(i, 1)};
    return out;
}

}  // namespace

// 6. The whole analysis ---------------------------------------------------------------------------------------
GeometryResult analyze_geometry(const std::vector<LatentSet>& sets, const GeometrySettings& settings,
                                const ProgressFn& progress) {
    auto report = [&](const std::string& stage, double f) {
        if (progress) progress(stage, f);
    };
    GeometryResult result;
    auto clock = std::chrono::steady_clock::now();
    auto lap = [&](const char* stage) {
        const auto t = std::chrono::steady_clock::now();
        result.stage_seconds.emplace_back(stage, std::chrono::duration<double>(t - clock).count());
        clock = t;
    };
    check_inputs(sets, settings);
    const std::size_t S = sets.size();
    result.settings = settings;
    result.sets.resize(S);

    // 2. Points, ranks and strata of every set.
    std::vector<PreparedSet> prepared(S);
    for (std::size_t k = 0; k < S; ++k) {
        prepared[k] = prepare(sets[k], settings);
        fill_rank_results(result.sets[k], sets[k], prepared[k]);
        result.sets[k].clean = (k == 0);
        report("SPSD points and ranks", 0.3 * double(k + 1) / double(S));
    }
    // Distances are translation invariant: centring the log features on the clean set's mean
    // keeps their norms small, so ||a||^2 + ||b||^2 - 2 a.b loses little to cancellation.
    if (settings.metric == "log-euclidean") {
        const Eigen::RowVectorXd origin = prepared[0].points.features.colwise().mean();
        for (PreparedSet& p : prepared) p.points.features.rowwise() -= origin;
    }
    const bool fixed_rank = settings.metric == "fixed-rank";
    lap("points");

    // 3. Distances, bandwidth, kernels. K[k] is set k's own kernel, K_cross[k] = K(clean, set k).
    std::vector<Eigen::MatrixXd> K(S), K_cross(S);
    {
        const Eigen::MatrixXd D2 = pairwise_sq(prepared[0].points, settings);
        result.bandwidth = settings.bandwidth ? *settings.bandwidth : median_bandwidth(D2);
        if (!(result.bandwidth > 0.0))
            throw Error(sets[0].name + ": all clean latents are at distance 0 from each other, so the median "
                                       "bandwidth is 0; give a bandwidth explicitly");
        K[0] = gaussian_kernel(D2, result.bandwidth);
    }
    if (fixed_rank) result.sets[0].cross_stratum_pairs = cross_stratum_pairs(prepared[0].points.ranks);
    report("distances", 0.3 + 0.4 / double(S));
    for (std::size_t k = 1; k < S; ++k) {
        K[k] = gaussian_kernel(pairwise_sq(prepared[k].points, settings), result.bandwidth);
        K_cross[k] = gaussian_kernel(pairwise_sq(prepared[0].points, prepared[k].points, settings), result.bandwidth);
        if (fixed_rank) {
            result.sets[k].cross_stratum_pairs = cross_stratum_pairs(prepared[k].points.ranks);
            result.sets[k].cross_stratum_pairs_vs_clean =
                cross_stratum_pairs(prepared[0].points.ranks, prepared[k].points.ranks);
        }
        prepared[k] = PreparedSet{};   // the noisy points are no longer needed
        report("distances", 0.3 + 0.4 * double(k + 1) / double(S));
    }

    lap("distances");

    // 4. One eigenproblem per set, in parallel; then the 2-D view.
    std::vector<KernelSpectrum> spectra(S);
    parallel_each(S, settings.threads, [&](std::size_t k) { spectra[k] = kernel_spectrum(K[k]); });
    report("kernel spectra", 0.95);
    for (std::size_t k = 0; k < S; ++k) fill_spectrum_results(result.sets[k], spectra[k], settings.energy);
    result.sets[0].embedding_2d = rows_2d(kpca_coordinates(spectra[0], 2));
    for (std::size_t k = 1; k < S; ++k)
        result.sets[k].embedding_2d = rows_2d(kpca_project(K[0], spectra[0], K_cross[k].transpose(), 2));

    lap("spectra");

    // 5. Principal angles between the clean and each noisy subspace (METHOD.md section 7).
    const int mX = result.sets[0].hilbert_dim;
    parallel_each(S - 1, settings.threads, [&](std::size_t j) {
        const std::size_t k = j + 1;
        const Eigen::VectorXd deg =
            kernel_principal_angles_deg(spectra[0].vectors, spectra[0].mu, mX, spectra[k].vectors, spectra[k].mu,
                                        result.sets[k].hilbert_dim, center_kernel(K_cross[k]));
        result.sets[k].principal_angles_deg.assign(deg.data(), deg.data() + deg.size());
    });
    report("principal angles", 1.0);
    lap("angles");
    return result;
}

}  // namespace strata
