// angles.hpp: principal angles between subspaces (docs/method.md sections 5 and 7).
//
// Index: 1. between orthonormal bases (with the rotations the fixed-rank metric needs)
//        2. between the spans of any two matrices  3. between kernel subspaces
//
// Small angles are computed from sines, large ones from cosines (Knyazev and Argentati 2002, as
// scipy.linalg.subspace_angles does): arccos alone loses all accuracy below about 1e-8 rad.
#pragma once
#include <Eigen/Dense>

namespace strata {

// 1. QA (n x p) and QB (n x q) with orthonormal columns. Returns the min(p, q) angles in radians,
// ascending. If OA and OB are given they receive the rotations of one SVD
// QA^T QB = OA cos(Theta) OB^T (p x k and q x k, k = min(p, q)), column k matching angle k, and
// `cosines` that SVD's singular values (descending, clipped to [0, 1]). The angles themselves come
// from the sine/cosine method, not from these cosines alone.
Eigen::VectorXd principal_angles_orthonormal(const Eigen::MatrixXd& QA, const Eigen::MatrixXd& QB,
                                             Eigen::MatrixXd* OA = nullptr, Eigen::MatrixXd* OB = nullptr,
                                             Eigen::VectorXd* cosines = nullptr);

// 2. Angles between span(A) and span(B), any columns (orthonormalised first; columns that add no
// direction are dropped). Radians, ascending.
Eigen::VectorXd principal_angles(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B);

// An orthonormal basis of span(A): left singular vectors with s_i > s_1 * max(n, p) * 2^-52.
Eigen::MatrixXd orthonormal_basis(const Eigen::MatrixXd& A);

// 3. Section 7: angles between the clean subspace (top mX eigenvectors aX of Kc_XX with
// eigenvalues muX) and the noisy one (top mY of Kc_YY) in the kernel's feature space, given the
// centred cross-kernel Kc_XY = J K_XY J. Cosines are the singular values of
// M = A^T Kc_XY B with A = aX diag(muX^-1/2), B = aY diag(muY^-1/2); in feature space only inner
// products exist, so theta = arccos(min(1, s)) as docs/method.md fixes it (accurate to about 1e-6
// degrees). Degrees, ascending.
Eigen::VectorXd kernel_principal_angles_deg(const Eigen::MatrixXd& aX, const Eigen::VectorXd& muX, int mX,
                                            const Eigen::MatrixXd& aY, const Eigen::VectorXd& muY, int mY,
                                            const Eigen::MatrixXd& Kc_XY);

}  // namespace strata
