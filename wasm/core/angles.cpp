// angles.cpp: principal angles by the sine/cosine method, and between kernel subspaces.
#include "angles.hpp"

#include "precision.hpp"
#include "products.hpp"
#include "symmetric_eigen.hpp"

#include <algorithm>
#include <cmath>

namespace strata {

namespace {
constexpr double kPi = 3.14159265358979323846;

// The SVD M = U diag(c) V^T (p x q, p >= q, singular values <= 1) through the symmetric
// eigenproblem of M^T M, several times faster than Jacobi's SVD: V are its eigenvectors (in
// descending order), c_i = ||M v_i|| (an absolute error of about eps, so a zero cosine stays
// below kZeroCosine), and U is the Householder QR of M V, whose columns are c_i u_i: the first of
// them normalised, the rest completed to an orthonormal basis. An eigenvector of M^T M is
// accurate to about eps / gap, where gap is the distance of c_i^2 to the others; so this route
// is taken only when every cosine is either at most kZeroCosine (a 90 degree angle, whose
// vectors span the null space of M exactly enough) or at least kResolved; and the
// sign of each u_i is chosen so that u_i^T M v_i = c_i. Returns false otherwise (and when p < q).
constexpr double kZeroCosine = 1e-10, kResolved = 1e-3;

bool cosine_svd_by_eigenvectors(const Eigen::MatrixXd& M, Eigen::MatrixXd& U, Eigen::VectorXd& c, Eigen::MatrixXd& V) {
    const Eigen::Index p = M.rows(), q = M.cols();
    if (p < q) return false;
    Eigen::MatrixXd G = Eigen::MatrixXd::Zero(q, q);
    G.selfadjointView<Eigen::Lower>().rankUpdate(M.transpose());
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(G);
    V = eig.eigenvectors().rowwise().reverse();  // descending
    const Eigen::MatrixXd MV = M * V;
    c = MV.colwise().norm().transpose();
    for (Eigen::Index i = 0; i < q; ++i) {
        if (c(i) > kZeroCosine && c(i) < kResolved) return false;
        if (i > 0 && c(i) > c(i - 1) * (1.0 + 1e-12) && c(i) - c(i - 1) > 1e-14) return false;  // out of order
    }
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(MV);
    U = qr.householderQ() * Eigen::MatrixXd::Identity(p, q);
    for (Eigen::Index i = 0; i < q; ++i)
        if (c(i) > kZeroCosine && U.col(i).dot(MV.col(i)) < 0.0) U.col(i) *= -1.0;
    return true;
}
}  // namespace

Eigen::VectorXd principal_angles_orthonormal(const Eigen::MatrixXd& QA, const Eigen::MatrixXd& QB, Eigen::MatrixXd* OA,
                                             Eigen::MatrixXd* OB, Eigen::VectorXd* cos_out) {
    const Eigen::Index p = QA.cols(), q = QB.cols(), k = std::min(p, q);
    if (k == 0) {
        if (OA) *OA = Eigen::MatrixXd(p, 0);
        if (OB) *OB = Eigen::MatrixXd(q, 0);
        if (cos_out) *cos_out = Eigen::VectorXd(0);
        return Eigen::VectorXd(0);
    }
    const Eigen::MatrixXd M = QA.transpose() * QB;  // p x q
    // One SVD gives both rotations, so blocks of equal cosines are paired consistently.
    Eigen::MatrixXd U, V;
    Eigen::VectorXd cosines;  // descending, k of them
    if (!cosine_svd_by_eigenvectors(M, U, cosines, V)) {
        Eigen::JacobiSVD<Eigen::MatrixXd> svd(M, Eigen::ComputeThinU | Eigen::ComputeThinV);
        cosines = svd.singularValues();
        U = svd.matrixU().leftCols(k);
        V = svd.matrixV().leftCols(k);
    }

    // Sines: the part of the smaller basis outside the larger span, R = QB - QA M when p >= q,
    // has R^T R = I - M^T M, so its right singular vectors are M's, V, and the columns of
    // R V = QB V - QA (M V) are orthogonal with norms sin(theta_i), each paired with its cosine.
    // Their norms are as accurate as R's singular values (an absolute error of about eps),
    // without a second SVD. Likewise (QA - QB M^T) U when p < q.
    const Eigen::MatrixXd R =
        (p >= q) ? Eigen::MatrixXd(QB * V - QA * (M * V)) : Eigen::MatrixXd(QA * U - QB * (M.transpose() * U));
    Eigen::VectorXd theta(k);
    for (Eigen::Index i = 0; i < k; ++i) {
        const double c = std::min(1.0, cosines(i));
        const double s = std::min(1.0, R.col(i).norm());
        theta(i) = (c * c >= 0.5) ? std::asin(s) : std::acos(c);
    }
    if (OA) *OA = U;
    if (OB) *OB = V;
    if (cos_out) *cos_out = cosines.cwiseMin(1.0);
    // Ascending already (cosines descend); enforce against ties from the two formulas.
    std::sort(theta.data(), theta.data() + k);
    return theta;
}

Eigen::MatrixXd orthonormal_basis(const Eigen::MatrixXd& A) {
    if (A.cols() == 0 || A.rows() == 0) return Eigen::MatrixXd(A.rows(), 0);
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(A, Eigen::ComputeThinU);
    const Eigen::VectorXd& s = svd.singularValues();
    const double tol = (s.size() ? s(0) : 0.0) * double(std::max(A.rows(), A.cols())) * kFloat64Eps;
    Eigen::Index r = 0;
    while (r < s.size() && s(r) > tol) ++r;
    return svd.matrixU().leftCols(r);
}

Eigen::VectorXd principal_angles(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
    return principal_angles_orthonormal(orthonormal_basis(A), orthonormal_basis(B));
}

Eigen::VectorXd kernel_principal_angles_deg(const Eigen::MatrixXd& aX, const Eigen::VectorXd& muX, int mX,
                                            const Eigen::MatrixXd& aY, const Eigen::VectorXd& muY, int mY,
                                            const Eigen::MatrixXd& Kc_XY) {
    if (mX <= 0 || mY <= 0) return Eigen::VectorXd(0);
    const Eigen::MatrixXd A = aX.leftCols(mX) * muX.head(mX).cwiseSqrt().cwiseInverse().asDiagonal();
    const Eigen::MatrixXd B = aY.leftCols(mY) * muY.head(mY).cwiseSqrt().cwiseInverse().asDiagonal();
    const Eigen::MatrixXd M = times(transposed_times(A, Kc_XY), B);
    // The cosines are the singular values of M, i.e. the square roots of the eigenvalues of the
    // smaller of M^T M and M M^T (a symmetric eigenvalue problem, several times faster than an SVD
    // of a few hundred on a side). Squaring costs nothing that matters here: cosines near 1 (small
    // angles) keep full accuracy, and arccos itself limits small angles to about 1e-8 rad.
    const Eigen::MatrixXd Gram = M.rows() >= M.cols() ? transposed_times(M, M) : times(M, M.transpose());
    const Eigen::VectorXd s = symmetric_eigenvalues(Gram).cwiseMax(0.0).cwiseSqrt();
    Eigen::VectorXd deg(s.size());
    for (Eigen::Index i = 0; i < s.size(); ++i) deg(i) = std::acos(std::min(1.0, s(i))) * 180.0 / kPi;
    std::sort(deg.data(), deg.data() + deg.size());
    return deg;
}

}  // namespace strata
