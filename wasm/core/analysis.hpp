// analysis.hpp: the whole geometry analysis of one model's latent sets (METHOD.md sections 3-7).
//
// Index: 1. SetResult  2. GeometryResult  3. analyze_geometry()
//
// This is the entry point the CLI (`strata geometry`, `strata characterize`) and the page use:
// give it the clean set first and the noisy sets after it; get back, per set, ranks, strata,
// Hilbert-space dimensionality, kernel diagnostics, the 2-D kernel-PCA view and the principal
// angles against the clean set. The stage functions it calls live in one file each (spsd, rank,
// distance, kernel, angles) and can be used on their own.
#pragma once
#include "latent.hpp"
#include "settings.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace strata {

// 1. What the analysis reports for one set -----------------------------------------------------
struct StratumCount {
    std::array<int, 3> ranks{};
    std::size_t count = 0;
};

struct SetResult {
    std::string name;
    bool clean = false;                                 // the reference set (sets[0])
    double sigma = 0.0;
    std::size_t n = 0;
    LatentShape shape;
    std::vector<std::array<int, 3>> ranks;              // per sample (r1, r2, r3)
    std::vector<std::array<double, 3>> effective_ranks; // per sample, per mode
    std::vector<StratumCount> strata;                   // most frequent first
    bool smooth = false;                                // one stratum only
    int hilbert_dim = 0;                                // dim_eta of the centred kernel
    std::vector<double> kernel_spectrum;                // centred kernel eigenvalues, descending, clipped >= 0
    double kernel_min_eigenvalue = 0.0;                 // of the uncentred kernel, before clipping
    std::vector<std::array<double, 2>> embedding_2d;    // kernel-PCA coordinates (clean components)
    std::vector<double> principal_angles_deg;           // noisy sets only: vs the clean set, ascending
    // `fixed-rank` only: pairs evaluated whose rank triples differ. Within the set (i < j), and
    // for noisy sets also between this set and the clean set (N x N pairs).
    std::optional<std::int64_t> cross_stratum_pairs;
    std::optional<std::int64_t> cross_stratum_pairs_vs_clean;
};

// 2. The result of one analysis ----------------------------------------------------------------
struct GeometryResult {
    GeometrySettings settings;   // as given
    double bandwidth = 0.0;      // h actually used
    std::vector<SetResult> sets; // clean first, then the noisy sets in the order given
    // Wall-clock seconds per stage ("points", "distances", "spectra", "angles"), for benchmarks
    // and the page's timings; not part of the results proper.
    std::vector<std::pair<std::string, double>> stage_seconds;
};

// Progress: called with a short stage label and the fraction done in [0, 1].
using ProgressFn = std::function<void(const std::string& stage, double fraction)>;

// 3. Runs the analysis. sets[0] is the clean set; every set must have the clean set's latent shape
// and at least 2 samples (normally the same images at another noise level).
// Throws strata::Error on bad input (names the set).
GeometryResult analyze_geometry(const std::vector<LatentSet>& sets, const GeometrySettings& settings,
                                const ProgressFn& progress = {});

}  // namespace strata
