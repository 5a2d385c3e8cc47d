// interpolation.hpp: straight paths between two latents of one model, and how they cross strata
// (docs/method.md, "Interpolation").
//
// Index: 1. path latents  2. seeded pair draw  3. one path: ranks, strata, distance to data
//        4. many paths at once and their summary
//
// The path from latent Z_a to Z_b in K steps is Z(t_k) = (1 - t_k) Z_a + t_k Z_b, t_k = k / (K - 1),
// k = 0..K-1 (endpoints included, so step 0 is Z_a and step K-1 is Z_b exactly). Each step has its
// SPSD point, rank triple and stratum; its distance to data is the smallest d_PM to a clean latent
// of the analysis (CleanAnalysis), ties to the smaller index. Variational models are walked in the
// mean `mu` (the caller passes those latents), whatever `vae_latent` the analysis used.
#pragma once
#include "analysis.hpp"
#include "latent.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace strata {

constexpr int kDefaultInterpolationSteps = 9;
constexpr int kMaxInterpolationSteps = 1000;

// 1. The K latents of the path, step after step (K x size values, C order). K in [3, 1000].
std::vector<double> path_latents(const double* za, const double* zb, const LatentShape& shape, int steps);

// 2. `count` distinct unordered pairs (i, j), i < j < n, uniformly among the n (n - 1) / 2 pairs,
// seeded: the stream (seed, 0, kInterpolationPairs) of noise.hpp gives r = floor(u M) with
// M = n (n - 1) / 2 and u its next uniform; r numbers the pairs in row order ((0, 1), (0, 2), ...,
// (1, 2), ...); a pair already drawn is skipped. Pairs come in the order drawn. Throws strata::Error
// when count > M (or n < 2).
std::vector<std::array<std::size_t, 2>> draw_pairs(std::size_t n, std::size_t count, std::uint64_t seed);

// 3. One path ----------------------------------------------------------------------------------------
struct PathStep {
    double t = 0.0;
    std::array<int, 3> ranks{};      // the step's stratum
    bool changes_stratum = false;    // ranks differ from the previous step's (never at step 0)
    bool outside_endpoints = false;  // ranks differ from both endpoints' ranks
    double distance = 0.0;           // to the nearest clean latent (d_PM, not squared)
    std::size_t nearest = 0;         // that latent's index (ties: the smaller)
};

struct InterpolationPath {
    std::size_t a = 0, b = 0;  // the samples' indices
    std::vector<PathStep> steps;
    bool leaves_endpoint_strata = false;  // some step is outside both endpoints' strata
    bool changes_stratum = false;         // some step changes stratum
    double mean_interior_distance = 0.0;  // mean distance to data of steps 1..K-2
    double max_distance = 0.0;            // largest distance to data of any step
};

// The path between latents za and zb (of the clean set's shape; a and b name them in the result).
InterpolationPath interpolate(const CleanAnalysis& clean, const double* za, const double* zb, std::size_t a,
                              std::size_t b, int steps);

// 4. Many paths: `latents` holds the endpoints (sample i at latents.sample(i)); every step of every
// path is computed in one parallel pass and one block of distances.
std::vector<InterpolationPath> interpolate_pairs(const CleanAnalysis& clean, const LatentSet& latents,
                                                 const std::vector<std::array<std::size_t, 2>>& pairs, int steps);

struct InterpolationSummary {
    std::size_t pairs = 0;
    int steps = 0;
    double fraction_leaving_endpoint_strata = 0.0;  // paths with some step outside both endpoints' strata
    double fraction_changing_stratum = 0.0;         // paths with some change of stratum
    double mean_interior_distance = 0.0;            // mean over paths of their mean interior distance
    double max_distance = 0.0;                      // largest distance to data along any path
};
InterpolationSummary summarize(const std::vector<InterpolationPath>& paths);

}  // namespace strata
