// distance.hpp: distances on the product manifold of SPSD matrices (docs/method.md section 5).
//
// Index: 1. the four per-factor metrics (and fixed-rank's rule for zero cosines)  2. the weighted
//        product distance of two points  3. what a metric prepares once per factor  4. sets of
//        points and their pairwise distance blocks (and the pairs that needed the rule)
//        5. cross-stratum pairs
//
// All functions return *squared* distances: that is what the kernel needs, and it avoids a
// square root and its loss of accuracy near zero.
#pragma once
#include "settings.hpp"
#include "spsd.hpp"

#include <Eigen/Dense>
#include <array>
#include <cstdint>
#include <vector>

namespace strata {

// 1. Per-factor metrics ---------------------------------------------------------------------------
// S_e = S + e (tr S / I) I regularises the log-based metrics (e = spd_eps; a zero S uses e I).
// With spd_eps = 0 the matrices must be positive definite (else strata::Error).
double regularization_shift(const SpsdFactor& S, double spd_eps);      // e tr S / I, or e
Eigen::MatrixXd regularized_log(const SpsdFactor& S, double spd_eps);  // log(S_e)

// `log-euclidean`: || log S_e - log T_e ||_F^2
double log_euclidean_sq(const SpsdFactor& S, const SpsdFactor& T, double spd_eps);
// `bures-wasserstein`: tr S + tr T - 2 ||A^T B||_* with S = A A^T, T = B B^T (thin factors)
double bures_wasserstein_sq(const SpsdFactor& S, const SpsdFactor& T);
// `affine-invariant`: || log(S_e^-1/2 T_e S_e^-1/2) ||_F^2
double affine_invariant_sq(const SpsdFactor& S, const SpsdFactor& T, double spd_eps);
// `fixed-rank` (Bonnabel and Sepulchre 2009) at r = min(rank_S, rank_T):
// ||Theta||_F^2 + k || log(R_S^-1 R_T^2 R_S^-1) ||_F^2, with docs/method.md's rule for zero cosines:
// O_S, O_T from one SVD of U_S^T U_T; the z columns whose cosine is <= kFixedRankZeroCosine pair
// nothing, so (1) they are rotated to the eigenvectors of R_S^2 and R_T^2 on that block
// (descending eigenvalues), and (2) R_T^2 is taken as D R_T^2 D with the signs D on that block
// that minimise ||R_S^2 - D R_T^2 D||_F (every pattern when z <= kFixedRankEnumerateMax, ties to
// the smaller pattern number; greedily above). `zero_cosines`, if given, receives z.
constexpr double kFixedRankZeroCosine = 1e-10;
constexpr int kFixedRankEnumerateMax = 12;
double fixed_rank_sq(const SpsdFactor& S, int rank_S, const SpsdFactor& T, int rank_T, double k,
                     int* zero_cosines = nullptr);

// 2. d_PM^2 = sum_n w_n d(S(n), T(n))^2 with the metric named in the settings -----------------------
// `zero_cosines` (fixed-rank only, else 0): z of the factor; for the product, the sum over the
// modes that enter the distance (w_n != 0). A pair with z > 0 needed the rule for zero cosines.
double factor_distance_sq(const SpsdFactor& S, int rank_S, const SpsdFactor& T, int rank_T,
                          const GeometrySettings& settings, int* zero_cosines = nullptr);
double product_distance_sq(const SpsdPoint& P, const std::array<int, 3>& ranks_P, const SpsdPoint& Q,
                           const std::array<int, 3>& ranks_Q, const GeometrySettings& settings,
                           int* zero_cosines = nullptr);

// 3. What a metric needs of one factor, computed once per point -------------------------------------
// A pairwise block has n_A n_B pairs but only n_A + n_B points, so whatever depends on one factor
// alone is computed once (make_point_set) and each pair costs only its own small problem.
//   `bures-wasserstein`: `basis` = the thin factor A = U_r diag(l_r)^1/2 (I x r, the numerically
//                        positive part), `trace` = tr S.
//   `affine-invariant`:  `basis` = the complete eigenvectors (I x I), `root` = (l + shift)^1/2,
//                        the square roots of S_e's eigenvalues (all positive).
//   `fixed-rank` and `log-euclidean` prepare nothing here (fixed-rank's ranks differ per pair).
struct MetricFactor {
    Eigen::MatrixXd basis;
    Eigen::VectorXd root;
    double trace = 0.0;
};
MetricFactor prepare_factor(const SpsdFactor& S, const GeometrySettings& settings);
// The squared distance of two prepared factors (bures-wasserstein or affine-invariant).
double prepared_distance_sq(const MetricFactor& S, const MetricFactor& T, const GeometrySettings& settings);

// 4. A set of points prepared for its metric --------------------------------------------------------
// `log-euclidean` maps each factor isometrically to a vector, so a whole block of distances is
// ||a||^2 + ||b||^2 - 2 a.b: one matrix product. Each point becomes the row
//     [ sqrt(w_1) vech(log S_e(1)), sqrt(w_2) vech(log S_e(2)), sqrt(w_3) vech(log S_e(3)) ]
// where vech keeps the lower triangle with off-diagonals times sqrt(2), so that the Euclidean
// norm of a row difference is exactly d_PM. The other metrics go pair by pair: bures-wasserstein
// and affine-invariant on each point's prepared factors (section 3), fixed-rank on the points.
struct PointSet {
    std::vector<SpsdPoint> points;                      // fixed-rank only
    std::vector<std::array<MetricFactor, 3>> prepared;  // bures-wasserstein, affine-invariant
    std::vector<std::array<int, 3>> ranks;
    Eigen::MatrixXd features;  // log-euclidean only: one row per point
    std::size_t size() const { return ranks.size(); }
};

// Builds the set for `settings.metric` (moves the points in).
PointSet make_point_set(std::vector<SpsdPoint> points, std::vector<std::array<int, 3>> ranks,
                        const GeometrySettings& settings);
// Row vector of one point's log-euclidean features (as in PointSet::features).
Eigen::RowVectorXd log_euclidean_features(const SpsdPoint& p, const GeometrySettings& settings);

// Squared distances between every point of A and every point of B (|A| x |B|).
Eigen::MatrixXd pairwise_sq(const PointSet& A, const PointSet& B, const GeometrySettings& settings);
// Within one set: symmetric, zero diagonal. `ambiguous_pairs`, if given, receives the number of
// pairs i < j that needed the fixed-rank rule for zero cosines in any mode (0 for other metrics).
Eigen::MatrixXd pairwise_sq(const PointSet& A, const GeometrySettings& settings,
                            std::int64_t* ambiguous_pairs = nullptr);

// 5. Pairs whose rank triples differ (the pair crosses strata) -------------------------------------
std::int64_t cross_stratum_pairs(const std::vector<std::array<int, 3>>& ranks);  // i < j in one set
std::int64_t cross_stratum_pairs(const std::vector<std::array<int, 3>>& a, const std::vector<std::array<int, 3>>& b);

}  // namespace strata
