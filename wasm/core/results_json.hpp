// results_json.hpp: the results as JSON, with the field names of `strata geometry` and
// `strata characterize` (docs/method.md, "What every result names").
//
// Index: 1. the analysis types  1b. interpolation paths and neighbours  2. the study's settings block
//
// The page's worker calls the same functions, so the native and the browser results have the
// same keys, in the same order, with the same wording of every rule.
#pragma once
#include "analysis.hpp"
#include "interpolation.hpp"
#include "json.hpp"
#include "neighbours.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace strata {

// 1. The analysis types ----------------------------------------------------------------------------
Json to_json(const GeometrySettings& settings, double bandwidth_used);
Json to_json(const SetResult& set);
Json to_json(const GeometryResult& result);  // {"settings": ..., "landmarks": ... (if used), "sets": [...]}
// The bandwidth scan's model-level block: {factors, bandwidths (factor * h), rule}; null when the scan is
// off. Each set's own values are in to_json(SetResult)'s "bandwidth_scan": {hilbert_dim: [..],
// mean_angle_deg: [..], max_angle_deg: [..] (noisy sets only)}, one entry per factor.
Json bandwidth_scan_json(const GeometrySettings& settings, double bandwidth_used);
// The landmarks of a Nystrom analysis: M, the rule, the seed, the indices, what is approximate.
Json to_json(const LandmarkInfo& landmarks);

// 1b. Interpolation and neighbours --------------------------------------------------------------------
// A path: {a, b, t, ranks, changes_stratum, outside_endpoints, distance_to_data, nearest, leaves_endpoint_strata,
// changes_stratum_anywhere, mean_interior_distance, max_distance}, one array entry per step.
Json to_json(const InterpolationPath& path);
Json to_json(const InterpolationSummary& summary);
// {latent: [{index, distance}], kernel: [...], kernel_dim}
Json to_json(const Neighbours& n);

// 2. The study's settings block ------------------------------------------------------------------------
// Everything that determines a study's numbers besides the models: where the images come from, which
// of them, the noise and sampling rules, and the geometry settings. The fixed rules (the noise
// generator, the VAE sample, PSNR) are worded here once for every caller.
struct StudyProvenance {
    std::string dataset;         // e.g. "fashion-mnist (Debian dataset-fashion-mnist)"
    std::string split = "test";  // "" (written as null) for images that are no dataset's split
    std::string images_file;     // the file or folder the images were read from
    std::string images_sha256;
    std::size_t n = 0;  // the first n images
    std::string samples = "the first n images of the test split, indices 0..n-1, in file order";
    Json image_source;       // the image source's details (strata characterize --images); null: none
    std::uint64_t seed = 0;  // noise and VAE sampling streams
    std::vector<double> sigmas;
    std::string vae_latent;                                // "sample" | "mean"
    std::string runner;                                    // what executed the ONNX graphs
    GeometrySettings geometry;                             // its bandwidth, when given, is written; otherwise null
    std::size_t interpolations = 0;                        // seeded pairs per model (0: none)
    int interpolation_steps = kDefaultInterpolationSteps;  // K
};
Json study_settings_json(const StudyProvenance& p);

}  // namespace strata
