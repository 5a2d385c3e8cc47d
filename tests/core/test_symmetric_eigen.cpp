// test_symmetric_eigen.cpp: the dense symmetric eigensolver against closed forms and Eigen's solver.
//
// Index: 1. checks shared by the cases  2. closed forms  3. hard spectra (clustered, repeated,
//        rank-deficient, graded, kernel-like)  4. random sizes against Eigen  5. top-k
//        6. defined behaviour (n = 0, 1, zero matrix, extreme scales, bad input)
#include "error.hpp"
#include "helpers.hpp"
#include "symmetric_eigen.hpp"

#include <doctest/doctest.h>
#include <cmath>
#include <limits>
#include <random>

using namespace strata;

namespace {

constexpr double kPi = 3.14159265358979323846;

// Divide and conquer at every size (EigenRoute::Auto would hand small matrices to Eigen's solver).
SymmetricEigen dc(const Eigen::MatrixXd& A) { return symmetric_eigen(A, EigenRoute::DivideAndConquer); }

// 1. Every decomposition must be orthonormal, a small residual relative to ||A||, ascending and
// finite (a NaN fails every comparison below).
void check_pairs(const Eigen::MatrixXd& A, const SymmetricEigen& e, double tol = 1e-12) {
    const Eigen::Index n = A.rows(), k = e.values.size();
    REQUIRE(e.vectors.rows() == n);
    REQUIRE(e.vectors.cols() == k);
    CHECK(e.values.allFinite());
    CHECK(e.vectors.allFinite());
    for (Eigen::Index i = 1; i < k; ++i) CHECK(e.values(i - 1) <= e.values(i));
    const double norm = std::max(A.norm(), std::numeric_limits<double>::min());
    const double orth = (e.vectors.transpose() * e.vectors - Eigen::MatrixXd::Identity(k, k)).norm();
    const double res = (A * e.vectors - e.vectors * e.values.asDiagonal()).norm() / norm;
    CHECK(orth <= tol);
    CHECK(res <= tol);
}

// Eigenvalues against Eigen's solver, to tol * ||A||.
void check_values_against_eigen(const Eigen::MatrixXd& A, const Eigen::VectorXd& values, double tol = 1e-12) {
    const Eigen::VectorXd ref = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(A, Eigen::EigenvaluesOnly).eigenvalues();
    REQUIRE(values.size() == ref.size());
    const double err = (values - ref).cwiseAbs().maxCoeff() / A.norm();
    CHECK(err <= tol);
}

Eigen::MatrixXd symmetric_random(int n, std::mt19937& rng) {
    std::normal_distribution<double> g;
    Eigen::MatrixXd A(n, n);
    for (int j = 0; j < n; ++j)
        for (int i = j; i < n; ++i) A(i, j) = A(j, i) = g(rng);
    return A;
}

// Q diag(l) Q^T for a random orthogonal Q.
Eigen::MatrixXd with_spectrum(const Eigen::VectorXd& l, std::mt19937& rng) {
    const Eigen::MatrixXd Q = test::random_orthogonal(int(l.size()), rng);
    Eigen::MatrixXd A = Q * l.asDiagonal() * Q.transpose();
    return (0.5 * (A + A.transpose())).eval();
}

// The 1-2-1 matrix tridiag(-1, 2, -1): eigenvalues 2 - 2 cos(j pi / (n + 1)), vectors sin(i j pi / (n + 1)).
Eigen::MatrixXd one_two_one(int n) {
    Eigen::MatrixXd T = Eigen::MatrixXd::Zero(n, n);
    for (int i = 0; i < n; ++i) {
        T(i, i) = 2.0;
        if (i + 1 < n) T(i + 1, i) = T(i, i + 1) = -1.0;
    }
    return T;
}

}  // namespace

// 2. Closed forms ----------------------------------------------------------------------------------------------
TEST_CASE("symmetric eigen: the 1-2-1 matrix, dense and tridiagonal") {
    for (int n : {7, 25, 26, 100, 301}) {
        CAPTURE(n);
        const Eigen::MatrixXd T = one_two_one(n);
        Eigen::VectorXd exact(n);
        for (int j = 1; j <= n; ++j) exact(j - 1) = 2.0 - 2.0 * std::cos(j * kPi / (n + 1));
        const SymmetricEigen e = dc(T);
        check_pairs(T, e);
        CHECK((e.values - exact).cwiseAbs().maxCoeff() <= 1e-13);
        CHECK((symmetric_eigenvalues(T) - exact).cwiseAbs().maxCoeff() <= 1e-13);
        // Simple eigenvalues: each vector is the closed form up to its sign.
        for (int j = 1; j <= n; ++j) {
            Eigen::VectorXd v(n);
            for (int i = 1; i <= n; ++i) v(i - 1) = std::sin(i * j * kPi / (n + 1));
            v.normalize();
            CHECK(std::abs(std::abs(v.dot(e.vectors.col(j - 1))) - 1.0) <= 1e-12);
        }
        const SymmetricEigen t =
            tridiagonal_eigen(Eigen::VectorXd::Constant(n, 2.0), Eigen::VectorXd::Constant(n - 1, -1.0));
        check_pairs(T, t);
        CHECK((t.values - exact).cwiseAbs().maxCoeff() <= 1e-13);
    }
}

TEST_CASE("symmetric eigen: diagonal matrices, with repeated entries") {
    std::mt19937 rng(11);
    std::uniform_int_distribution<int> pick(-5, 5);
    for (int n : {30, 120}) {
        CAPTURE(n);
        Eigen::VectorXd diag(n);
        for (int i = 0; i < n; ++i) diag(i) = pick(rng);  // many exact repeats
        const Eigen::MatrixXd A = diag.asDiagonal();
        const SymmetricEigen e = dc(A);
        check_pairs(A, e);
        Eigen::VectorXd sorted = diag;
        std::sort(sorted.data(), sorted.data() + n);
        CHECK((e.values - sorted).cwiseAbs().maxCoeff() == 0.0);
        CHECK((symmetric_eigenvalues(A) - sorted).cwiseAbs().maxCoeff() == 0.0);
    }
}

TEST_CASE("symmetric eigen: identity plus rank one") {
    std::mt19937 rng(12);
    std::normal_distribution<double> g;
    for (int n : {40, 300}) {
        CAPTURE(n);
        Eigen::VectorXd u(n);
        for (int i = 0; i < n; ++i) u(i) = g(rng);
        const double c = 0.7;
        const Eigen::MatrixXd A = Eigen::MatrixXd::Identity(n, n) + c * u * u.transpose();
        const SymmetricEigen e = dc(A);
        check_pairs(A, e);
        CHECK((e.values.head(n - 1).array() - 1.0).abs().maxCoeff() <= 1e-12 * A.norm());
        CHECK(std::abs(e.values(n - 1) - (1.0 + c * u.squaredNorm())) <= 1e-12 * A.norm());
        // The top vector is u's direction.
        CHECK(std::abs(std::abs(e.vectors.col(n - 1).dot(u.normalized())) - 1.0) <= 1e-12);
    }
}

// 3. Hard spectra ------------------------------------------------------------------------------------------------
TEST_CASE("symmetric eigen: clustered and exactly repeated eigenvalues") {
    std::mt19937 rng(13);
    for (int n : {60, 250}) {
        CAPTURE(n);
        Eigen::VectorXd l(n);
        for (int i = 0; i < n; ++i) {
            if (i < n / 3) l(i) = 1.0 + 1e-13 * i;       // a tight cluster
            else if (i < 2 * n / 3) l(i) = -2.0;         // an exactly repeated value
            else l(i) = double(i) / n + 1e-9 * (i % 3);  // close pairs
        }
        const Eigen::MatrixXd A = with_spectrum(l, rng);
        const SymmetricEigen e = dc(A);
        check_pairs(A, e);
        Eigen::VectorXd sorted = l;
        std::sort(sorted.data(), sorted.data() + n);
        CHECK((e.values - sorted).cwiseAbs().maxCoeff() <= 1e-12 * A.norm());
        check_values_against_eigen(A, symmetric_eigenvalues(A));
    }
    // Wilkinson's W21+ glued into a long tridiagonal: pairs of eigenvalues agreeing to many digits.
    const int m = 21, copies = 12, n = m * copies;
    Eigen::VectorXd d(n), sub(n - 1);
    for (int c = 0; c < copies; ++c)
        for (int i = 0; i < m; ++i) d(c * m + i) = std::abs(10 - i);
    for (int i = 0; i < n - 1; ++i) sub(i) = ((i + 1) % m == 0) ? 1e-10 : 1.0;
    Eigen::MatrixXd T = Eigen::MatrixXd::Zero(n, n);
    T.diagonal() = d;
    T.diagonal(-1) = sub;
    T.diagonal(1) = sub;
    const SymmetricEigen t = tridiagonal_eigen(d, sub);
    check_pairs(T, t);
    check_values_against_eigen(T, t.values);
    check_pairs(T, dc(T));
}

TEST_CASE("symmetric eigen: rank-deficient matrices") {
    std::mt19937 rng(14);
    for (int n : {50, 200}) {
        for (int r : {1, 7, n / 2}) {
            CAPTURE(n);
            CAPTURE(r);
            const Eigen::MatrixXd A = test::random_spsd(n, r, rng);
            const SymmetricEigen e = dc(A);
            check_pairs(A, e);
            // n - r eigenvalues vanish to round-off of ||A||.
            CHECK(e.values.head(n - r).cwiseAbs().maxCoeff() <= 1e-13 * A.norm());
            CHECK(e.values(n - r) > 1e-6 * A.norm());
            check_values_against_eigen(A, e.values);
        }
    }
}

TEST_CASE("symmetric eigen: graded matrices (entries from 1e-8 to 1e8)") {
    std::mt19937 rng(15);
    for (int n : {40, 180}) {
        CAPTURE(n);
        const Eigen::MatrixXd M = symmetric_random(n, rng);
        Eigen::VectorXd s(n);
        for (int i = 0; i < n; ++i) s(i) = std::pow(10.0, -4.0 + 8.0 * i / (n - 1));
        const Eigen::MatrixXd A = s.asDiagonal() * M * s.asDiagonal();
        const SymmetricEigen e = dc(A);
        check_pairs(A, e);
        check_values_against_eigen(A, e.values);
        check_values_against_eigen(A, symmetric_eigenvalues(A));
        // Also graded the other way (large entries first).
        const Eigen::MatrixXd B = A.reverse();
        check_pairs(B, dc(B));
    }
}

TEST_CASE("symmetric eigen: a Gaussian kernel (fast-decaying spectrum, heavy deflation)") {
    std::mt19937 rng(16);
    std::normal_distribution<double> g;
    const int n = 400;
    Eigen::MatrixXd X(n, 3);
    for (int i = 0; i < X.size(); ++i) X.data()[i] = g(rng);
    Eigen::MatrixXd K(n, n);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) K(i, j) = std::exp(-(X.row(i) - X.row(j)).squaredNorm() / 8.0);
    const SymmetricEigen e = dc(K);
    check_pairs(K, e);
    check_values_against_eigen(K, e.values);
    check_values_against_eigen(K, symmetric_eigenvalues(K));
}

// 4. Random sizes against Eigen's solver ----------------------------------------------------------------------------
TEST_CASE("symmetric eigen: random matrices, n = 1 to 600") {
    std::mt19937 rng(17);
    for (int n : {1, 2, 3, 5, 16, 25, 26, 27, 49, 50, 51, 64, 65, 100, 127, 200, 333, 511, 512, 600}) {
        CAPTURE(n);
        const Eigen::MatrixXd A = symmetric_random(n, rng);
        const SymmetricEigen e = dc(A);
        check_pairs(A, e);
        check_values_against_eigen(A, e.values);
        check_values_against_eigen(A, symmetric_eigenvalues(A));
        // Only the lower triangle is read.
        Eigen::MatrixXd L = A;
        L.triangularView<Eigen::StrictlyUpper>().setConstant(std::numeric_limits<double>::quiet_NaN());
        const SymmetricEigen el = dc(L);
        CHECK((el.values - e.values).cwiseAbs().maxCoeff() == 0.0);
        check_pairs(A, el);
        // Both routes, whichever Auto takes at this size.
        check_pairs(A, symmetric_eigen(A));
        check_values_against_eigen(A, symmetric_eigen(A, EigenRoute::EigenQR).values);
    }
}

// 5. Top-k ---------------------------------------------------------------------------------------------------------------
TEST_CASE("symmetric eigen: the k largest pairs are the last k of the full solve") {
    std::mt19937 rng(18);
    for (int n : {20, 90, 350, 530}) {
        const Eigen::MatrixXd A = symmetric_random(n, rng);
        const SymmetricEigen all = dc(A);
        for (int k : {0, 1, 2, 7, n / 2, n}) {
            CAPTURE(n);
            CAPTURE(k);
            const SymmetricEigen top = symmetric_eigen_top(A, k, EigenRoute::DivideAndConquer);
            REQUIRE(top.values.size() == k);
            if (k > 0) {
                CHECK((top.values - all.values.tail(k)).cwiseAbs().maxCoeff() == 0.0);
                CHECK((top.vectors - all.vectors.rightCols(k)).cwiseAbs().maxCoeff() <= 1e-13);
            }
            check_pairs(A, top);
            check_pairs(A, symmetric_eigen_top(A, k));
        }
    }
}

// 6. Defined behaviour --------------------------------------------------------------------------------------------------
TEST_CASE("symmetric eigen: n = 0, n = 1, the zero matrix, extreme scales") {
    const Eigen::MatrixXd empty(0, 0);
    CHECK(dc(empty).values.size() == 0);
    CHECK(dc(empty).vectors.size() == 0);
    CHECK(symmetric_eigenvalues(empty).size() == 0);
    CHECK(symmetric_eigen_top(empty, 0).values.size() == 0);

    const Eigen::MatrixXd one = Eigen::MatrixXd::Constant(1, 1, -3.5);
    const SymmetricEigen e1 = dc(one);
    CHECK(e1.values(0) == -3.5);
    CHECK(std::abs(e1.vectors(0, 0)) == 1.0);
    CHECK(symmetric_eigenvalues(one)(0) == -3.5);

    for (int n : {5, 80}) {
        const Eigen::MatrixXd Z = Eigen::MatrixXd::Zero(n, n);
        const SymmetricEigen ez = dc(Z);
        CHECK(ez.values.cwiseAbs().maxCoeff() == 0.0);
        CHECK((ez.vectors.transpose() * ez.vectors - Eigen::MatrixXd::Identity(n, n)).norm() <= 1e-14);
    }
    // Scaling keeps huge and tiny matrices from overflowing or underflowing.
    std::mt19937 rng(19);
    const Eigen::MatrixXd A = symmetric_random(60, rng);
    const SymmetricEigen ref = dc(A);
    for (double s : {1e300, 1e-300}) {
        CAPTURE(s);
        const SymmetricEigen e = dc(A * s);
        CHECK(e.values.allFinite());
        CHECK(((e.values / s) - ref.values).cwiseAbs().maxCoeff() <= 1e-12 * A.norm());
        check_pairs(A, SymmetricEigen{e.values / s, e.vectors});
    }
}

TEST_CASE("symmetric eigen: bad input is an Error") {
    Eigen::MatrixXd A = Eigen::MatrixXd::Identity(4, 4);
    CHECK_THROWS_AS(dc(Eigen::MatrixXd::Zero(3, 4)), Error);
    CHECK_THROWS_AS(symmetric_eigen(Eigen::MatrixXd::Zero(3, 4), EigenRoute::EigenQR), Error);
    CHECK_THROWS_AS(symmetric_eigenvalues(Eigen::MatrixXd::Zero(4, 3)), Error);
    A(2, 1) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH_AS(dc(A), doctest::Contains("non-finite entry at (2, 1)"), Error);
    CHECK_THROWS_AS(symmetric_eigenvalues(A), Error);
    CHECK_THROWS_AS(symmetric_eigen(A, EigenRoute::EigenQR), Error);
    CHECK_THROWS_AS(symmetric_eigen_top(A, 1), Error);
    A(2, 1) = std::numeric_limits<double>::infinity();
    CHECK_THROWS_AS(dc(A), Error);
    A(2, 1) = 0.0;
    CHECK_THROWS_AS(symmetric_eigen_top(A, 5), Error);
    CHECK_THROWS_AS(symmetric_eigen_top(A, -1), Error);
    CHECK_THROWS_AS(tridiagonal_eigen(Eigen::VectorXd::Ones(4), Eigen::VectorXd::Ones(4)), Error);
    CHECK_THROWS_AS(tridiagonal_eigen(Eigen::VectorXd::Ones(4),
                                      Eigen::VectorXd::Constant(3, std::numeric_limits<double>::quiet_NaN())),
                    Error);
}
