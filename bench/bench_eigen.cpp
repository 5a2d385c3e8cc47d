// bench_eigen.cpp: the core's dense symmetric eigensolver against Eigen's SelfAdjointEigenSolver.
// Prints its figures; not a test.
//
// Index: 1. matrices  2. timing  3. main
//
// For each N: eigenvalues only, all pairs and the 50 largest pairs, ours (symmetric_eigen.hpp)
// and Eigen's, on two matrices: the centred Gaussian kernel of N random points in 20 dimensions
// (bandwidth at the median distance, like the analysis's kernels) and a random symmetric matrix
// with Gaussian entries. Each figure is the best of --repeat runs, wall-clock, one thread.
//
//   bench_eigen [--n 1000,2000] [--repeat 1]
#include "bench_timing.hpp"
#include "symmetric_eigen.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace strata;

namespace {

// 1. Matrices ----------------------------------------------------------------------------------------------
Eigen::MatrixXd centred_kernel(int n, std::mt19937& rng) {
    std::normal_distribution<double> g;
    Eigen::MatrixXd X(n, 20);
    for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = g(rng);
    const Eigen::VectorXd sq = X.rowwise().squaredNorm();
    Eigen::MatrixXd D2 = (-2.0 * X * X.transpose()).colwise() + sq;
    D2.rowwise() += sq.transpose();
    std::vector<double> d(D2.data(), D2.data() + D2.size());
    std::nth_element(d.begin(), d.begin() + std::ptrdiff_t(d.size() / 2), d.end());
    const double h2 = std::max(d[d.size() / 2], 1e-12);
    Eigen::MatrixXd K = (D2.array().max(0.0) * (-0.5 / h2)).exp().matrix();
    K.rowwise() -= K.colwise().mean().eval();
    K.colwise() -= K.rowwise().mean().eval();
    return (0.5 * (K + K.transpose())).eval();
}

Eigen::MatrixXd random_symmetric(int n, std::mt19937& rng) {
    std::normal_distribution<double> g;
    Eigen::MatrixXd A(n, n);
    for (int j = 0; j < n; ++j)
        for (int i = j; i < n; ++i) A(i, j) = A(j, i) = g(rng);
    return A;
}

// 2. Timing ------------------------------------------------------------------------------------------------
using bench::best_seconds;

void run(const char* what, const Eigen::MatrixXd& A, int repeat) {
    const Eigen::Index n = A.rows(), k = std::min<Eigen::Index>(50, n);
    Eigen::VectorXd ours_values, eigen_values;
    SymmetricEigen ours;
    const double t_values = best_seconds(repeat, [&] { ours_values = symmetric_eigenvalues(A); });
    const double t_values_eigen = best_seconds(repeat, [&] {
        eigen_values = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(A, Eigen::EigenvaluesOnly).eigenvalues();
    });
    const double t_full = best_seconds(repeat, [&] { ours = symmetric_eigen(A); });
    const double t_full_eigen =
        best_seconds(repeat, [&] { Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> e(A, Eigen::ComputeEigenvectors); });
    const double t_top = best_seconds(repeat, [&] { symmetric_eigen_top(A, k); });
    const double norm = A.norm();
    const double residual = (A * ours.vectors - ours.vectors * ours.values.asDiagonal()).norm() / norm;
    const double orth = (ours.vectors.transpose() * ours.vectors - Eigen::MatrixXd::Identity(n, n)).norm();
    const double agree = std::max((ours.values - eigen_values).cwiseAbs().maxCoeff(),
                                  (ours_values - eigen_values).cwiseAbs().maxCoeff()) /
                         norm;
    std::printf(
        "  N = %4ld %-17s values %7.3f s (Eigen %7.3f s, %4.1fx)   all pairs %7.3f s (Eigen %7.3f s, %4.1fx)"
        "   top %ld %7.3f s\n",
        long(n), what, t_values, t_values_eigen, t_values_eigen / t_values, t_full, t_full_eigen, t_full_eigen / t_full,
        long(k), t_top);
    std::printf("  %-24s residual %.1e, orthogonality %.1e, eigenvalues against Eigen's %.1e (relative to ||A||_F)\n",
                "", residual, orth, agree);
}

}  // namespace

// 3. Main ----------------------------------------------------------------------------------------------------
int main(int argc, char** argv) {
    std::vector<int> sizes = {1000, 2000};
    int repeat = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--n" && i + 1 < argc) {
            sizes.clear();
            std::stringstream list(argv[++i]);
            for (std::string item; std::getline(list, item, ',');) sizes.push_back(std::atoi(item.c_str()));
        } else if (a == "--repeat" && i + 1 < argc) {
            repeat = std::max(1, std::atoi(argv[++i]));
        } else {
            std::fprintf(stderr, "usage: bench_eigen [--n N1,N2,...] [--repeat R]\n");
            return 2;
        }
    }
    std::printf(
        "bench_eigen: ours (symmetric_eigen.hpp) against Eigen %d.%d.%d SelfAdjointEigenSolver, one thread, "
        "best of %d\n",
        EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION, repeat);
    std::mt19937 rng(5);
    for (int n : sizes) {
        if (n < 1) continue;
        run("centred kernel", centred_kernel(n, rng), repeat);
        run("random symmetric", random_symmetric(n, rng), repeat);
    }
    return 0;
}
