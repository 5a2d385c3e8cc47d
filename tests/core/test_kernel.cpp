// test_kernel.cpp: bandwidth, kernel, centring, spectrum, Hilbert dimensionality, kernel PCA.
#include "error.hpp"
#include "kernel.hpp"

#include <doctest/doctest.h>
#include <cmath>
#include <random>

using namespace strata;

namespace {

Eigen::MatrixXd line_distances(const std::vector<double>& x) {
    Eigen::MatrixXd D(Eigen::Index(x.size()), Eigen::Index(x.size()));
    for (std::size_t i = 0; i < x.size(); ++i)
        for (std::size_t j = 0; j < x.size(); ++j) D(Eigen::Index(i), Eigen::Index(j)) = (x[i] - x[j]) * (x[i] - x[j]);
    return D;
}

}  // namespace

TEST_CASE("median bandwidth of points on a line") {
    CHECK(median_bandwidth(line_distances({0, 1, 3})) == doctest::Approx(2.0));     // 1, 3, 2
    CHECK(median_bandwidth(line_distances({0, 1, 3, 7})) == doctest::Approx(3.5));  // 1,3,7,2,6,4
    CHECK_THROWS_AS(median_bandwidth(line_distances({1})), Error);
}

TEST_CASE("Gaussian kernel of Euclidean distances is positive definite") {
    // Distinct points, a bandwidth near their spacing: well conditioned, so positivity shows
    // above round-off (a wide bandwidth is positive definite too, but only by ~1e-15).
    std::mt19937 rng(30);
    std::uniform_real_distribution<double> u(0, 0.5);
    std::vector<double> x(20);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = double(i) + u(rng);
    const Eigen::MatrixXd D = line_distances(x);
    const Eigen::MatrixXd K = gaussian_kernel(D, 1.0);
    CHECK(K(0, 0) == 1.0);
    CHECK(K(0, 1) == doctest::Approx(std::exp(-D(0, 1) / 2.0)));
    const KernelSpectrum s = kernel_spectrum(K);
    CHECK(s.min_eigenvalue > 1e-3);
    // A distance that is not Euclidean can break it: three points with d(0,2) > d(0,1) + d(1,2).
    Eigen::Matrix3d bad;
    bad << 0, 1, 100, 1, 0, 1, 100, 1, 0;
    CHECK(kernel_spectrum(gaussian_kernel(bad, 2.0)).min_eigenvalue < -0.2);
}

TEST_CASE("centring removes row and column means") {
    Eigen::MatrixXd K(3, 4);
    K << 1, 2, 3, 4, 2, 0, 1, 1, 5, 5, 0, 2;
    const Eigen::MatrixXd Kc = center_kernel(K);
    CHECK(Kc.rowwise().sum().norm() < 1e-12);
    CHECK(Kc.colwise().sum().norm() < 1e-12);
}

TEST_CASE("Hilbert-space dimensionality at an energy threshold") {
    const Eigen::Vector4d mu(4, 3, 2, 1);
    CHECK(hilbert_dimension(mu, 0.4) == 1);
    CHECK(hilbert_dimension(mu, 0.7) == 2);  // 7 of 10
    CHECK(hilbert_dimension(mu, 0.71) == 3);
    CHECK(hilbert_dimension(mu, 1.0) == 4);
    CHECK(hilbert_dimension(Eigen::Vector4d::Zero(), 0.95) == 0);
}

TEST_CASE("spectrum: descending, clipped, sign-fixed; kernel PCA out-of-sample reproduces training points") {
    std::mt19937 rng(31);
    std::normal_distribution<double> g;
    std::vector<double> x(25);
    for (double& v : x) v = g(rng);
    const Eigen::MatrixXd D = line_distances(x);
    const Eigen::MatrixXd K = gaussian_kernel(D, 1.0);
    const KernelSpectrum s = kernel_spectrum(K);
    for (int i = 1; i < s.mu.size(); ++i) CHECK(s.mu(i) <= s.mu(i - 1));
    CHECK(s.mu.allFinite());  // minCoeff may pass over a NaN
    CHECK(s.mu.minCoeff() >= 0.0);
    Eigen::Index at;
    s.vectors.col(0).cwiseAbs().maxCoeff(&at);
    CHECK(s.vectors(at, 0) > 0.0);
    const Eigen::MatrixXd Y = kpca_coordinates(s, 2), Yp = kpca_project(K, s, K, 2);
    CHECK((Y - Yp).norm() < 1e-9);
    // The coordinates are centred, and their squared norm per component is mu_c.
    CHECK(Y.col(0).sum() == doctest::Approx(0.0).scale(1.0));
    CHECK(Y.col(0).squaredNorm() == doctest::Approx(s.mu(0)));
}
