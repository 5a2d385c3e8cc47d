// distance.cpp: the per-factor metrics, the product distance and pairwise blocks.
//
// Index: 1. helpers (the per-thread pair workspace, the graded log terms)  2. per-factor metrics
//        (fixed-rank: its rule for zero cosines, then the metric)  2b. prepared factors and their
//        pair problems  3. product distance  4. point sets and blocks  5. cross-stratum pairs
#include "distance.hpp"

#include "angles.hpp"
#include "error.hpp"
#include "parallel.hpp"
#include "precision.hpp"
#include "products.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

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

// What one thread reuses from pair to pair, so that the pair loop does not allocate once the
// sizes are known.
struct PairWorkspace {
    Eigen::MatrixXd V, C, G;
    Eigen::VectorXd low, high;
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig;
};

PairWorkspace& workspace() {
    thread_local PairWorkspace w;
    return w;
}

// Eigenvalues (ascending) of C C^T, formed as a symmetric rank update (lower triangle).
const Eigen::VectorXd& gram_eigenvalues(PairWorkspace& w, const Eigen::MatrixXd& C) {
    w.G.setZero(C.rows(), C.rows());
    w.G.selfadjointView<Eigen::Lower>().rankUpdate(C);
    w.eig.compute(w.G, Eigen::EigenvaluesOnly);
    return w.eig.eigenvalues();
}

// sum_i (log s_i^2)^2 over the singular values s_i of C = diag(a) V diag(b), V orthogonal: the
// log terms of affine-invariant and fixed-rank. The g_i = s_i^2 (ascending) are the eigenvalues of
// the symmetric C C^T and span many orders of magnitude (a regularised direction has an eigenvalue
// near spd_eps tr/I; fixed-rank's l_r may be 1e-10 l_1). A symmetric eigensolver gives each g_i
// to an absolute error of about eps g_n: the large ones keep full relative accuracy, the small
// ones do not. But C^-T = diag(a)^-1 V diag(b)^-1 has the singular values 1 / s_i, so the large
// eigenvalues of its C^-T C^-1 are the small g_i inverted, again to full relative accuracy. Each
// g_i is taken from the problem in which it is the larger relative to that problem's largest
// eigenvalue: from C C^T when g_i / g_n >= g_1 / g_i, i.e. g_i^2 >= g_1 g_n, else as 1 / h from
// the inverse problem. Its relative error is then at most about eps (g_n / g_1)^1/2, and only near
// g_i = (g_1 g_n)^1/2, where |log g_i| is smallest; the sum keeps about the accuracy of a graded
// (Jacobi) SVD of C at a fraction of its cost: two products and two symmetric eigenvalue problems.
double log_sq_of_scaled_orthogonal(PairWorkspace& w, const Eigen::MatrixXd& V, const Eigen::VectorXd& a,
                                   const Eigen::VectorXd& b) {
    const Eigen::Index n = V.rows();
    if (n == 0) return 0.0;
    w.C = a.asDiagonal() * V * b.asDiagonal();
    w.low = gram_eigenvalues(w, w.C);  // g, ascending
    w.C = a.cwiseInverse().asDiagonal() * V * b.cwiseInverse().asDiagonal();
    w.high = gram_eigenvalues(w, w.C);  // 1 / g, ascending
    const double g_max = w.low(n - 1), g_min = 1.0 / w.high(n - 1);
    const double tiny = std::numeric_limits<double>::min();
    double d2 = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
        const double g = w.low(i), h = w.high(n - 1 - i);  // h ~ 1 / g
        const double l = (g > 0.0 && g * g >= g_max * g_min) ? std::log(g) : -std::log(std::max(h, tiny));
        d2 += l * l;
    }
    return d2;
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
    if (!(d > 0.0)) {  // spd_eps = 0: the plain logarithm, for positive definite S only
        const Eigen::VectorXd log_l = regularized_eigenvalues(S, 0.0).array().log();
        return S.eigenvectors * log_l.asDiagonal() * S.eigenvectors.transpose();
    }
    const Eigen::Index k = S.eigenvectors.cols();
    const Eigen::VectorXd excess = (S.eigenvalues.head(k) / d).array().log1p();
    Eigen::MatrixXd L = scaled_outer(S.eigenvectors, excess);  // excess >= 0
    L.diagonal().array() += std::log(d);
    return L;
}

double log_euclidean_sq(const SpsdFactor& S, const SpsdFactor& T, double spd_eps) {
    return (regularized_log(S, spd_eps) - regularized_log(T, spd_eps)).squaredNorm();
}

double bures_wasserstein_sq(const SpsdFactor& S, const SpsdFactor& T) {
    GeometrySettings s;
    s.metric = "bures-wasserstein";
    return prepared_distance_sq(prepare_factor(S, s), prepare_factor(T, s), s);
}

double affine_invariant_sq(const SpsdFactor& S, const SpsdFactor& T, double spd_eps) {
    GeometrySettings s;
    s.metric = "affine-invariant";
    s.spd_eps = spd_eps;
    return prepared_distance_sq(prepare_factor(S, s), prepare_factor(T, s), s);
}

namespace {

// Section 5's rule for zero cosines, step (1): the columns Z = [r - z, r) of O (from one SVD, so
// in descending cosine order: the zero cosines come last) are rotated to the eigenvectors of
// R^2[Z, Z], in descending eigenvalue order; R^2 = O^T diag(l) O is recomputed.
Eigen::MatrixXd canonical_zero_block(Eigen::MatrixXd& O, const Eigen::VectorXd& l, Eigen::Index z) {
    Eigen::MatrixXd R2 = O.transpose() * l.asDiagonal() * O;
    if (z == 0) return R2;
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(R2.bottomRightCorner(z, z));  // ascending
    const Eigen::MatrixXd Q = eig.eigenvectors().rowwise().reverse();
    const Eigen::MatrixXd rotated = O.rightCols(z) * Q;
    O.rightCols(z) = rotated;
    return O.transpose() * l.asDiagonal() * O;
}

// Step (2): the signs d (+1 outside Z, +-1 on Z) that minimise ||A - D B D||_F^2. The objective
// is evaluated as the sum of the entries a sign can change: those of a column j of Z against the
// columns outside Z (twice, by symmetry) and against the other columns of Z. The rest (outside
// Z x Z, and the diagonal) is the same for every D and left out.
class SignObjective {
public:
    SignObjective(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B, Eigen::Index z)
        : z_(z), plus_(z), minus_(z), pair_plus_(z, z), pair_minus_(z, z) {
        const Eigen::Index m = A.rows() - z;  // columns outside Z
        for (Eigen::Index j = 0; j < z; ++j) {
            const Eigen::Index a = m + j;
            plus_(j) = 2.0 * (A.row(a).head(m) - B.row(a).head(m)).squaredNorm();   // d_j = +1
            minus_(j) = 2.0 * (A.row(a).head(m) + B.row(a).head(m)).squaredNorm();  // d_j = -1
            for (Eigen::Index i = 0; i < j; ++i) {
                const double x = A(m + i, a), y = B(m + i, a);
                pair_plus_(i, j) = 2.0 * (x - y) * (x - y);   // d_i d_j = +1
                pair_minus_(i, j) = 2.0 * (x + y) * (x + y);  // d_i d_j = -1
            }
        }
    }
    // flip[j]: d = -1 on the j-th column of Z.
    double operator()(const std::vector<bool>& flip) const {
        double v = 0.0;
        for (Eigen::Index j = 0; j < z_; ++j) {
            const bool fj = flip[std::size_t(j)];
            v += fj ? minus_(j) : plus_(j);
            for (Eigen::Index i = 0; i < j; ++i)
                v += (fj != flip[std::size_t(i)]) ? pair_minus_(i, j) : pair_plus_(i, j);
        }
        return v;
    }

private:
    Eigen::Index z_;
    Eigen::VectorXd plus_, minus_;
    Eigen::MatrixXd pair_plus_, pair_minus_;
};

// The flips (flip[j]: d = -1 on the j-th column of Z). When z <= 12 every pattern p = 0 .. 2^z - 1
// (bit j set: flip[j]) in turn, a strictly smaller value wins, so ties go to the smaller p. Else
// greedily from all +1, flipping one column at a time in increasing order when the flip makes the
// value smaller.
std::vector<bool> zero_block_signs(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B, Eigen::Index z) {
    std::vector<bool> flip(std::size_t(z), false);
    if (z == 0) return flip;
    const SignObjective f(A, B, z);
    double best_value = f(flip);
    if (z <= kFixedRankEnumerateMax) {
        std::uint32_t best = 0;
        for (std::uint32_t p = 1; p < (std::uint32_t(1) << z); ++p) {
            for (Eigen::Index j = 0; j < z; ++j) flip[std::size_t(j)] = (p >> j) & 1u;
            const double v = f(flip);
            if (v < best_value) best_value = v, best = p;
        }
        for (Eigen::Index j = 0; j < z; ++j) flip[std::size_t(j)] = (best >> j) & 1u;
        return flip;
    }
    for (Eigen::Index j = 0; j < z; ++j) {
        flip[std::size_t(j)] = true;
        const double v = f(flip);
        if (v < best_value) best_value = v;
        else flip[std::size_t(j)] = false;
    }
    return flip;
}

}  // namespace

double fixed_rank_sq(const SpsdFactor& S, int rank_S, const SpsdFactor& T, int rank_T, double k, int* zero_cosines) {
    if (zero_cosines) *zero_cosines = 0;
    const int r = std::min(rank_S, rank_T);
    if (r <= 0) return 0.0;  // both (or one) of rank 0: no common fixed-rank structure to compare
    const Eigen::MatrixXd US = S.eigenvectors.leftCols(r), UT = T.eigenvectors.leftCols(r);
    Eigen::MatrixXd OS, OT;
    Eigen::VectorXd cosines;
    const Eigen::VectorXd theta = principal_angles_orthonormal(US, UT, &OS, &OT, &cosines);
    // Zero cosines (90 degrees) come last in the SVD's descending order.
    Eigen::Index z = 0;
    while (z < r && cosines(r - 1 - z) <= kFixedRankZeroCosine) ++z;
    if (zero_cosines) *zero_cosines = int(z);
    const Eigen::VectorXd lS = S.eigenvalues.head(r), lT = T.eigenvalues.head(r);
    // R_S^2 = Y_S^T S Y_S with Y_S = U_S O_S, i.e. O_S^T diag(l_S) O_S; likewise R_T^2. With zero
    // cosines: canonical bases of that block, then the signs D; D R_T^2 D is R_T^2 of O_T D.
    if (z > 0) {
        const Eigen::MatrixXd RS2 = canonical_zero_block(OS, lS, z);
        const Eigen::MatrixXd RT2 = canonical_zero_block(OT, lT, z);
        const std::vector<bool> flip = zero_block_signs(RS2, RT2, z);
        for (Eigen::Index j = 0; j < z; ++j)
            if (flip[std::size_t(j)]) OT.col(r - z + j) *= -1.0;
    }
    // log(R_S^-1 R_T^2 R_S^-1) has the eigenvalues g_i of the pencil R_T^2 x = g R_S^2 x. With
    // R_S^2 = F_S^T F_S, F_S = diag(l_S)^1/2 O_S (likewise T) they are the squared singular values
    // of C = diag(l_T)^1/2 O_T O_S^T diag(l_S)^-1/2, a graded matrix whose small singular values
    // log_sq_of_scaled_orthogonal keeps to a relative accuracy. A Cholesky-based generalised
    // eigensolver would lose them when l_S spans many orders of magnitude (eigenvalues near the
    // rank threshold).
    PairWorkspace& w = workspace();
    w.V.noalias() = OT * OS.transpose();
    return theta.squaredNorm() + k * log_sq_of_scaled_orthogonal(w, w.V, lT.cwiseSqrt(), lS.cwiseSqrt().cwiseInverse());
}

// 2b. Prepared factors (distance.hpp section 3) and the two pair problems ----------------------------------
MetricFactor prepare_factor(const SpsdFactor& S, const GeometrySettings& s) {
    MetricFactor f;
    f.trace = S.trace();
    if (s.metric == "bures-wasserstein") {
        // Thin factors keep only the numerically positive part: A^T B is r_S x r_T (48 x 48 for a
        // 64-channel latent) instead of 64 x 64.
        const Eigen::Index r = numerical_rank(S.eigenvalues);
        f.basis = S.eigenvectors.leftCols(r) * S.eigenvalues.head(r).cwiseSqrt().asDiagonal();
    } else if (s.metric == "affine-invariant") {
        f.basis = S.complete_eigenvectors();
        f.root = regularized_eigenvalues(S, s.spd_eps).cwiseSqrt();
    }
    return f;
}

namespace {

// tr((S^1/2 T S^1/2)^1/2) = ||A^T B||_*: the square roots of the eigenvalues of the smaller of
// M M^T and M^T M, M = A^T B.
double bures_pair_sq(const MetricFactor& S, const MetricFactor& T) {
    double nuclear = 0.0;
    if (S.basis.cols() > 0 && T.basis.cols() > 0) {
        PairWorkspace& w = workspace();
        if (S.basis.cols() <= T.basis.cols()) w.C.noalias() = S.basis.transpose() * T.basis;
        else w.C.noalias() = T.basis.transpose() * S.basis;
        nuclear = gram_eigenvalues(w, w.C).cwiseMax(0.0).cwiseSqrt().sum();
    }
    return std::max(0.0, S.trace + T.trace - 2.0 * nuclear);
}

// || log(S_e^-1/2 T_e S_e^-1/2) ||_F^2: with S_e = U_S D_S^2 U_S^T, T_e = U_T D_T^2 U_T^T (complete
// eigenvectors, D = root) the matrix is similar to C C^T with C = D_S^-1 (U_S^T U_T) D_T.
double affine_pair_sq(const MetricFactor& S, const MetricFactor& T) {
    PairWorkspace& w = workspace();
    w.V.noalias() = S.basis.transpose() * T.basis;
    return log_sq_of_scaled_orthogonal(w, w.V, S.root.cwiseInverse(), T.root);
}

}  // namespace

double prepared_distance_sq(const MetricFactor& S, const MetricFactor& T, const GeometrySettings& s) {
    if (s.metric == "bures-wasserstein") return bures_pair_sq(S, T);
    if (s.metric == "affine-invariant") return affine_pair_sq(S, T);
    throw Error("prepared_distance_sq: metric '" + s.metric + "' prepares no factors");
}

// 3. The product distance -----------------------------------------------------------------------------
double factor_distance_sq(const SpsdFactor& S, int rank_S, const SpsdFactor& T, int rank_T, const GeometrySettings& s,
                          int* zero_cosines) {
    if (zero_cosines) *zero_cosines = 0;
    if (s.metric == "log-euclidean") return log_euclidean_sq(S, T, s.spd_eps);
    if (s.metric == "bures-wasserstein") return bures_wasserstein_sq(S, T);
    if (s.metric == "affine-invariant") return affine_invariant_sq(S, T, s.spd_eps);
    if (s.metric == "fixed-rank") return fixed_rank_sq(S, rank_S, T, rank_T, s.fixed_rank_k, zero_cosines);
    throw Error("--metric: unknown metric '" + s.metric + "'");
}

double product_distance_sq(const SpsdPoint& P, const std::array<int, 3>& rP, const SpsdPoint& Q,
                           const std::array<int, 3>& rQ, const GeometrySettings& s, int* zero_cosines) {
    double d2 = 0.0;
    int z_total = 0;
    for (int n = 0; n < 3; ++n)
        if (s.weights[n] != 0.0) {
            int z = 0;
            d2 += s.weights[n] * factor_distance_sq(P.factors[n], rP[n], Q.factors[n], rQ[n], s, &z);
            z_total += z;
        }
    if (zero_cosines) *zero_cosines = z_total;
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
    if (s.metric == "fixed-rank") {
        set.points = std::move(points);
        return set;
    }
    if (s.metric != "log-euclidean") {
        set.prepared.resize(points.size());
        parallel_for(points.size(), s.threads, [&](std::size_t b, std::size_t e) {
            for (std::size_t i = b; i < e; ++i)
                for (int n = 0; n < 3; ++n)
                    if (s.weights[n] != 0.0) set.prepared[i][std::size_t(n)] = prepare_factor(points[i].factors[n], s);
        });
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
    const Eigen::MatrixXd At = A.transpose(), Bt = B.transpose();  // each point's features contiguous (products.hpp)
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
    return D.cwiseMax(0.0);  // round-off can make a tiny distance negative
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

// d_PM^2 of point i of A and point j of B, pair by pair (every metric but log-euclidean).
double set_pair_sq(const PointSet& A, std::size_t i, const PointSet& B, std::size_t j, const GeometrySettings& s,
                   int* zero_cosines) {
    if (!A.points.empty())
        return product_distance_sq(A.points[i], A.ranks[i], B.points[j], B.ranks[j], s, zero_cosines);
    double d2 = 0.0;
    for (int n = 0; n < 3; ++n)
        if (s.weights[n] != 0.0)
            d2 += s.weights[n] * prepared_distance_sq(A.prepared[i][std::size_t(n)], B.prepared[j][std::size_t(n)], s);
    if (zero_cosines) *zero_cosines = 0;
    return d2;
}

}  // namespace

Eigen::MatrixXd pairwise_sq(const PointSet& A, const PointSet& B, const GeometrySettings& s) {
    if (s.metric == "log-euclidean") return feature_distances(A.features, B.features, s.threads);
    Eigen::MatrixXd D(Eigen::Index(A.size()), Eigen::Index(B.size()));
    parallel_each(A.size(), s.threads, [&](std::size_t i) {
        for (std::size_t j = 0; j < B.size(); ++j)
            D(Eigen::Index(i), Eigen::Index(j)) = set_pair_sq(A, i, B, j, s, nullptr);
    });
    return D;
}

Eigen::MatrixXd pairwise_sq(const PointSet& A, const GeometrySettings& s, std::int64_t* ambiguous_pairs) {
    Eigen::MatrixXd D;
    if (ambiguous_pairs) *ambiguous_pairs = 0;
    if (s.metric == "log-euclidean") {
        D = feature_distances_within(A.features, s.threads);
    } else {
        D = Eigen::MatrixXd::Zero(Eigen::Index(A.size()), Eigen::Index(A.size()));
        // Rows have uneven work (j > i only); interleave them so both threads get a fair share.
        // Each row counts its own ambiguous pairs (no shared counter between threads).
        const std::size_t n = A.size();
        std::vector<std::int64_t> ambiguous(n, 0);
        parallel_each(n, s.threads, [&](std::size_t k) {
            const std::size_t i = (k % 2 == 0) ? k / 2 : n - 1 - k / 2;
            for (std::size_t j = i + 1; j < n; ++j) {
                int z = 0;
                D(Eigen::Index(i), Eigen::Index(j)) = set_pair_sq(A, i, A, j, s, &z);
                ambiguous[i] += (z > 0);
            }
        });
        D.triangularView<Eigen::StrictlyLower>() = D.transpose();
        if (ambiguous_pairs)
            for (std::int64_t c : ambiguous) *ambiguous_pairs += c;
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
