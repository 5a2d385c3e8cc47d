// symmetric_eigen.cpp: blocked tridiagonalisation, divide and conquer, and the three entry points.
//
// Index: 1. checks and scaling  2. blocked Householder tridiagonalisation  3. the secular equation
//        4. the merge (deflation, roots, vectors)  5. divide and conquer  6. the entry points
#include "symmetric_eigen.hpp"

#include "error.hpp"
#include "precision.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

namespace strata {

namespace {

using Eigen::Index;

constexpr Index kPanel = 32;  // columns per panel of the tridiagonalisation
constexpr Index kLeaf = 25;   // tridiagonal blocks of at most this size go to Eigen's QR

// 1. Checks and scaling ---------------------------------------------------------------------------------
// The largest magnitude of the lower triangle; Error on a non-square matrix or a non-finite entry.
double checked_scale(const Eigen::MatrixXd& A) {
    if (A.rows() != A.cols())
        throw Error("symmetric eigenproblem: the matrix is " + std::to_string(A.rows()) + " x " +
                    std::to_string(A.cols()) + ", not square");
    double s = 0.0;
    for (Index j = 0; j < A.cols(); ++j)
        for (Index i = j; i < A.rows(); ++i) {
            const double a = A(i, j);
            if (!std::isfinite(a))
                throw Error("symmetric eigenproblem: the matrix has a non-finite entry at (" + std::to_string(i) +
                            ", " + std::to_string(j) + ")");
            s = std::max(s, std::abs(a));
        }
    return s;
}

}  // namespace

// 2. Blocked Householder tridiagonalisation ----------------------------------------------------------------
// Panel by panel (dlatrd): column c is first brought up to date with the panel's earlier reflectors
// (A(c:, c) -= V W(c, :)^T + W V(c, :)^T), then reflected; w = tau (A22 v - V W^T v - W V^T v) with
// A22 the trailing matrix as it was at the panel's start, then w -= (tau / 2)(w . v) v. After the
// panel the trailing matrix takes the whole rank-2k update at once.
void tridiagonalize(Eigen::MatrixXd& A, Eigen::VectorXd& diag, Eigen::VectorXd& subdiag, Eigen::VectorXd& tau) {
    const Index n = A.rows();
    diag.resize(n);
    subdiag.resize(std::max<Index>(n - 1, 0));
    tau.resize(std::max<Index>(n - 1, 0));
    if (n == 0) return;
    Eigen::MatrixXd V(n, kPanel), W(n, kPanel);
    Eigen::VectorXd tmp(kPanel);
    Index j0 = 0;
    while (j0 < n - 1) {
        const Index b = std::min(kPanel, n - 1 - j0);  // columns reduced in this panel
        for (Index i = 0; i < b; ++i) {
            const Index c = j0 + i, r = n - c - 1;
            if (i > 0) {
                A.col(c).tail(n - c).noalias() -= V.block(c, 0, n - c, i) * W.row(c).head(i).transpose();
                A.col(c).tail(n - c).noalias() -= W.block(c, 0, n - c, i) * V.row(c).head(i).transpose();
            }
            diag(c) = A(c, c);
            double t, beta;
            A.col(c).tail(r).makeHouseholderInPlace(t, beta);
            subdiag(c) = beta;
            tau(c) = t;
            A(c + 1, c) = 1.0;  // v = [1; essential part] while it is used below
            const auto v = A.col(c).tail(r);
            auto w = W.col(i).tail(r);
            w.noalias() = A.bottomRightCorner(r, r).selfadjointView<Eigen::Lower>() * v;
            if (i > 0) {
                tmp.head(i).noalias() = W.block(c + 1, 0, r, i).transpose() * v;
                w.noalias() -= V.block(c + 1, 0, r, i) * tmp.head(i);
                tmp.head(i).noalias() = V.block(c + 1, 0, r, i).transpose() * v;
                w.noalias() -= W.block(c + 1, 0, r, i) * tmp.head(i);
            }
            w *= t;
            w += (-0.5 * t * w.dot(v)) * v;
            V.col(i).tail(r) = v;
            A(c + 1, c) = beta;
        }
        const Index done = j0 + b, r = n - done;
        auto trailing = A.bottomRightCorner(r, r).triangularView<Eigen::Lower>();
        trailing -= V.block(done, 0, r, b) * W.block(done, 0, r, b).transpose();
        trailing -= W.block(done, 0, r, b) * V.block(done, 0, r, b).transpose();
        j0 = done;
    }
    diag(n - 1) = A(n - 1, n - 1);
}

namespace {

// 3. The secular equation ---------------------------------------------------------------------------------------
// f(x) = 1 + rho sum_i z_i^2 / (d_i - x) for increasing poles d (k of them) and rho > 0, every z_i
// non-zero. Root j lies in (d_j, d_{j+1}) (the last in (d_{k-1}, d_{k-1} + rho |z|^2)). It is
// found as x = d_o + tau with o the nearer pole, and column j of `delta` receives d_i - x computed
// as (d_i - d_o) - tau, which keeps the distance to the nearest pole to full relative accuracy.
// Returns the roots, increasing; delta (k x k) receives delta(i, j) = d_i - x_j.
Eigen::VectorXd secular_roots(const Eigen::VectorXd& d, const Eigen::VectorXd& z, double rho,
                              Eigen::Ref<Eigen::MatrixXd> delta) {
    const Index k = d.size();
    Eigen::VectorXd x(k);
    const Eigen::VectorXd w = rho * z.array().square();  // the weights rho z_i^2
    const double eps = kFloat64Eps;
    Eigen::VectorXd diff(k);
    Eigen::ArrayXd inv(k);
    for (Index j = 0; j < k; ++j) {
        const bool last = j == k - 1;
        // f at the middle of the gap decides the nearer pole (the root is on the side where f
        // changes sign); the last root is taken relative to d_{k-1}.
        Index o = j;
        double lo, hi;
        if (last) {
            lo = 0.0;
            hi = w.sum();
        } else {
            const double gap = d(j + 1) - d(j), mid = 0.5 * gap;
            const double f = 1.0 + (w.array() / ((d.array() - d(j)) - mid)).sum();
            if (f >= 0.0) {
                lo = 0.0;
                hi = mid;
            } else {
                o = j + 1;
                lo = mid - gap;
                hi = 0.0;
            }
        }
        for (Index i = 0; i < k; ++i) diff(i) = d(i) - d(o);
        // Poles bounding the root in the shifted variable: a = j (below), b = j + 1 (above, if any).
        const Index a = j, bpole = last ? -1 : j + 1, below = a + 1, above = k - below;
        double tau = 0.5 * (lo + hi);
        for (int iter = 0; iter < 200; ++iter) {
            // One pass of reciprocals, then the sums below (negative terms) and above (positive).
            inv = (diff.array() - tau).inverse();
            const double psi = (w.head(below).array() * inv.head(below)).sum();
            const double phi = (w.tail(above).array() * inv.tail(above)).sum();
            const double dpsi = (w.head(below).array() * inv.head(below).square()).sum();
            const double dphi = (w.tail(above).array() * inv.tail(above).square()).sum();
            const double f = 1.0 + psi + phi, absum = phi - psi;
            if (f == 0.0 || std::abs(f) <= eps * (8.0 * absum + 2.0 + std::abs(tau) * (dpsi + dphi))) break;
            if (f > 0.0) hi = tau;
            else lo = tau;
            // Li's middle way: f(tau + h) ~ c + s / (da - h) + S / (db - h), fitted to f and to the
            // derivatives of the sums below and above the root.
            const double da = diff(a) - tau;
            double next = std::numeric_limits<double>::quiet_NaN();
            const double s = da * da * dpsi;
            if (bpole < 0) {
                const double c = f - s / da;
                if (c != 0.0) next = tau + da + s / c;
            } else {
                const double db = diff(bpole) - tau, S = db * db * dphi;
                const double c = f - s / da - S / db;
                const double B = c * (da + db) + s + S, C = c * da * db + s * db + S * da;
                double h1 = std::numeric_limits<double>::quiet_NaN(), h2 = h1;
                if (c == 0.0) {
                    if (B != 0.0) h1 = C / B;
                } else {
                    const double sq = std::sqrt(std::max(0.0, B * B - 4.0 * c * C));
                    const double q = B >= 0.0 ? B + sq : B - sq;
                    h1 = q / (2.0 * c);
                    if (q != 0.0) h2 = 2.0 * C / q;
                }
                const double h = (h1 > da && h1 < db) ? h1 : h2;
                if (h > da && h < db) next = tau + h;
            }
            // Bisection when the model step leaves the bracket, and every eighth step regardless, so
            // that the bracket always shrinks.
            if (!(next > lo && next < hi) || iter % 8 == 7) next = 0.5 * (lo + hi);
            if (next == tau || !(next > lo && next < hi)) break;  // the bracket is down to adjacent doubles
            tau = next;
        }
        x(j) = d(o) + tau;
        for (Index i = 0; i < k; ++i) {
            double del = diff(i) - tau;
            // The root never sits on a pole; a zero here would be round-off at the bracket's end.
            if (del == 0.0) del = (i <= a) ? -std::numeric_limits<double>::min() : std::numeric_limits<double>::min();
            delta(i, j) = del;
        }
    }
    return x;
}

// 4. The merge ----------------------------------------------------------------------------------------------------
// Eigenpairs of Q (D + rho z z^T) Q^T where Q (n x n) is block diagonal: rows [0, n1) are non-zero
// only in columns [0, n1) (Q1), rows [n1, n) only in the others (Q2). D holds the two halves'
// eigenvalues. On return D holds the merged eigenvalues ascending and Q the vectors.
enum ColumnKind : unsigned char { kTop = 1, kBottom = 2, kDense = 3 };

// Two n x n buffers shared by every merge of one solve (allocated once: fresh pages cost more than
// the copies they hold). `gathered` receives Q's columns in the order the products need,
// `secular` the differences d_i - x_j and then, column by column, the vectors U.
struct Workspace {
    Eigen::MatrixXd gathered, secular;
    explicit Workspace(Index n) : gathered(n, n), secular(n, n) {}
};

void merge(Eigen::Ref<Eigen::VectorXd> D, Eigen::Ref<Eigen::MatrixXd> Q, Eigen::VectorXd z, double rho, Index n1,
           Workspace& ws) {
    const Index n = D.size();
    const double eps = kFloat64Eps;
    // Unit z (each half contributes a unit vector), rho absorbing the norm.
    const double zn = z.norm();
    if (zn > 0.0) {
        z /= zn;
        rho *= zn * zn;
    }
    std::vector<ColumnKind> kind(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i) kind[std::size_t(i)] = i < n1 ? kTop : kBottom;

    std::vector<Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), Index(0));
    std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) { return D(a) < D(b); });
    const double tol = 8.0 * eps * std::max(D.cwiseAbs().maxCoeff(), rho);

    // Deflation, in increasing order of D. `kept` lists the columns of the secular problem.
    std::vector<Index> kept, deflated;
    Index pending = -1;
    for (Index j : order) {
        if (rho * std::abs(z(j)) <= tol) {
            deflated.push_back(j);
            continue;
        }
        if (pending < 0) {
            pending = j;
            continue;
        }
        // The rotation in the plane of columns pending (p) and j that zeroes z_p: q_j' = c q_p + s q_j
        // carries |(z_p, z_j)|, q_p' = s q_p - c q_j none; the coupling it neglects is c s (d_j - d_p).
        const double tz = std::hypot(z(pending), z(j));
        const double c = z(pending) / tz, s = z(j) / tz;
        if (std::abs(c * s * (D(j) - D(pending))) <= tol) {
            for (Index i = 0; i < n; ++i) {
                const double qp = Q(i, pending), qj = Q(i, j);
                Q(i, pending) = s * qp - c * qj;
                Q(i, j) = c * qp + s * qj;
            }
            const double dp = D(pending), dj = D(j);
            D(pending) = s * s * dp + c * c * dj;
            D(j) = c * c * dp + s * s * dj;
            z(pending) = 0.0;
            z(j) = tz;
            if (kind[std::size_t(pending)] != kind[std::size_t(j)])
                kind[std::size_t(pending)] = kind[std::size_t(j)] = kDense;
            deflated.push_back(pending);
        } else {
            kept.push_back(pending);
        }
        pending = j;
    }
    if (pending >= 0) kept.push_back(pending);

    const Index k = Index(kept.size());
    // The merged pairs before sorting: columns [0, k) from the secular equation, then the deflated.
    Eigen::VectorXd values(n);
    Eigen::Map<Eigen::MatrixXd, 0, Eigen::OuterStride<>> G(ws.gathered.data(), n, n, Eigen::OuterStride<>(n));
    if (k > 0) {
        Eigen::VectorXd dk(k), zk(k);
        for (Index i = 0; i < k; ++i) {
            dk(i) = D(kept[std::size_t(i)]);
            zk(i) = z(kept[std::size_t(i)]);
        }
        Eigen::Map<Eigen::MatrixXd, 0, Eigen::OuterStride<>> U(ws.secular.data(), k, k, Eigen::OuterStride<>(k));
        values.head(k) = secular_roots(dk, zk, rho, U);
        // Gu-Eisenstat: the z for which the computed roots are exact, as products of bounded ratios
        // (root j's distance over pole j's, for j != i; the remaining factor is root i's), a column at a time.
        Eigen::ArrayXd prod = U.diagonal().array(), ratio(k);
        for (Index j = 0; j < k; ++j) {
            ratio = U.col(j).array() / (dk.array() - dk(j));
            ratio(j) = 1.0;
            prod *= ratio;
        }
        Eigen::VectorXd zhat(k);
        for (Index i = 0; i < k; ++i) zhat(i) = std::copysign(std::sqrt(std::max(0.0, -prod(i) / rho)), zk(i));
        // Rows of U (and the gathered columns of Q) in the order top, dense, bottom: the top rows of
        // the result need the first two groups, the bottom rows the last two, each a contiguous block.
        std::vector<Index> perm;
        perm.reserve(std::size_t(k));
        for (unsigned char want : {kTop, kDense, kBottom})
            for (Index i = 0; i < k; ++i)
                if (kind[std::size_t(kept[std::size_t(i)])] == want) perm.push_back(i);
        Index ntop = 0, ndense = 0;
        for (Index i = 0; i < k; ++i) {
            const ColumnKind c = kind[std::size_t(kept[std::size_t(i)])];
            ntop += c == kTop;
            ndense += c == kDense;
        }
        for (Index t = 0; t < k; ++t) G.col(t) = Q.col(kept[std::size_t(perm[std::size_t(t)])]);
        // Column j of U overwrites column j of the differences it is made from.
        Eigen::VectorXd column(k);
        for (Index j = 0; j < k; ++j) {
            column = zhat.array() / U.col(j).array();
            column /= column.norm();
            for (Index t = 0; t < k; ++t) U(t, j) = column(perm[std::size_t(t)]);
        }
        for (std::size_t t = 0; t < deflated.size(); ++t) G.col(k + Index(t)) = Q.col(deflated[t]);
        const Index top = ntop + ndense, bottom = k - ntop;
        Q.topLeftCorner(n1, k).noalias() = G.topLeftCorner(n1, top) * U.topRows(top);
        Q.bottomLeftCorner(n - n1, k).noalias() = G.block(n1, ntop, n - n1, bottom) * U.bottomRows(bottom);
    } else {
        for (std::size_t t = 0; t < deflated.size(); ++t) G.col(Index(t)) = Q.col(deflated[t]);
    }
    for (std::size_t t = 0; t < deflated.size(); ++t) values(k + Index(t)) = D(deflated[t]);
    Q.rightCols(n - k) = G.middleCols(k, n - k);
    // Ascending order overall: position i takes column idx[i], moved in place cycle by cycle.
    std::vector<Index> idx(static_cast<std::size_t>(n));
    std::iota(idx.begin(), idx.end(), Index(0));
    std::stable_sort(idx.begin(), idx.end(), [&](Index a, Index b) { return values(a) < values(b); });
    for (Index i = 0; i < n; ++i) D(i) = values(idx[std::size_t(i)]);
    std::vector<bool> placed(static_cast<std::size_t>(n), false);
    Eigen::VectorXd hold(n);
    for (Index start = 0; start < n; ++start) {
        if (placed[std::size_t(start)] || idx[std::size_t(start)] == start) continue;
        hold = Q.col(start);
        Index i = start;
        while (idx[std::size_t(i)] != start) {
            Q.col(i) = Q.col(idx[std::size_t(i)]);
            placed[std::size_t(i)] = true;
            i = idx[std::size_t(i)];
        }
        Q.col(i) = hold;
        placed[std::size_t(i)] = true;
    }
}

// 5. Divide and conquer ------------------------------------------------------------------------------------------
// d, e: the tridiagonal (d overwritten by the eigenvalues, ascending); Q (n x n) receives the vectors.
void divide_and_conquer(Eigen::Ref<Eigen::VectorXd> d, Eigen::Ref<const Eigen::VectorXd> e,
                        Eigen::Ref<Eigen::MatrixXd> Q, Workspace& ws) {
    const Index n = d.size();
    if (n <= kLeaf) {
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> qr;
        qr.computeFromTridiagonal(d, e, Eigen::ComputeEigenvectors);
        if (qr.info() != Eigen::Success) throw Error("symmetric eigenproblem: the tridiagonal QR did not converge");
        d = qr.eigenvalues();
        Q = qr.eigenvectors();
        return;
    }
    const Index m = n / 2;
    const double beta = e(m - 1), rho = std::abs(beta);
    d(m - 1) -= rho;
    d(m) -= rho;
    divide_and_conquer(d.head(m), e.head(m - 1), Q.topLeftCorner(m, m), ws);
    divide_and_conquer(d.tail(n - m), e.tail(n - m - 1), Q.bottomRightCorner(n - m, n - m), ws);
    Q.topRightCorner(m, n - m).setZero();
    Q.bottomLeftCorner(n - m, m).setZero();
    Eigen::VectorXd z(n);
    z.head(m) = Q.row(m - 1).head(m).transpose();
    z.tail(n - m) = (beta < 0.0 ? -1.0 : 1.0) * Q.row(m).tail(n - m).transpose();
    merge(d, Q, z, rho, m, ws);
}

// Everything the entry points share: the checked, scaled and reduced matrix.
struct Reduced {
    double scale = 0.0;  // max |a_ij|; the reduced matrix is A / scale (0: A = 0)
    Eigen::MatrixXd reflectors;
    Eigen::VectorXd diag, subdiag, tau;
};

Reduced reduce(const Eigen::MatrixXd& A) {
    Reduced r;
    r.scale = checked_scale(A);
    const Index n = A.rows();
    if (r.scale == 0.0 || n == 0) {
        r.diag = Eigen::VectorXd::Zero(n);
        r.subdiag = Eigen::VectorXd::Zero(std::max<Index>(n - 1, 0));
        return r;
    }
    r.reflectors = A / r.scale;
    tridiagonalize(r.reflectors, r.diag, r.subdiag, r.tau);
    return r;
}

// Q Z for the reduced matrix's Q (identity when A = 0).
void apply_q(const Reduced& r, Eigen::MatrixXd& Z) {
    const Index n = r.diag.size();
    if (r.scale == 0.0 || n < 2 || Z.cols() == 0) return;
    Eigen::HouseholderSequence<Eigen::MatrixXd, Eigen::VectorXd> H(r.reflectors, r.tau);
    H.setLength(n - 1).setShift(1);
    Z.applyOnTheLeft(H);
}

void check_tridiagonal(const Eigen::VectorXd& d, const Eigen::VectorXd& e) {
    if (e.size() != std::max<Index>(d.size() - 1, 0))
        throw Error("tridiagonal eigenproblem: " + std::to_string(d.size()) + " diagonal entries need " +
                    std::to_string(std::max<Index>(d.size() - 1, 0)) + " subdiagonal entries, not " +
                    std::to_string(e.size()));
    if (!d.allFinite() || !e.allFinite()) throw Error("tridiagonal eigenproblem: a non-finite entry");
}

SymmetricEigen solve_reduced(const Reduced& r) {
    const Index n = r.diag.size();
    SymmetricEigen out;
    out.values = r.diag;
    if (n == 0) {
        out.vectors.resize(0, 0);
        return out;
    }
    out.vectors.resize(n, n);
    Workspace ws(n);
    divide_and_conquer(out.values, r.subdiag, out.vectors, ws);
    out.values *= r.scale;
    return out;
}

}  // namespace

// 6. The entry points ---------------------------------------------------------------------------------------------
SymmetricEigen tridiagonal_eigen(const Eigen::VectorXd& d, const Eigen::VectorXd& e) {
    check_tridiagonal(d, e);
    const double scale = std::max(d.size() ? d.cwiseAbs().maxCoeff() : 0.0, e.size() ? e.cwiseAbs().maxCoeff() : 0.0);
    SymmetricEigen out;
    if (scale == 0.0) {
        out.values = Eigen::VectorXd::Zero(d.size());
        out.vectors = Eigen::MatrixXd::Identity(d.size(), d.size());
        return out;
    }
    out.values = d / scale;
    const Eigen::VectorXd es = e / scale;
    out.vectors.resize(d.size(), d.size());
    Workspace ws(d.size());
    if (d.size() > 0) divide_and_conquer(out.values, es, out.vectors, ws);
    out.values *= scale;
    return out;
}

Eigen::VectorXd symmetric_eigenvalues(const Eigen::MatrixXd& A) {
    const Reduced r = reduce(A);
    const Index n = r.diag.size();
    if (r.scale == 0.0 || n < 2) return r.diag * r.scale;
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> qr;
    qr.computeFromTridiagonal(r.diag, r.subdiag, Eigen::EigenvaluesOnly);
    if (qr.info() != Eigen::Success) throw Error("symmetric eigenproblem: the tridiagonal QR did not converge");
    return qr.eigenvalues() * r.scale;
}

namespace {

bool use_eigen_qr(const Eigen::MatrixXd& A, EigenRoute route) {
    return route == EigenRoute::EigenQR || (route == EigenRoute::Auto && A.rows() < kDivideMin);
}

// Eigen's solver on the checked, scaled matrix (lower triangle read, as ours).
SymmetricEigen eigen_qr(const Eigen::MatrixXd& A) {
    const double scale = checked_scale(A);
    SymmetricEigen out;
    if (scale == 0.0 || A.rows() == 0) {
        out.values = Eigen::VectorXd::Zero(A.rows());
        out.vectors = Eigen::MatrixXd::Identity(A.rows(), A.rows());
        return out;
    }
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> qr(A / scale, Eigen::ComputeEigenvectors);
    if (qr.info() != Eigen::Success) throw Error("symmetric eigenproblem: Eigen's QR did not converge");
    out.values = qr.eigenvalues() * scale;
    out.vectors = qr.eigenvectors();
    return out;
}

}  // namespace

SymmetricEigen symmetric_eigen(const Eigen::MatrixXd& A, EigenRoute route) {
    if (use_eigen_qr(A, route)) return eigen_qr(A);
    const Reduced r = reduce(A);
    SymmetricEigen out = solve_reduced(r);
    apply_q(r, out.vectors);
    return out;
}

SymmetricEigen symmetric_eigen_top(const Eigen::MatrixXd& A, Eigen::Index k, EigenRoute route) {
    checked_scale(A);
    const Index n = A.rows();
    if (k < 0 || k > n)
        throw Error("symmetric eigenproblem: asked for the " + std::to_string(k) + " largest eigenpairs of a " +
                    std::to_string(n) + " x " + std::to_string(n) + " matrix");
    SymmetricEigen out;
    if (use_eigen_qr(A, route)) {
        const SymmetricEigen all = eigen_qr(A);
        out.values = all.values.tail(k);
        out.vectors = all.vectors.rightCols(k);
        return out;
    }
    const Reduced r = reduce(A);
    SymmetricEigen all = solve_reduced(r);
    out.values = all.values.tail(k);
    out.vectors = all.vectors.rightCols(k);
    apply_q(r, out.vectors);
    return out;
}

}  // namespace strata
