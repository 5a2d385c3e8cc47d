// test_angles.cpp: principal angles between explicit bases and between kernel subspaces.
#include "angles.hpp"
#include "helpers.hpp"
#include "kernel.hpp"

#include <doctest/doctest.h>
#include <cmath>

using namespace strata;

namespace {

// span(e1, e2) against span(cos a e1 + sin a e3, cos b e2 + sin b e4), rotated by Q.
void planes(double a, double b, const Eigen::MatrixXd& Q, Eigen::MatrixXd& A, Eigen::MatrixXd& B) {
    A = Eigen::MatrixXd::Zero(6, 2);
    B = Eigen::MatrixXd::Zero(6, 2);
    A(0, 0) = 1;
    A(1, 1) = 1;
    B(0, 0) = std::cos(a);
    B(2, 0) = std::sin(a);
    B(1, 1) = std::cos(b);
    B(3, 1) = std::sin(b);
    A = Q * A;
    B = Q * B;
}

}  // namespace

TEST_CASE("rotations with known principal angles") {
    std::mt19937 rng(20);
    const Eigen::MatrixXd Q = test::random_orthogonal(6, rng);
    Eigen::MatrixXd A, B;
    planes(0.2, 1.3, Q, A, B);
    const Eigen::VectorXd t = principal_angles_orthonormal(A, B);
    REQUIRE(t.size() == 2);
    CHECK(t(0) == doctest::Approx(0.2).epsilon(1e-12));
    CHECK(t(1) == doctest::Approx(1.3).epsilon(1e-12));
    // Spanning sets that are not orthonormal give the same angles.
    Eigen::Matrix2d mix;
    mix << 2.0, 1.0, -0.5, 3.0;
    const Eigen::VectorXd t2 = principal_angles(A * mix, B * mix.transpose());
    CHECK(t2(0) == doctest::Approx(0.2).epsilon(1e-10));
    CHECK(t2(1) == doctest::Approx(1.3).epsilon(1e-10));
    // Orthogonal planes: both angles pi/2.
    planes(M_PI / 2, M_PI / 2, Q, A, B);
    const Eigen::VectorXd t3 = principal_angles(A, B);
    CHECK(t3(0) == doctest::Approx(M_PI / 2).epsilon(1e-12));
}

TEST_CASE("small angles are accurate (sine branch), where arccos alone would fail") {
    std::mt19937 rng(21);
    const Eigen::MatrixXd Q = test::random_orthogonal(6, rng);
    Eigen::MatrixXd A, B;
    planes(1e-10, 3e-7, Q, A, B);
    const Eigen::VectorXd t = principal_angles(A, B);
    CHECK(t(0) == doctest::Approx(1e-10).epsilon(1e-4));
    CHECK(t(1) == doctest::Approx(3e-7).epsilon(1e-6));
    // The naive formula cannot see 1e-10: arccos of a cosine that rounds to 1.
    CHECK(std::acos(std::min(1.0, std::cos(1e-10))) == 0.0);
}

TEST_CASE("subspaces of different dimension: min(p, q) angles, rotations returned") {
    std::mt19937 rng(22);
    const Eigen::MatrixXd Q = test::random_orthogonal(5, rng);
    const Eigen::MatrixXd A = Q.leftCols(3), B = Q.col(1);
    Eigen::MatrixXd OA, OB;
    const Eigen::VectorXd t = principal_angles_orthonormal(A, B, &OA, &OB);
    REQUIRE(t.size() == 1);
    CHECK(t(0) == doctest::Approx(0.0).scale(1.0));
    CHECK(OA.rows() == 3);
    CHECK(OB.rows() == 1);
    // The rotated bases align: (A OA) and (B OB) are the same unit vector up to sign.
    CHECK(std::abs((A * OA).col(0).dot((B * OB).col(0))) == doctest::Approx(1.0));
}

TEST_CASE("kernel subspace angles: a set against itself is 0, against different points > 0") {
    std::mt19937 rng(23);
    std::normal_distribution<double> g;
    Eigen::MatrixXd X(30, 4), Y(30, 4);
    for (int i = 0; i < X.size(); ++i) X.data()[i] = g(rng);
    for (int i = 0; i < Y.size(); ++i) Y.data()[i] = X.data()[i] + 0.8 * g(rng);
    auto sqdist = [](const Eigen::MatrixXd& P, const Eigen::MatrixXd& R) {
        Eigen::MatrixXd D(P.rows(), R.rows());
        for (int i = 0; i < P.rows(); ++i)
            for (int j = 0; j < R.rows(); ++j) D(i, j) = (P.row(i) - R.row(j)).squaredNorm();
        return D;
    };
    const double h = median_bandwidth(sqdist(X, X));
    const Eigen::MatrixXd KXX = gaussian_kernel(sqdist(X, X), h), KYY = gaussian_kernel(sqdist(Y, Y), h),
                          KXY = gaussian_kernel(sqdist(X, Y), h);
    const KernelSpectrum sx = kernel_spectrum(KXX), sy = kernel_spectrum(KYY);
    const int mx = hilbert_dimension(sx.mu, 0.9), my = hilbert_dimension(sy.mu, 0.9);
    const Eigen::VectorXd self =
        kernel_principal_angles_deg(sx.vectors, sx.mu, mx, sx.vectors, sx.mu, mx, center_kernel(KXX));
    REQUIRE(self.size() == mx);
    CHECK(self.allFinite());  // maxCoeff may pass over a NaN
    CHECK(self.maxCoeff() < 1e-5);
    const Eigen::VectorXd other =
        kernel_principal_angles_deg(sx.vectors, sx.mu, mx, sy.vectors, sy.mu, my, center_kernel(KXY));
    CHECK(other.size() == std::min(mx, my));
    CHECK(other.allFinite());
    CHECK(other.maxCoeff() > 1.0);
    for (int i = 1; i < other.size(); ++i) CHECK(other(i) >= other(i - 1));
    CHECK(other.maxCoeff() <= 90.0);
}
