// spsd.hpp: the SPSD point of a latent (METHOD.md section 3).
//
// Index: 1. covariance()  2. SpsdFactor (one mode's matrix as its eigendecomposition)
//        3. mode_factor() (from an unfolding: the fast or the accurate route)  4. SpsdPoint and spsd_point()
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

// 3. The factor of one unfolding Z (I x m), by one of two routes.
// Fast (the default): when I <= m it decomposes the I x I covariance. When I > m (mode 3 of a
// 64 x 7 x 7 latent: 64 x 49) S has rank <= m, and the m x m Gram matrix G = Zc^T Zc / (m - 1)
// has the same non-zero eigenvalues with eigenvectors V; then U = Zc V diag(sqrt((m - 1) l))^-1
// are S's eigenvectors. That halves the work of the most expensive step of the analysis.
// Directions with eigenvalue at round-off level (l_i <= l_1 * m * 2^-52) are dropped from U and
// get l_i = 0. Either way an eigenvalue carries an absolute error of about eps * l_1, so a small
// one (l_i near the rank threshold, 1e-11 l_1) and its eigenvector keep only a few digits.
// Accurate: the SVD Zc = U diag(s) W^T itself (Jacobi, QR-preconditioned), l_i = s_i^2 / (m - 1):
// singular values carry an error of about eps * s_1, so every eigenvalue above the rank
// threshold keeps about 10 digits, and so do the directions that go with it. It costs about
// twice the fast route per latent; the metrics that divide by small eigenvalues take it.
enum class FactorRoute { Fast, Accurate };
SpsdFactor mode_factor(const Eigen::MatrixXd& unfolding, bool centered, FactorRoute route = FactorRoute::Fast);

// 4. The point P = (S(1), S(2), S(3)) of one latent ---------------------------------------------
struct SpsdPoint {
    std::array<SpsdFactor, 3> factors;   // factors[n-1] is mode n
};

// The fast route is exact enough for `log-euclidean` (which adds spd_eps tr(S) / I to every
// eigenvalue) and `bures-wasserstein` (which weights a direction by about l_i); `affine-invariant`
// and `fixed-rank` divide by small eigenvalues and take the accurate route (analysis.cpp).
SpsdPoint spsd_point(const double* z, const LatentShape& shape, bool centered, FactorRoute route = FactorRoute::Fast);

}  // namespace strata
