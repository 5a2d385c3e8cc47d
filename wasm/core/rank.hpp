// rank.hpp: ranks, strata and effective rank (docs/method.md section 4).
//
// Index: 1. rank rule  2. rank triples  3. strata counts  4. effective rank
//
// rank S(n) is the number of singular values s_i of Zc_(n) with s_i > s_1 * factor, where
// factor = max(I_n, m_n) * 2^-23 (numpy.linalg.matrix_rank's rule at float32 precision) or
// `rank_rtol` when given. Singular values are sqrt((m_n - 1) l_i) for the eigenvalues l_i of
// S(n), so the test is sqrt(l_i) > sqrt(l_1) * factor. The eigenvalues are accurate to about
// eps * l_1 in absolute terms, i.e. sqrt(l_i) / sqrt(l_1) is resolved down to about 1.5e-8; the
// default factors are >= 5e-6 (300x margin). A smaller rank_rtol is honoured but flagged by
// rank_rule_resolvable().
#pragma once
#include "precision.hpp"
#include "spsd.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <vector>

namespace strata {

// 1. The rank rule -------------------------------------------------------------------------------
double rank_factor(int rows, int cols, const std::optional<double>& rank_rtol);
int matrix_rank(const SpsdFactor& f, const std::optional<double>& rank_rtol);
bool rank_rule_resolvable(const std::optional<double>& rank_rtol);  // false when rtol < 1e-7

// 2. The rank triple (r1, r2, r3) of a point: the stratum it lies on
std::array<int, 3> rank_triple(const SpsdPoint& p, const std::optional<double>& rank_rtol);

// 3. Count of each distinct triple, most frequent first (ties: larger triple first) ------------
struct StratumCount {
    std::array<int, 3> ranks{};
    std::size_t count = 0;
};
std::vector<StratumCount> count_strata(const std::vector<std::array<int, 3>>& ranks);

// 4. Effective rank (Roy and Vetterli 2007): exp of the entropy of the normalised singular values.
// 0 for a zero matrix. Singular values at round-off level (l_i <= l_1 * max(I_n, m_n) * 2^-52)
// count as 0: their square roots (~1e-8 s_1) would otherwise add round-off noise to the entropy.
double effective_rank(const SpsdFactor& f);

}  // namespace strata
