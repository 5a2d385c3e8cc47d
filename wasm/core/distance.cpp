// distance.cpp: the per-factor metrics, the product distance and pairwise blocks.
//
// Index: 1. helpers  2. per-factor metrics  3. product distance  4. point sets and blocks
//        5. cross-stratum pairs
#include "distance.hpp"

#include "angles.hpp"
#include "error.hpp"
#include "parallel.hpp"
#include "precision.hpp"
#include "products.hpp"

#include <cmath>
#include <limits>

namespace strata {

// 1. Helpers -----------------------------------------------------------------------------------------
namespace {

// Eigenvalues of S_e (S's eigenvalues shifted), checked to be positive.
Eigen::VectorXd regularized_eigenvalues(const SpsdFactor& S, double spd_eps) {
    const Eigen::VectorXd l = S.eigenvalues.array() + regularization_shift(S, spd_eps);
    if (l.size() && l.minCoeff() <= 0.0)
        throw Error("a matrix is singular and spd_eps = 0: the log-based metrics need spd_eps > 0 here");
    return l;
}

// Number of eigenvalues that are positive beyond round-off (for thin factors).
Eigen::Index numerical_rank(const Eigen::VectorXd& l) {
    if (l.size() == 0 || l(0) <= 0.0) return 0;
    const double tol = l(0) * double(l.size()) * kFloat64Eps;
    Eigen::Index r = 0;
    while (r < l.size() && l(r) > tol) ++r;
    return r;
}

// Sum of the square roots of the eigenvalues of the symmetric PSD matrix G (= nuclear norm of M
// when G = M^T M).
double sum_sqrt_eigenvalues(const Eigen::MatrixXd& G) {
    if (G.size() == 0) return 0.0;
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(G, Eigen::EigenvaluesOnly);
    return eig.eigenvalues().cwiseMax(0.0).cwiseSqrt().sum();
}

double sum_log_squared(const Eigen::VectorXd& x) {
    double s = 0.0;
    for (Eigen::Index i = 0; i < x.size(); ++i) {
        const double l = std::log(x(i));
        s += l * l;
    }
    return s;
}

}  // namespace

// 2. Per-factor metrics ----------------------------------------------------------------------------
double regularization_shift(const SpsdFactor& S, double spd_eps) {
    const double tr = S.trace();
    return tr > 0.0 ? spd_eps * tr / double(S.rows) : spd_eps;
}

Eigen::MatrixXd regularized_log(const SpsdFactor& S, double spd_eps) {
    // log S_e = log(d) I + U diag(log(l + d) - log d) U^T with d the shift: the directions
    // outside a thin U have eigenvalue 0 and contribute log(d) only. log1p keeps small l exact.
    const double d = regularization_shift(S, spd_eps);
    if (!(d > 0.0)) {   // spd_eps = 0: the plain logarithm, for positive definite S only
        const Eigen::VectorXd log_l = regularized_eigenvalues(S, 0.0).array().log();
        return S.eigenvectors * log_l.asDiagonal() * S.eigenvectors.transpose();
    }
    const Eigen::Index k = S.eigenvectors.cols();
    const Eigen::VectorXd excess = (S.eigenvalues.head(k) / d).array().log1p();
    Eigen::MatrixXd L = scaled_outer(S.eigenvectors, excess);   // excess >= 0
    L.diagonal().array() += std::log(d);
    return L;
}

double log_euclidean_sq(const SpsdFactor& S, const SpsdFactor& T, double spd_eps) {
    return (regularized_log(S, spd_eps) - regularized_log(T, spd_eps)).squaredNorm();
}

double bures_wasserstein_sq(const SpsdFactor& S, const SpsdFactor& T) {
    // Thin factors A = U_r diag(sqrt l_r) keep only the numerically positive part: A^T B is
    // r_S x r_T (48 x 48 for a 64-channel latent) instead of 64 x 64.
    const Eigen::Index rs = numerical_rank(S.eigenvalues), rt = numerical_rank(T.eigenvalues);
    double nuclear = 0.0;
    if (rs > 0 && rt > 0) {
        const Eigen::MatrixXd M = S.eigenvalues.head(rs).cwiseSqrt().asDiagonal() *
                                  (S.eigenvectors.leftCols(rs).transpose() * T.eigenvectors.leftCols(rt)) *
                                  T.eigenvalues.head(rt).cwiseSqrt().asDiagonal();
        nuclear = (rs <= rt) ? sum_sqrt_eigenvalues(M * M.transpose()) : sum_sqrt_eigenvalues(M.transpose() * M);
    }
    return std::max(0.0, S.trace() + T.trace() - 2.0 * nuclear);
}

double affine_invariant_sq(const SpsdFactor& S, const SpsdFactor& T, double spd_eps) {
    // S_e^-1/2 T_e S_e^-1/2 = U_S (C C^T) U_S^T with C = D_S^-1/2 (U_S^T U_T) D_T^1/2, so its
    // eigenvalues are the squared singular values of C. C is a graded matrix (diagonal scalings
    // of an orthogonal one); Jacobi's SVD keeps its small singular values accurate to a relative
    // error, which forming C C^T would not (the regularised matrices are ill-conditioned).
    const Eigen::VectorXd ls = regularized_eigenvalues(S, spd_eps), lt = regularized_eigenvalues(T, spd_eps);
    const Eigen::MatrixXd C = ls.cwiseSqrt().cwiseInverse().asDiagonal() *
                              (S.complete_eigenvectors().transpose() * T.complete_eigenvectors()) *
                              lt.cwiseSqrt().asDiagonal();
    const Eigen::VectorXd sv = Eigen::JacobiSVD<Eigen::MatrixXd>(C).singularValues();
    double d2 = 0.0;
    for (Eigen::Index i = 0; i < sv.size(); ++i) {
        const double l = 2.0 * std::log(std::max(sv(i), std::numeric_limits<double>::min()));
        d2 += l * l;
    }
    return d2;
}

double fixed_rank_sq(const SpsdFactor& S, int rank_S, const SpsdFactor& T, int rank_T, double k) {
    const int r = std::min(rank_S, rank_T);
    if (r <= 0) return 0.0;   // both (or one) of rank 0: no common fixed-rank structure to compare
    const Eigen::MatrixXd US = S.eigenvectors.leftCols(r), UT = T.eigenvectors.leftCols(r);
    Eigen::MatrixXd OS, OT;
    const Eigen::VectorXd theta = principal_angles_orthonormal(US, UT, &OS, &OT);
    // R_S^2 = Y_S^T S Y_S with Y_S = U_S O_S, i.e. O_S^T diag(l_S) O_S; likewise R_T^2.
    const Eigen::MatrixXd RS2 = OS.transpose() * S.eigenvalues.head(r).asDiagonal() * OS;
    const Eigen::MatrixXd RT2 = OT.transpose() * T.eigenvalues.head(r).asDiagonal() * OT;
    // log(R_S^-1 R_T^2 R_S^-1) has the eigenvalues log(g_i) of the pencil R_T^2 x = g R_S^2 x.
    Eigen::GeneralizedSelfAdjointEigenSolver<Eigen::MatrixXd> gen(RT2, RS2, Eigen::EigenvaluesOnly);
    return theta.squaredNorm() + k * sum_log_squared(gen.eigenvalues().cwiseMax(std::numeric_limits<double>::min()));
}

// 3. The product distance -----------------------------------------------------------------------------
double factor_distance_sq(const SpsdFactor& S, int rank_S, const SpsdFactor& T, int rank_T,
                          const GeometrySettings& s) {
    if (s.metric == "log-euclidean") return log_euclidean_sq(S, T, s.spd_eps);
    if (s.metric == "bures-wasserstein") return bures_wasserstein_sq(S, T);
    if (s.metric == "affine-invariant") return affine_invariant_sq(S, T, s.spd_eps);
    if (s.metric == "fixed-rank") return fixed_rank_sq(S, rank_S, T, rank_T, s.fixed_rank_k);
    throw Error("--metric: unknown metric '" + s.metric + "'");
}

double product_distance_sq(const SpsdPoint& P, const std::array<int, 3>& rP, const SpsdPoint& Q,
                           const std::array<int, 3>& rQ, const GeometrySettings& s) {
    double d2 = 0.0;
    for (int n = 0; n < 3; ++n)
        if (s.weights[n] != 0.0) d2 += s.weights[n] * factor_distance_sq(P.factors[n], rP[n], Q.factors[n], rQ[n], s);
    return d2;
}

// 4. Point sets and pairwise blocks ----------------------------------------------------------------------
Eigen::RowVectorXd log_euclidean_features(const SpsdPoint& p, const GeometrySettings& s) {
    Eigen::Index total = 0;
    for (const SpsdFactor& f : p.factors) total += f.rows * (f.rows + 1) / 2;
    Eigen::RowVectorXd v(total);
    Eigen::Index at = 0;
    for (int n = 0; n < 3; ++n) {
        const Eigen::MatrixXd L = regularized_log(p.factors[n], s.spd_eps);
        const double w = std::sqrt(s.weights[n]), w_off = w * std::sqrt(2.0);
        for (Eigen::Index j = 0; j < L.cols(); ++j) {
            v(at++) = w * L(j, j);
            for (Eigen::Index i = j + 1; i < L.rows(); ++i) v(at++) = w_off * L(i, j);
        }
    }
    return v;
}

PointSet make_point_set(std::vector<SpsdPoint> points, std::vector<std::array<int, 3>> ranks,
                        const GeometrySettings& s) {
    PointSet set;
    set.ranks = std::move(ranks);
    if (s.metric != "log-euclidean") {
        set.points = std::move(points);
        return set;
    }
    if (points.empty()) return set;
    set.features.resize(Eigen::Index(points.size()), log_euclidean_features(points[0], s).size());
    parallel_for(points.size(), s.threads, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) set.features.row(Eigen::Index(i)) = log_euclidean_features(points[i], s);
    });
    return set;
}

namespace {

// ||a_i||^2 + ||b_j||^2 - 2 a_i.b_j, one row block per thread.
Eigen::MatrixXd feature_distances(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B, int threads) {
    Eigen::MatrixXd D(A.rows(), B.rows());
    const Eigen::VectorXd na = A.rowwise().squaredNorm(), nb = B.rowwise().squaredNorm();
#if defined(__wasm_simd128__)
    const Eigen::MatrixXd At = A.transpose(), Bt = B.transpose();   // each point's features contiguous (products.hpp)
#endif
    parallel_for(std::size_t(A.rows()), threads, [&](std::size_t b, std::size_t e) {
        const Eigen::Index rows = Eigen::Index(e - b);
#if defined(__wasm_simd128__)
        column_dots(At, Bt, D, Eigen::Index(b), Eigen::Index(e), false);
        D.middleRows(Eigen::Index(b), rows) *= -2.0;
#else
        D.middleRows(Eigen::Index(b), rows).noalias() = -2.0 * A.middleRows(Eigen::Index(b), rows) * B.transpose();
#endif
        D.middleRows(Eigen::Index(b), rows).colwise() += na.segment(Eigen::Index(b), rows);
        D.middleRows(Eigen::Index(b), rows).rowwise() += nb.transpose();
    });
    return D.cwiseMax(0.0);   // round-off can make a tiny distance negative
}

// The same within one set, exploiting symmetry: only the lower triangle of the Gram matrix F F^T
// is formed, which halves the work. With two or more threads the rows are split in halves: one
// thread forms the two diagonal triangles (symmetric rank updates), the other the full
// off-diagonal block; the two shares are equal.
Eigen::MatrixXd feature_distances_within(const Eigen::MatrixXd& F, int threads) {
    const Eigen::Index n = F.rows();
    Eigen::MatrixXd G = Eigen::MatrixXd::Zero(n, n);
#if defined(__wasm_simd128__)
    // Blocks of 4 rows; row i has i + 1 products, so blocks are taken from both ends in turn
    // and the two threads get equal shares.
    const Eigen::MatrixXd Ft = F.transpose();
    const std::size_t blocks = std::size_t((n + 3) / 4);
    parallel_each(blocks, threads, [&](std::size_t k) {
        const std::size_t block = (k % 2 == 0) ? k / 2 : blocks - 1 - k / 2;
        const Eigen::Index r0 = Eigen::Index(block) * 4;
        column_dots(Ft, Ft, G, r0, std::min(n, r0 + 4), true);
    });
#else
    const Eigen::Index h = n / 2;
    if (worker_count(threads) >= 2 && n >= 64) {
        parallel_each(2, threads, [&](std::size_t part) {
            if (part == 0) {
                G.topLeftCorner(h, h).selfadjointView<Eigen::Lower>().rankUpdate(F.topRows(h));
                G.bottomRightCorner(n - h, n - h).selfadjointView<Eigen::Lower>().rankUpdate(F.bottomRows(n - h));
            } else {
                G.bottomLeftCorner(n - h, h).noalias() = F.bottomRows(n - h) * F.topRows(h).transpose();
            }
        });
    } else {
        G.selfadjointView<Eigen::Lower>().rankUpdate(F);
    }
#endif
    const Eigen::VectorXd nf = G.diagonal();
    Eigen::MatrixXd D(n, n);
    for (Eigen::Index j = 0; j < n; ++j) {
        D(j, j) = 0.0;
        for (Eigen::Index i = j + 1; i < n; ++i) D(i, j) = D(j, i) = std::max(0.0, nf(i) + nf(j) - 2.0 * G(i, j));
    }
    return D;
}

}  // namespace

Eigen::MatrixXd pairwise_sq(const PointSet& A, const PointSet& B, const GeometrySettings& s) {
    if (s.metric == "log-euclidean") return feature_distances(A.features, B.features, s.threads);
    Eigen::MatrixXd D(Eigen::Index(A.size()), Eigen::Index(B.size()));
    parallel_each(A.size(), s.threads, [&](std::size_t i) {
        for (std::size_t j = 0; j < B.size(); ++j)
            D(Eigen::Index(i), Eigen::Index(j)) = product_distance_sq(A.points[i], A.ranks[i], B.points[j], B.ranks[j], s);
    });
    return D;
}

Eigen::MatrixXd pairwise_sq(const PointSet& A, const GeometrySettings& s) {
    Eigen::MatrixXd D;
    if (s.metric == "log-euclidean") {
        D = feature_distances_within(A.features, s.threads);
    } else {
        D = Eigen::MatrixXd::Zero(Eigen::Index(A.size()), Eigen::Index(A.size()));
        // Rows have uneven work (j > i only); interleave them so both threads get a fair share.
        const std::size_t n = A.size();
        parallel_each(n, s.threads, [&](std::size_t k) {
            const std::size_t i = (k % 2 == 0) ? k / 2 : n - 1 - k / 2;
            for (std::size_t j = i + 1; j < n; ++j)
                D(Eigen::Index(i), Eigen::Index(j)) = product_distance_sq(A.points[i], A.ranks[i], A.points[j], A.ranks[j], s);
        });
        D.triangularView<Eigen::StrictlyLower>() = D.transpose();
    }
    D.diagonal().setZero();
    return D;
}

// 5. Cross-stratum pairs ------------------------------------------------------------------------------
std::int64_t cross_stratum_pairs(const std::vector<std::array<int, 3>>& r) {
    std::int64_t count = 0;
    for (std::size_t i = 0; i < r.size(); ++i)
        for (std::size_t j = i + 1; j < r.size(); ++j) count += (r[i] != r[j]);
    return count;
}

std::int64_t cross_stratum_pairs(const std::vector<std::array<int, 3>>& a, const std::vector<std::array<int, 3>>& b) {
    std::int64_t count = 0;
    for (const auto& x : a)
        for (const auto& y : b) count += (x != y);
    return count;
}

}  // namespace strata
