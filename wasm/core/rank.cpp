// rank.cpp: the rank rule, strata and effective rank.
#include "rank.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace strata {

double rank_factor(int rows, int cols, const std::optional<double>& rank_rtol) {
    return rank_rtol ? *rank_rtol : double(std::max(rows, cols)) * kFloat32Eps;
}

int matrix_rank(const SpsdFactor& f, const std::optional<double>& rank_rtol) {
    if (f.eigenvalues.size() == 0 || f.eigenvalues(0) <= 0.0) return 0;  // zero matrix
    const double threshold = std::sqrt(f.eigenvalues(0)) * rank_factor(f.rows, f.cols, rank_rtol);
    int r = 0;
    for (Eigen::Index i = 0; i < f.eigenvalues.size(); ++i)
        if (std::sqrt(f.eigenvalues(i)) > threshold) ++r;
    return r;
}

bool rank_rule_resolvable(const std::optional<double>& rank_rtol) { return !rank_rtol || *rank_rtol >= 1e-7; }

std::array<int, 3> rank_triple(const SpsdPoint& p, const std::optional<double>& rank_rtol) {
    return {matrix_rank(p.factors[0], rank_rtol), matrix_rank(p.factors[1], rank_rtol),
            matrix_rank(p.factors[2], rank_rtol)};
}

std::vector<StratumCount> count_strata(const std::vector<std::array<int, 3>>& ranks) {
    std::map<std::array<int, 3>, std::size_t> counts;
    for (const auto& r : ranks) ++counts[r];
    std::vector<StratumCount> out;
    for (const auto& [r, c] : counts) out.push_back({r, c});
    std::sort(out.begin(), out.end(), [](const StratumCount& a, const StratumCount& b) {
        return a.count != b.count ? a.count > b.count : a.ranks > b.ranks;
    });
    return out;
}

double effective_rank(const SpsdFactor& f) {
    // Singular values of Zc are proportional to sqrt(l_i); the scale cancels in p_i.
    if (f.eigenvalues.size() == 0) return 0.0;
    const double floor = f.eigenvalues(0) * double(std::max(f.rows, f.cols)) * kFloat64Eps;
    const Eigen::ArrayXd s = (f.eigenvalues.array() > floor).select(f.eigenvalues.array().sqrt(), 0.0);
    const double total = s.sum();
    if (total <= 0.0) return 0.0;
    double entropy = 0.0;
    for (Eigen::Index i = 0; i < s.size(); ++i) {
        const double p = s(i) / total;
        if (p > 0.0) entropy -= p * std::log(p);
    }
    return std::exp(entropy);
}

}  // namespace strata
