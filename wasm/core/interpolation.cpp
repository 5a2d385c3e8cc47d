// interpolation.cpp: paths between latents (rules in interpolation.hpp and docs/method.md).
//
// Index: 1. path latents  2. pair draw  3. the paths (points, ranks, distance to data)  4. summary
#include "interpolation.hpp"

#include "error.hpp"
#include "noise.hpp"
#include "parallel.hpp"
#include "rank.hpp"
#include "spsd.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <utility>

namespace strata {

namespace {

void check_steps(int steps) {
    if (steps < 3 || steps > kMaxInterpolationSteps)
        throw Error("interpolation steps: " + std::to_string(steps) + " asked; need 3 to " +
                    std::to_string(kMaxInterpolationSteps) + " (the endpoints and at least one step between them)");
}

// Step k of K: (1 - t) za + t zb with t = k / (K - 1). t = 0 and t = 1 give 1 * za + 0 * zb and
// 0 * za + 1 * zb: the endpoints exactly.
void path_step(const double* za, const double* zb, std::size_t size, int k, int steps, double* out) {
    const double t = double(k) / double(steps - 1);
    for (std::size_t i = 0; i < size; ++i) out[i] = (1.0 - t) * za[i] + t * zb[i];
}

}  // namespace

// 1. Path latents ---------------------------------------------------------------------------------------
std::vector<double> path_latents(const double* za, const double* zb, const LatentShape& shape, int steps) {
    check_steps(steps);
    const std::size_t size = std::size_t(shape.size());
    std::vector<double> z(std::size_t(steps) * size);
    for (int k = 0; k < steps; ++k) path_step(za, zb, size, k, steps, z.data() + std::size_t(k) * size);
    return z;
}

// 2. Pair draw -------------------------------------------------------------------------------------------
std::vector<std::array<std::size_t, 2>> draw_pairs(std::size_t n, std::size_t count, std::uint64_t seed) {
    if (n < 2) throw Error("interpolations: need at least 2 samples to draw pairs, got " + std::to_string(n));
    const std::size_t M = n * (n - 1) / 2;
    if (count > M)
        throw Error("interpolations: " + std::to_string(count) + " pairs asked, but " + std::to_string(n) +
                    " samples have only " + std::to_string(M) + " distinct pairs");
    noise::Stream stream(seed, 0, noise::kInterpolationPairs);
    std::set<std::size_t> drawn;
    std::vector<std::array<std::size_t, 2>> pairs;
    pairs.reserve(count);
    while (pairs.size() < count) {
        const std::size_t r = std::min(M - 1, std::size_t(stream.uniform() * double(M)));
        if (!drawn.insert(r).second) continue;
        // Row i holds the pairs (i, i+1) .. (i, n-1): n - 1 - i of them.
        std::size_t i = 0, first = 0;
        while (first + (n - 1 - i) <= r) {
            first += n - 1 - i;
            ++i;
        }
        pairs.push_back({i, i + 1 + (r - first)});
    }
    return pairs;
}

// 3. The paths --------------------------------------------------------------------------------------------
namespace {

struct Endpoints {
    const double* za;
    const double* zb;
    std::size_t a, b;
};

std::vector<InterpolationPath> walk(const CleanAnalysis& clean, const std::vector<Endpoints>& ends, int steps) {
    check_steps(steps);
    const GeometrySettings& s = clean.settings();
    const LatentShape& shape = clean.clean().shape;
    const std::size_t K = std::size_t(steps), total = ends.size() * K, size = std::size_t(shape.size());
    std::vector<SpsdPoint> points(total);
    std::vector<std::array<int, 3>> ranks(total);
    const FactorRoute route = factor_route(s);
    parallel_for(total, s.threads, [&](std::size_t begin, std::size_t end) {
        std::vector<double> z(size);
        for (std::size_t q = begin; q < end; ++q) {
            const Endpoints& e = ends[q / K];
            path_step(e.za, e.zb, size, int(q % K), steps, z.data());
            for (double v : z)
                if (!std::isfinite(v))
                    throw Error("interpolation " + std::to_string(e.a) + " -> " + std::to_string(e.b) +
                                ": a latent holds NaN or Inf");
            points[q] = spsd_point(z.data(), shape, s.centered, route);
            ranks[q] = rank_triple(points[q], s.rank_rtol);
        }
    });
    const std::vector<std::array<int, 3>> step_ranks = ranks;
    const Eigen::MatrixXd D2 = clean.distances_sq_to_clean(std::move(points), std::move(ranks));

    std::vector<InterpolationPath> paths(ends.size());
    for (std::size_t p = 0; p < ends.size(); ++p) {
        InterpolationPath& path = paths[p];
        path.a = ends[p].a;
        path.b = ends[p].b;
        path.steps.resize(K);
        const std::array<int, 3>& ra = step_ranks[p * K];
        const std::array<int, 3>& rb = step_ranks[p * K + K - 1];
        double interior = 0.0;
        for (std::size_t k = 0; k < K; ++k) {
            PathStep& st = path.steps[k];
            st.t = double(k) / double(K - 1);
            st.ranks = step_ranks[p * K + k];
            st.changes_stratum = k > 0 && st.ranks != step_ranks[p * K + k - 1];
            st.outside_endpoints = st.ranks != ra && st.ranks != rb;
            const Eigen::Index row = Eigen::Index(p * K + k);
            double best = D2(row, 0);
            std::size_t arg = 0;
            for (Eigen::Index j = 1; j < D2.cols(); ++j)
                if (D2(row, j) < best) {  // strict: ties keep the smaller index
                    best = D2(row, j);
                    arg = std::size_t(j);
                }
            if (!std::isfinite(best))
                throw Error("interpolation " + std::to_string(path.a) + " -> " + std::to_string(path.b) +
                            ": the distance to data is not finite");
            st.distance = std::sqrt(std::max(0.0, best));
            st.nearest = arg;
            path.leaves_endpoint_strata = path.leaves_endpoint_strata || st.outside_endpoints;
            path.changes_stratum = path.changes_stratum || st.changes_stratum;
            path.max_distance = std::max(path.max_distance, st.distance);
            if (k > 0 && k + 1 < K) interior += st.distance;
        }
        path.mean_interior_distance = interior / double(K - 2);
    }
    return paths;
}

}  // namespace

InterpolationPath interpolate(const CleanAnalysis& clean, const double* za, const double* zb, std::size_t a,
                              std::size_t b, int steps) {
    return walk(clean, {{za, zb, a, b}}, steps).front();
}

std::vector<InterpolationPath> interpolate_pairs(const CleanAnalysis& clean, const LatentSet& latents,
                                                 const std::vector<std::array<std::size_t, 2>>& pairs, int steps) {
    validate(latents);
    if (latents.shape != clean.clean().shape)
        throw Error(latents.name + ": the latents to interpolate do not have the clean set's shape");
    std::vector<Endpoints> ends;
    ends.reserve(pairs.size());
    for (const auto& [a, b] : pairs) {
        if (a >= latents.n || b >= latents.n)
            throw Error(latents.name + ": pair (" + std::to_string(a) + ", " + std::to_string(b) + ") is outside the " +
                        std::to_string(latents.n) + " samples");
        ends.push_back({latents.sample(a), latents.sample(b), a, b});
    }
    return walk(clean, ends, steps);
}

// 4. Summary -------------------------------------------------------------------------------------------------
InterpolationSummary summarize(const std::vector<InterpolationPath>& paths) {
    InterpolationSummary s;
    s.pairs = paths.size();
    if (paths.empty()) return s;
    s.steps = int(paths.front().steps.size());
    std::size_t leaving = 0, changing = 0;
    double interior = 0.0;
    for (const InterpolationPath& p : paths) {
        leaving += p.leaves_endpoint_strata ? 1 : 0;
        changing += p.changes_stratum ? 1 : 0;
        interior += p.mean_interior_distance;
        s.max_distance = std::max(s.max_distance, p.max_distance);
    }
    s.fraction_leaving_endpoint_strata = double(leaving) / double(paths.size());
    s.fraction_changing_stratum = double(changing) / double(paths.size());
    s.mean_interior_distance = interior / double(paths.size());
    return s;
}

}  // namespace strata
