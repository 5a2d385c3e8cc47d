// spsd.cpp: covariances of the mode fibres and their eigendecompositions (fast and accurate routes).
#include "spsd.hpp"

#include "products.hpp"

namespace strata {

Eigen::MatrixXd covariance(const Eigen::MatrixXd& Z, bool centered) {
    const Eigen::Index I = Z.rows(), m = Z.cols();
    Eigen::MatrixXd S = Eigen::MatrixXd::Zero(I, I);
    if (centered) {
        if (m < 2) return S;
        const Eigen::MatrixXd Zc = Z.colwise() - Z.rowwise().mean();
        S.selfadjointView<Eigen::Lower>().rankUpdate(Zc, 1.0 / double(m - 1));
    } else {
        if (m < 1) return S;
        S.selfadjointView<Eigen::Lower>().rankUpdate(Z, 1.0 / double(m));
    }
    return S;  // lower triangle filled; decompose() reads only that
}

Eigen::MatrixXd SpsdFactor::matrix() const {
    const Eigen::Index k = eigenvectors.cols();
    return eigenvectors * eigenvalues.head(k).asDiagonal() * eigenvectors.transpose();
}

Eigen::MatrixXd SpsdFactor::complete_eigenvectors() const {
    const Eigen::Index k = eigenvectors.cols();
    if (k == rows) return eigenvectors;
    // Householder QR of U: the last I - k columns of Q are an orthonormal basis of span(U)'s complement.
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(eigenvectors);
    const Eigen::MatrixXd Q = qr.householderQ() * Eigen::MatrixXd::Identity(rows, rows);
    Eigen::MatrixXd full(rows, rows);
    full << eigenvectors, Q.rightCols(rows - k);
    return full;
}

SpsdFactor decompose(const Eigen::MatrixXd& S, int cols) {
    // SelfAdjointEigenSolver is backward stable: eigenvalues carry an absolute error of about
    // eps * ||S||, far below the rank rule's threshold (see rank.hpp).
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(S, Eigen::ComputeEigenvectors);
    SpsdFactor f;
    f.rows = int(S.rows());
    f.cols = cols;
    // Eigen returns ascending order; the method speaks of l_1 >= l_2 >= ...
    f.eigenvalues = eig.eigenvalues().reverse().cwiseMax(0.0);
    f.eigenvectors = eig.eigenvectors().rowwise().reverse();
    return f;
}

namespace {

// The accurate route: the SVD of the (centred) unfolding.
SpsdFactor svd_factor(const Eigen::MatrixXd& Z, bool centered) {
    const Eigen::Index I = Z.rows(), m = Z.cols();
    const Eigen::MatrixXd Zc = centered ? Eigen::MatrixXd(Z.colwise() - Z.rowwise().mean()) : Z;
    const double scale = centered ? 1.0 / double(m - 1) : 1.0 / double(m);
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(Zc, Eigen::ComputeThinU);
    const Eigen::Index k = svd.singularValues().size();   // min(I, m)
    SpsdFactor f;
    f.rows = int(I);
    f.cols = int(m);
    f.eigenvalues = Eigen::VectorXd::Zero(I);
    f.eigenvalues.head(k) = svd.singularValues().array().square() * scale;
    f.eigenvectors = svd.matrixU();   // I x k: S vanishes outside their span
    return f;
}

}  // namespace

SpsdFactor mode_factor(const Eigen::MatrixXd& Z, bool centered, FactorRoute route) {
    const Eigen::Index I = Z.rows(), m = Z.cols();
    if ((centered && m < 2) || m < 1 || I < 1) return decompose(covariance(Z, centered), int(m));   // S = 0
    if (route == FactorRoute::Accurate) return svd_factor(Z, centered);
    if (I <= m) return decompose(covariance(Z, centered), int(m));

    const Eigen::MatrixXd Zc = centered ? Eigen::MatrixXd(Z.colwise() - Z.rowwise().mean()) : Z;
    const double scale = centered ? 1.0 / double(m - 1) : 1.0 / double(m);
    const Eigen::MatrixXd G = lower_gram(Zc, scale);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(G, Eigen::ComputeEigenvectors);
    const Eigen::VectorXd l = eig.eigenvalues().reverse().cwiseMax(0.0);

    const double tol = (l.size() ? l(0) : 0.0) * double(m) * 2.220446049250313e-16;
    Eigen::Index k = 0;
    while (k < m && l(k) > tol) ++k;
    SpsdFactor f;
    f.rows = int(I);
    f.cols = int(m);
    f.eigenvalues = Eigen::VectorXd::Zero(I);
    f.eigenvalues.head(k) = l.head(k);
    // u_i = Zc v_i / ||Zc v_i|| with ||Zc v_i||^2 = l_i / scale.
    const Eigen::MatrixXd V = eig.eigenvectors().rowwise().reverse().leftCols(k);
    f.eigenvectors = times(Zc, V) * (l.head(k) / scale).cwiseSqrt().cwiseInverse().asDiagonal();
    return f;
}

SpsdPoint spsd_point(const double* z, const LatentShape& shape, bool centered, FactorRoute route) {
    SpsdPoint p;
    for (int mode = 1; mode <= 3; ++mode) p.factors[mode - 1] = mode_factor(unfold(z, shape, mode), centered, route);
    return p;
}

}  // namespace strata
