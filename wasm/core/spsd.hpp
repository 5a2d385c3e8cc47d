// spsd.hpp: the SPSD point of a latent (docs/method.md section 3).
//
// Index: 1. covariance()  2. SpsdFactor (one mode's matrix as its eigendecomposition)
//        3. mode_factor() (from an unfolding, the cheaper way)  4. SpsdPoint and spsd_point()
//
// For each mode n the unfolding Z_(n) (I_n x m_n) gives
//     S(n) = Zc_(n) Zc_(n)^T / (m_n - 1)       (centred, the default)
//     S(n) = Z_(n) Z_(n)^T / m_n               (centered = false)
// Every later stage (ranks, metrics) needs the eigendecomposition of S(n), so a factor is stored
// as that decomposition, computed once per latent, in double precision.
#pragma once
#include "latent.hpp"

#include <Eigen/Dense>
#include <array>

namespace strata {

// 1. The covariance of the mode fibres. With centring and m_n < 2 there is no spread to measure
// and S is the zero matrix.
Eigen::MatrixXd covariance(const Eigen::MatrixXd& unfolding, bool centered);

// 2. One factor S = U diag(l) U^T ---------------------------------------------------------------
// The eigenvectors may be *thin*: I x k with k < I when S is known to vanish outside their span
// (mode_factor of a wide latent unfolding); eigenvalues k+1..I are then exactly 0.
struct SpsdFactor {
    int rows = 0;                  // I_n
    int cols = 0;                  // m_n (columns of the unfolding, for the rank rule)
    Eigen::VectorXd eigenvalues;   // all I of them, descending; round-off negatives clamped to 0
    Eigen::MatrixXd eigenvectors;  // I x k orthonormal columns for eigenvalues 1..k

    double trace() const { return eigenvalues.sum(); }
    Eigen::MatrixXd matrix() const;                 // U diag(l) U^T
    Eigen::MatrixXd complete_eigenvectors() const;  // I x I: thin vectors plus a basis of the rest
};

// Decomposes a symmetric PSD matrix (only its lower triangle is read).
SpsdFactor decompose(const Eigen::MatrixXd& S, int cols);

// 3. The factor of one unfolding Z (I x m). When I <= m it decomposes the I x I covariance. When
// I > m (mode 3 of a 64 x 7 x 7 latent: 64 x 49) S has rank <= m, and the m x m Gram matrix
// G = Zc^T Zc / (m - 1) has the same non-zero eigenvalues with eigenvectors V; then
// U = Zc V diag(sqrt((m - 1) l))^-1 are S's eigenvectors. That halves the work of the most
// expensive step of the analysis. Directions with eigenvalue at round-off level
// (l_i <= l_1 * m * 2^-52) are dropped from U and get l_i = 0.
SpsdFactor mode_factor(const Eigen::MatrixXd& unfolding, bool centered, bool gram_route = true);

// 4. The point P = (S(1), S(2), S(3)) of one latent ---------------------------------------------
struct SpsdPoint {
    std::array<SpsdFactor, 3> factors;   // factors[n-1] is mode n
};

// `gram_route = false` forces the direct I x I decomposition. The Gram route's eigenvectors for
// the smallest kept eigenvalues are accurate only to about eps * l_1 / l_i; that is harmless for
// `log-euclidean` and `bures-wasserstein` (which weight them by about l_i) but the
// `affine-invariant` and `fixed-rank` metrics amplify it, so they take the direct route.
SpsdPoint spsd_point(const double* z, const LatentShape& shape, bool centered, bool gram_route = true);

}  // namespace strata
