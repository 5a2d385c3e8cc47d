// kernel.hpp: the Gaussian kernel and the Hilbert-space view of a set (docs/method.md section 6).
//
// Index: 1. bandwidth (median heuristic)  2. kernel and centring  3. spectrum and Hilbert-space
//        dimensionality  4. kernel-PCA 2-D view with out-of-sample projection
#pragma once
#include <Eigen/Dense>

namespace strata {

// 1. Median of the pairwise distances d_ij (i < j) of a set, from its squared-distance matrix.
// An even count averages the two middle values (as numpy.median). Throws for fewer than 2 points.
double median_bandwidth(const Eigen::MatrixXd& D2);

// 2. K_ij = exp(-d_ij^2 / (2 h^2)) ------------------------------------------------------------------
Eigen::MatrixXd gaussian_kernel(const Eigen::MatrixXd& D2, double h);
// J_a K J_b with J = I - 11^T/n: removes row and column means (each set centred on its own mean).
Eigen::MatrixXd center_kernel(const Eigen::MatrixXd& K);

// 3. The spectrum of one set's kernel ----------------------------------------------------------------
struct KernelSpectrum {
    double min_eigenvalue = 0.0;  // of the uncentred K, before any clipping (< 0: not PSD)
    Eigen::VectorXd mu;           // eigenvalues of Kc = J K J, descending, negatives clipped to 0
    Eigen::MatrixXd vectors;      // unit eigenvectors of Kc in the same order; each column's
                                  // largest-magnitude entry is positive (a fixed sign)
};
KernelSpectrum kernel_spectrum(const Eigen::MatrixXd& K);

// dim_eta: the smallest m with mu_1 + ... + mu_m >= eta * sum(mu). 0 when sum(mu) = 0.
int hilbert_dimension(const Eigen::VectorXd& mu, double energy);

// 4. Kernel PCA -------------------------------------------------------------------------------------
// Coordinates of the training points on the top `components` components: sqrt(mu_c) a_c.
// Components with mu_c = 0 give 0.
Eigen::MatrixXd kpca_coordinates(const KernelSpectrum& spectrum, int components);
// Out-of-sample: rows of K_test (t x N, kernel of test points against the N training points) are
// centred with the training kernel's statistics (consistent with Kc) and projected:
// (k - mean(k) - colmean(K) + mean(K)) . a_c / sqrt(mu_c).
Eigen::MatrixXd kpca_project(const Eigen::MatrixXd& K_train, const KernelSpectrum& spectrum,
                             const Eigen::MatrixXd& K_test, int components);

}  // namespace strata
