// results_json.cpp: the analysis types and the study's settings as JSON.
//
// Index: 1. the analysis types  1b. interpolation paths and neighbours  2. the study's settings block
#include "results_json.hpp"

#include "rank.hpp"

#include <cmath>

namespace strata {

// 1. The analysis types ------------------------------------------------------------------------------------
namespace {

Json triple(const std::array<int, 3>& r) { return Json::array_of(std::vector<int>(r.begin(), r.end())); }

template <class T, std::size_t K>
Json rows(const std::vector<std::array<T, K>>& v) {
    Json a = Json::array();
    for (const auto& row : v) a.push(Json::array_of(std::vector<T>(row.begin(), row.end())));
    return a;
}

}  // namespace

Json to_json(const GeometrySettings& s, double bandwidth_used) {
    Json j = Json::object();
    j.set("metric", s.metric);
    Json params = Json::object();
    if (s.metric == "log-euclidean" || s.metric == "affine-invariant") params.set("spd_eps", s.spd_eps);
    if (s.metric == "fixed-rank") params.set("fixed_rank_k", s.fixed_rank_k);
    j.set("metric_params", params);
    j.set("weights", Json::array_of(std::vector<double>(s.weights.begin(), s.weights.end())));
    j.set("centered", s.centered);
    j.set("rank_rule", s.rank_rtol ? "s_i > s_1 * rank_rtol" : "s_i > s_1 * max(I_n, m_n) * 2^-23");
    j.set("rank_rtol", s.rank_rtol ? Json(*s.rank_rtol) : Json());
    if (!rank_rule_resolvable(s.rank_rtol))
        j.set("rank_rule_warning", "rank_rtol below 1e-7 is finer than the eigenvalue-based rank test resolves");
    j.set("bandwidth", bandwidth_used);
    j.set("bandwidth_rule", s.bandwidth ? "given"
                            : s.landmarks
                                ? "median of clean pairwise distances (among the landmarks when they are used)"
                                : "median of clean pairwise distances");
    j.set("energy", s.energy);
    j.set("landmarks", s.landmarks);
    if (!s.bandwidth_scan.empty()) j.set("bandwidth_scan", Json::array_of(s.bandwidth_scan));
    return j;
}

Json to_json(const SetResult& r) {
    Json j = Json::object();
    j.set("name", r.name);
    j.set("clean", r.clean);
    j.set("sigma", r.sigma);
    j.set("n", r.n);
    j.set("shape", triple({r.shape.C, r.shape.H, r.shape.W}));
    j.set("ranks", rows(r.ranks));
    j.set("effective_ranks", rows(r.effective_ranks));
    Json strata = Json::array();
    for (const StratumCount& s : r.strata) {
        Json e = Json::object();
        e.set("ranks", triple(s.ranks));
        e.set("count", s.count);
        strata.push(std::move(e));
    }
    j.set("strata", std::move(strata));
    j.set("smooth", r.smooth);
    j.set("hilbert_dim", r.hilbert_dim);
    j.set("kernel_spectrum", Json::array_of(r.kernel_spectrum));
    j.set("kernel_min_eigenvalue", r.kernel_min_eigenvalue);
    j.set("embedding_2d", rows(r.embedding_2d));
    if (!r.clean) j.set("principal_angles_deg", Json::array_of(r.principal_angles_deg));
    if (r.approximate) j.set("approximate", true);
    if (r.cross_stratum_pairs) j.set("cross_stratum_pairs", Json(static_cast<long long>(*r.cross_stratum_pairs)));
    if (r.cross_stratum_pairs_vs_clean)
        j.set("cross_stratum_pairs_vs_clean", Json(static_cast<long long>(*r.cross_stratum_pairs_vs_clean)));
    if (r.fixed_rank_ambiguous_pairs)
        j.set("fixed_rank_ambiguous_pairs", Json(static_cast<long long>(*r.fixed_rank_ambiguous_pairs)));
    if (!r.bandwidth_scan.empty()) {
        std::vector<int> dims;
        std::vector<double> mean, max;
        for (const BandwidthScanPoint& p : r.bandwidth_scan) {
            dims.push_back(p.hilbert_dim);
            mean.push_back(p.mean_angle_deg);
            max.push_back(p.max_angle_deg);
        }
        Json scan = Json::object();
        scan.set("hilbert_dim", Json::array_of(dims));
        if (!r.clean) {
            scan.set("mean_angle_deg", Json::array_of(mean));
            scan.set("max_angle_deg", Json::array_of(max));
        }
        j.set("bandwidth_scan", std::move(scan));
    }
    return j;
}

Json to_json(const GeometryResult& result) {
    Json j = Json::object();
    j.set("settings", to_json(result.settings, result.bandwidth));
    if (result.landmarks) j.set("landmarks", to_json(*result.landmarks));
    Json sets = Json::array();
    for (const SetResult& s : result.sets) sets.push(to_json(s));
    j.set("sets", std::move(sets));
    if (!result.settings.bandwidth_scan.empty())
        j.set("bandwidth_scan", bandwidth_scan_json(result.settings, result.bandwidth));
    return j;
}

Json bandwidth_scan_json(const GeometrySettings& s, double bandwidth_used) {
    if (s.bandwidth_scan.empty()) return Json();
    std::vector<double> bandwidths;
    for (double f : s.bandwidth_scan) bandwidths.push_back(f * bandwidth_used);
    Json j = Json::object();
    j.set("factors", Json::array_of(s.bandwidth_scan));
    j.set("bandwidths", Json::array_of(bandwidths));
    j.set("rule",
          "h' = factor * h, h the bandwidth the analysis used; the kernel, its spectra, hilbert_dim and the principal "
          "angles recomputed at h' from the same distances (a diagnostic: every other result uses h); per set in "
          "sets[i].bandwidth_scan, one entry per factor");
    return j;
}

Json to_json(const LandmarkInfo& l) {
    Json j = Json::object();
    j.set("m", l.m);
    j.set("rule",
          "m distinct indices of the clean set, uniformly without replacement (partial Fisher-Yates shuffle on the "
          "stream (seed, 0, purpose 4) of wasm/core/noise.hpp), sorted ascending; the same for every noise level");
    j.set("seed", static_cast<unsigned long long>(l.seed));
    j.set("indices", Json::array_of(l.indices));
    j.set("bandwidth_rule", "median of the pairwise distances among the landmarks, unless given");
    j.set("feature_rule",
          "phi(x) = diag(w_k)^-1/2 V_k^T K(L, x), eigenvalues w_i of W = K(L, L) kept when > max(w) * m * 2^-52");
    j.set("feature_rank", static_cast<long long>(l.feature_rank));
    j.set("landmark_kernel_min_eigenvalue", l.min_eigenvalue);
    j.set("noisy_sets",
          "spectrum, hilbert_dim and principal angles in the joint features of the clean landmarks and the set's own "
          "(the same rule on the set); kernel_min_eigenvalue of that joint W; embedding_2d in the clean features");
    j.set("approximate",
          "hilbert_dim, kernel_spectrum, kernel_min_eigenvalue (of W), embedding_2d, principal_angles_deg");
    return j;
}

// 1b. Interpolation and neighbours ----------------------------------------------------------------------------
Json to_json(const InterpolationPath& path) {
    Json j = Json::object();
    j.set("a", path.a);
    j.set("b", path.b);
    std::vector<double> t, distance;
    std::vector<std::array<int, 3>> ranks;
    Json changes = Json::array(), outside = Json::array(), nearest = Json::array();
    for (const PathStep& s : path.steps) {
        t.push_back(s.t);
        ranks.push_back(s.ranks);
        changes.push(Json(s.changes_stratum));
        outside.push(Json(s.outside_endpoints));
        distance.push_back(s.distance);
        nearest.push(Json(s.nearest));
    }
    j.set("t", Json::array_of(t));
    j.set("ranks", rows(ranks));
    j.set("changes_stratum", std::move(changes));
    j.set("outside_endpoints", std::move(outside));
    j.set("distance_to_data", Json::array_of(distance));
    j.set("nearest", std::move(nearest));
    j.set("leaves_endpoint_strata", path.leaves_endpoint_strata);
    j.set("changes_stratum_anywhere", path.changes_stratum);
    j.set("mean_interior_distance", path.mean_interior_distance);
    j.set("max_distance", path.max_distance);
    return j;
}

Json to_json(const InterpolationSummary& s) {
    Json j = Json::object();
    j.set("pairs", s.pairs);
    j.set("steps", s.steps);
    j.set("fraction_leaving_endpoint_strata", s.fraction_leaving_endpoint_strata);
    j.set("fraction_changing_stratum", s.fraction_changing_stratum);
    j.set("mean_interior_distance", s.mean_interior_distance);
    j.set("max_distance", s.max_distance);
    return j;
}

Json to_json(const Neighbours& n) {
    auto list = [](const std::vector<Neighbour>& v) {
        Json a = Json::array();
        for (const Neighbour& e : v) {
            Json o = Json::object();
            o.set("index", e.index);
            o.set("distance", e.distance);
            a.push(std::move(o));
        }
        return a;
    };
    Json j = Json::object();
    j.set("latent", list(n.latent));
    j.set("kernel", list(n.kernel));
    j.set("kernel_dim", n.kernel_dim);
    return j;
}

// 2. The study's settings block ----------------------------------------------------------------------------
Json study_settings_json(const StudyProvenance& p) {
    Json st = Json::object();
    st.set("dataset", p.dataset);
    st.set("split", p.split.empty() ? Json() : Json(p.split));
    st.set("images_file", p.images_file);
    st.set("images_sha256", p.images_sha256);
    st.set("n", p.n);
    st.set("samples", p.samples);
    if (!p.image_source.is_null()) st.set("image_source", p.image_source);
    st.set("seed", static_cast<unsigned long long>(p.seed));
    st.set("sigmas", Json::array_of(p.sigmas));
    st.set("noise",
           "y = clip(x + sigma * e, 0, 1); e of image i: SplitMix64 + Box-Muller stream (seed, i, purpose 1), "
           "the same e for every sigma (wasm/core/noise.hpp)");
    st.set("clip", true);
    st.set("vae_latent", p.vae_latent);
    st.set("vae_sample_rule",
           "z = mu + exp(logvar / 2) * e; e of image i: stream (seed, i, purpose 2), the same for every "
           "sigma (wasm/core/noise.hpp)");
    st.set("psnr",
           "10 log10(1 / MSE(x_hat, x)) per image, x clean, x_hat decoded from the noisy image's latent; "
           "mean and population std; capped at 100 dB");
    st.set("runner", p.runner);
    st.set("geometry", to_json(p.geometry, p.geometry.bandwidth ? *p.geometry.bandwidth : std::nan("")));
    st.set("bandwidth_note", "the bandwidth h actually used is per model (models[i].bandwidth)");
    st.set("interpolations", p.interpolations);
    st.set("interpolation_steps", p.interpolation_steps);
    if (p.interpolations > 0)
        st.set("interpolation_rule",
               "pairs i < j drawn uniformly without repeats from stream (seed, 0, purpose 3), the same for every "
               "model; Z(t) = (1 - t) Z_a + t Z_b at t = k / (K - 1); variational models in mu; distance to data: "
               "smallest d_PM to the model's clean latents as analysed (wasm/core/interpolation.hpp)");
    return st;
}

}  // namespace strata
