// kernel.cpp: bandwidth, Gaussian kernel, centring, spectrum, kernel PCA.
#include "kernel.hpp"

#include "error.hpp"
#include "symmetric_eigen.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace strata {

// 1. Bandwidth --------------------------------------------------------------------------------------
double median_bandwidth(const Eigen::MatrixXd& D2) {
    const Eigen::Index n = D2.rows();
    if (n < 2) throw Error("the median bandwidth needs at least 2 points");
    std::vector<double> d;
    d.reserve(std::size_t(n * (n - 1) / 2));
    for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index i = 0; i < j; ++i) d.push_back(std::sqrt(std::max(0.0, D2(i, j))));
    const std::size_t mid = d.size() / 2;
    std::nth_element(d.begin(), d.begin() + std::ptrdiff_t(mid), d.end());
    const double upper = d[mid];
    if (d.size() % 2 == 1) return upper;
    const double lower = *std::max_element(d.begin(), d.begin() + std::ptrdiff_t(mid));
    return 0.5 * (lower + upper);
}

// 2. Kernel and centring ---------------------------------------------------------------------------------
Eigen::MatrixXd gaussian_kernel(const Eigen::MatrixXd& D2, double h) {
    return (D2.array() * (-1.0 / (2.0 * h * h))).exp().matrix();
}

Eigen::MatrixXd center_kernel(const Eigen::MatrixXd& K) {
    const Eigen::RowVectorXd col_mean = K.colwise().mean();
    const Eigen::VectorXd row_mean = K.rowwise().mean();
    const double mean = K.mean();
    Eigen::MatrixXd Kc = K;
    Kc.rowwise() -= col_mean;
    Kc.colwise() -= row_mean;
    Kc.array() += mean;
    return Kc;
}

// 3. Spectrum ---------------------------------------------------------------------------------------------
KernelSpectrum kernel_spectrum(const Eigen::MatrixXd& K) {
    KernelSpectrum out;
    // The core's solver (symmetric_eigen.hpp): eigenvalues only for K, all pairs of Kc by divide and
    // conquer from a few hundred points on.
    out.min_eigenvalue = K.rows() ? symmetric_eigenvalues(K)(0) : 0.0;

    Eigen::MatrixXd Kc = center_kernel(K);
    Kc = (0.5 * (Kc + Kc.transpose())).eval();  // exactly symmetric
    const SymmetricEigen eig = symmetric_eigen(Kc);
    out.mu = eig.values.reverse().cwiseMax(0.0);
    out.vectors = eig.vectors.rowwise().reverse();
    for (Eigen::Index c = 0; c < out.vectors.cols(); ++c) {
        Eigen::Index at;
        out.vectors.col(c).cwiseAbs().maxCoeff(&at);
        if (out.vectors(at, c) < 0) out.vectors.col(c) *= -1.0;
    }
    return out;
}

int hilbert_dimension(const Eigen::VectorXd& mu, double energy) {
    const double total = mu.sum();
    if (!(total > 0.0)) return 0;
    double acc = 0.0;
    for (Eigen::Index m = 0; m < mu.size(); ++m) {
        acc += mu(m);
        // A relative slack of a few ulps keeps energy = 1 from missing the total by round-off.
        if (acc >= energy * total * (1.0 - 1e-12)) return int(m + 1);
    }
    return int(mu.size());
}

// 4. Kernel PCA ---------------------------------------------------------------------------------------------
Eigen::MatrixXd kpca_coordinates(const KernelSpectrum& s, int components) {
    const Eigen::Index n = s.vectors.rows(), k = std::min<Eigen::Index>(components, s.mu.size());
    Eigen::MatrixXd Y = Eigen::MatrixXd::Zero(n, components);
    for (Eigen::Index c = 0; c < k; ++c) Y.col(c) = std::sqrt(s.mu(c)) * s.vectors.col(c);
    return Y;
}

Eigen::MatrixXd kpca_project(const Eigen::MatrixXd& K_train, const KernelSpectrum& s, const Eigen::MatrixXd& K_test,
                             int components) {
    Eigen::MatrixXd Kt = K_test;
    Kt.rowwise() -= K_train.colwise().mean();
    Kt.colwise() -= K_test.rowwise().mean();
    Kt.array() += K_train.mean();
    const Eigen::Index k = std::min<Eigen::Index>(components, s.mu.size());
    Eigen::MatrixXd Y = Eigen::MatrixXd::Zero(K_test.rows(), components);
    for (Eigen::Index c = 0; c < k; ++c)
        if (s.mu(c) > 0.0) Y.col(c) = Kt * s.vectors.col(c) / std::sqrt(s.mu(c));
    return Y;
}

}  // namespace strata
