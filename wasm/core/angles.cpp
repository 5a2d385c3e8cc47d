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
}

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
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(M, Eigen::ComputeThinU | Eigen::ComputeThinV);
    const Eigen::VectorXd cosines = svd.singularValues();  // descending, k of them
    if (OA) *OA = svd.matrixU().leftCols(k);
    if (OB) *OB = svd.matrixV().leftCols(k);
    if (cos_out) *cos_out = cosines.cwiseMin(1.0);

    // Sines: singular values of the part of the smaller basis outside the larger span.
    const Eigen::MatrixXd R = (p >= q) ? Eigen::MatrixXd(QB - QA * M) : Eigen::MatrixXd(QA - QB * M.transpose());
    Eigen::JacobiSVD<Eigen::MatrixXd> svd_sin(R);
    const Eigen::VectorXd sines_desc = svd_sin.singularValues();  // k values, descending

    Eigen::VectorXd theta(k);
    for (Eigen::Index i = 0; i < k; ++i) {
        const double c = std::min(1.0, cosines(i));
        const double s = std::min(1.0, sines_desc(k - 1 - i));  // i-th smallest sine pairs with i-th largest cosine
        theta(i) = (c * c >= 0.5) ? std::asin(s) : std::acos(c);
    }
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
