// geometry_flags.cpp: parsing the analysis settings from flags.
#include "geometry_flags.hpp"

#include "error.hpp"

namespace strata::cmd {

std::vector<FlagSpec> geometry_flag_specs() {
    return {
        {"--metric", "log-euclidean (default), bures-wasserstein, affine-invariant or fixed-rank"},
        {"--energy", "energy threshold of the Hilbert-space dimensionality, in (0, 1] (0.95)"},
        {"--centered", "centre the mode fibres before the covariance: true (default) or false"},
        {"--rank-rtol", "relative rank tolerance (default max(I_n, m_n) * 2^-23)"},
        {"--bandwidth", "kernel bandwidth h (default: median clean pairwise distance)"},
        {"--weights", "mode weights w1,w2,w3 of the product distance (1,1,1)"},
        {"--spd-eps", "regularisation e of the log-based metrics (1e-6)"},
        {"--fixed-rank-k", "weight k of the SPD part of the fixed-rank metric (1)"},
        {"--threads", "worker threads, 0 = all cores (0)"},
        {"--landmarks", "M landmarks: the kernel analysis by the Nystrom method when 0 < M < N (0 = exact, default)"},
        {"--bandwidth-scan", "also report hilbert_dim and the principal angles at h' = f h for each factor f", true},
        {"--bandwidth-factors", "the scan's factors f1,f2,... (0.25,0.5,1,2,4); implies --bandwidth-scan"},
    };
}

GeometrySettings parse_geometry_flags(const ArgParser& a) {
    GeometrySettings s;
    s.metric = a.text("--metric", s.metric);
    s.energy = a.number("--energy", s.energy);
    s.centered = a.boolean("--centered", s.centered);
    s.rank_rtol = a.optional_number("--rank-rtol");
    s.bandwidth = a.optional_number("--bandwidth");
    if (a.has("--weights")) {
        const std::vector<double> w = a.numbers("--weights");
        if (w.size() != 3)
            throw Error("--weights: need three comma-separated weights, got " + std::to_string(w.size()));
        s.weights = {w[0], w[1], w[2]};
    }
    s.spd_eps = a.number("--spd-eps", s.spd_eps);
    s.fixed_rank_k = a.number("--fixed-rank-k", s.fixed_rank_k);
    const long threads = a.integer("--threads", 0);
    if (threads < 0 || threads > 1024) throw Error("--threads: must be between 0 and 1024");
    s.threads = int(threads);
    const long landmarks = a.integer("--landmarks", 0);
    if (landmarks < 0 || landmarks > 100000000)
        throw Error("--landmarks: must be an integer between 0 and 100000000 (0 = exact), got " +
                    std::to_string(landmarks));
    s.landmarks = int(landmarks);
    if (a.has("--bandwidth-factors")) {
        s.bandwidth_scan = a.numbers("--bandwidth-factors");
        if (s.bandwidth_scan.empty()) throw Error("--bandwidth-factors: give at least one factor");
    } else if (a.has("--bandwidth-scan")) {
        s.bandwidth_scan = default_bandwidth_factors();
    }
    validate(s);
    return s;
}

}  // namespace strata::cmd
