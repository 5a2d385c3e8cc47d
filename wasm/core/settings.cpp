// settings.cpp: metric names and range checks of the settings.
#include "settings.hpp"

#include "error.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace strata {

const std::vector<std::string>& metric_names() {
    static const std::vector<std::string> names = {"log-euclidean", "bures-wasserstein", "affine-invariant",
                                                   "fixed-rank"};
    return names;
}

bool is_metric_name(const std::string& name) {
    const auto& n = metric_names();
    return std::find(n.begin(), n.end(), name) != n.end();
}

bool is_plain_name(const std::string& name) {
    if (name.empty() || name.size() > 64 || name == "." || name == "..") return false;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
    return true;
}

void validate(const GeometrySettings& s) {
    if (!is_metric_name(s.metric)) {
        std::string list;
        for (const std::string& m : metric_names()) list += (list.empty() ? "" : ", ") + m;
        throw Error("--metric: unknown metric '" + s.metric + "' (known: " + list + ")");
    }
    if (!(s.energy > 0.0 && s.energy <= 1.0))
        throw Error("--energy: must be in (0, 1], got " + std::to_string(s.energy));
    if (s.rank_rtol && !(*s.rank_rtol >= 0.0 && std::isfinite(*s.rank_rtol)))
        throw Error("--rank-rtol: must be a finite number >= 0");
    if (s.bandwidth && !(*s.bandwidth > 0.0 && std::isfinite(*s.bandwidth)))
        throw Error("--bandwidth: must be a finite number > 0");
    for (double w : s.weights)
        if (!(w >= 0.0 && std::isfinite(w))) throw Error("--weights: each weight must be a finite number >= 0");
    if (s.weights[0] + s.weights[1] + s.weights[2] <= 0.0) throw Error("--weights: at least one weight must be > 0");
    if (!(s.spd_eps >= 0.0 && std::isfinite(s.spd_eps))) throw Error("--spd-eps: must be a finite number >= 0");
    if (!(s.fixed_rank_k >= 0.0 && std::isfinite(s.fixed_rank_k)))
        throw Error("--fixed-rank-k: must be a finite number >= 0");
    if (s.threads < 0) throw Error("--threads: must be >= 0");
    if (s.landmarks < 0)
        throw Error("--landmarks: must be an integer >= 0 (0 = exact), got " + std::to_string(s.landmarks));
    if (s.bandwidth_scan.size() > 64) throw Error("--bandwidth-factors: at most 64 factors");
    for (double f : s.bandwidth_scan)
        if (!(f > 0.0 && std::isfinite(f) && std::isfinite(f * f)))
            throw Error("--bandwidth-factors: each factor must be a finite number > 0");
}

const std::vector<double>& default_bandwidth_factors() {
    static const std::vector<double> factors{0.25, 0.5, 1.0, 2.0, 4.0};
    return factors;
}

}  // namespace strata
