// settings.hpp: every setting of the analysis, with docs/method.md's names and defaults.
//
// Index: 1. GeometrySettings  2. parsing helpers for the names used in configs, the CLI and URLs
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace strata {

// 1. The settings of docs/method.md sections 3-7 ------------------------------------------------------
struct GeometrySettings {
    bool centered = true;                    // `centered`: centre the mode fibres (section 3)
    std::optional<double> rank_rtol;         // `rank_rtol`: overrides max(I_n, m_n) * 2^-23
    std::string metric = "log-euclidean";    // section 5 metric name
    std::array<double, 3> weights{1, 1, 1};  // w_1, w_2, w_3 of the product distance
    double spd_eps = 1e-6;                   // `spd_eps` regularisation of log/affine metrics
    double fixed_rank_k = 1.0;               // `fixed_rank_k`
    std::optional<double> bandwidth;         // h; median heuristic on the clean set if unset
    double energy = 0.95;                    // `energy` threshold eta of dim_eta (section 6)
    int threads = 0;                         // worker threads; 0 = hardware concurrency
    int landmarks = 0;                       // `landmarks` M: Nystrom kernel analysis when 0 < M < N; 0 = exact
    std::uint64_t landmark_seed = 0;         // the study's seed, which draws the landmarks
    // `bandwidth_scan`: factors f of the bandwidth diagnostic (h' = f h, docs/method.md "Bandwidth
    // scan"); empty = off. Changes no other result.
    std::vector<double> bandwidth_scan;
};

// The factors `--bandwidth-scan` uses unless given: 1/4, 1/2, 1, 2, 4.
const std::vector<double>& default_bandwidth_factors();

// 2. Names --------------------------------------------------------------------------------------
// The four per-factor metrics of docs/method.md section 5, in the order the page lists them.
const std::vector<std::string>& metric_names();
bool is_metric_name(const std::string& name);

// A model name (manifest, URL), or one component of a path in the manifest: 1-64 letters, digits,
// '.', '_' or '-', and not "." or "..". Nothing in it can change a URL or a path's meaning.
bool is_plain_name(const std::string& name);

// Throws strata::Error naming `what` (e.g. "--energy") when a setting is out of range.
void validate(const GeometrySettings& s);

}  // namespace strata
