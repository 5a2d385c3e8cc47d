// helpers.hpp: small builders shared by the core tests, and fixed-rank from its definitions.
#pragma once
#include "latent.hpp"
#include "spsd.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace test {

// A random orthogonal matrix (QR of a Gaussian matrix).
inline Eigen::MatrixXd random_orthogonal(int n, std::mt19937& rng) {
    std::normal_distribution<double> g;
    Eigen::MatrixXd A(n, n);
    for (int i = 0; i < A.size(); ++i) A.data()[i] = g(rng);
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(A);
    return qr.householderQ() * Eigen::MatrixXd::Identity(n, n);
}

// A random SPSD matrix of size n and rank r (Gaussian factor).
inline Eigen::MatrixXd random_spsd(int n, int r, std::mt19937& rng) {
    std::normal_distribution<double> g;
    Eigen::MatrixXd A(n, r);
    for (int i = 0; i < A.size(); ++i) A.data()[i] = g(rng);
    return A * A.transpose() / double(r);
}

inline strata::SpsdFactor factor(const Eigen::MatrixXd& S) { return strata::decompose(S, int(S.rows()) * 4); }

// A latent whose mode-3 (channel) unfolding is A (C x r) times B (r x HW): rank r after centring
// when r < HW - 1; modes 1 and 2 are generically full.
inline std::vector<double> low_rank_latent(const strata::LatentShape& s, int r, std::mt19937& rng) {
    std::normal_distribution<double> g;
    Eigen::MatrixXd A(s.C, r), B(r, s.H * s.W);
    for (int i = 0; i < A.size(); ++i) A.data()[i] = g(rng);
    for (int i = 0; i < B.size(); ++i) B.data()[i] = g(rng);
    const Eigen::MatrixXd Z = A * B;   // C x HW, row c = channel c
    std::vector<double> z(std::size_t(s.size()));
    for (int c = 0; c < s.C; ++c)
        for (int k = 0; k < s.H * s.W; ++k) z[std::size_t(c * s.H * s.W + k)] = Z(c, k);
    return z;
}

// A set of n latents of mode-3 rank r.
inline strata::LatentSet low_rank_set(const std::string& name, const strata::LatentShape& s, int n, int r,
                                      std::mt19937& rng, double sigma = 0.0) {
    strata::LatentSet set;
    set.name = name;
    set.sigma = sigma;
    set.shape = s;
    set.n = std::size_t(n);
    for (int i = 0; i < n; ++i) {
        const std::vector<double> z = low_rank_latent(s, r, rng);
        set.values.insert(set.values.end(), z.begin(), z.end());
    }
    return set;
}

// Fixed-rank from its definitions (METHOD.md section 5) ---------------------------------------------
// Sum of log^2 of the eigenvalues of the pencil B x = g A (A positive definite), through
// A^-1/2 B A^-1/2 (a different route from the core's generalised solver).
inline double pencil_log_sq(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> ea(A);
    const Eigen::MatrixXd Ainv_half =
        ea.eigenvectors() * ea.eigenvalues().cwiseSqrt().cwiseInverse().asDiagonal() * ea.eigenvectors().transpose();
    const Eigen::VectorXd g = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(Ainv_half * B * Ainv_half).eigenvalues();
    return g.array().log().square().sum();
}

// Eigenvectors of a symmetric matrix, columns in descending eigenvalue order.
inline Eigen::MatrixXd descending_eigenvectors(const Eigen::MatrixXd& M, Eigen::VectorXd* values = nullptr) {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> e(M);
    if (values) *values = e.eigenvalues().reverse();
    return e.eigenvectors().rowwise().reverse();
}

// The rule straight from METHOD.md with every free choice made at random: U_S, U_T from a fresh
// decomposition, O_S, O_T from one BDCSVD (not Jacobi's), then the zero-cosine columns rotated by
// random orthogonal matrices and the canonical eigenvectors given random signs; the signs D by
// trying every pattern with the literal Frobenius norm (also for z > 12: the global minimum);
// angles from the chord between paired principal vectors, 2 asin(|y_S - y_T| / 2).
inline double fixed_rank_by_definition(const Eigen::MatrixXd& S, const Eigen::MatrixXd& T, int r, double k,
                                       std::mt19937& rng, int* z_out) {
    *z_out = 0;
    if (r <= 0) return 0.0;
    const Eigen::MatrixXd US = descending_eigenvectors(S).leftCols(r), UT = descending_eigenvectors(T).leftCols(r);
    Eigen::BDCSVD<Eigen::MatrixXd> svd(US.transpose() * UT, Eigen::ComputeFullU | Eigen::ComputeFullV);
    Eigen::MatrixXd OS = svd.matrixU(), OT = svd.matrixV();
    const Eigen::VectorXd c = svd.singularValues();
    std::vector<int> Z;
    for (int i = 0; i < r; ++i)
        if (c(i) <= 1e-10) Z.push_back(i);
    const int z = int(Z.size());
    *z_out = z;
    std::uniform_int_distribution<int> coin(0, 1);
    auto canonical = [&](Eigen::MatrixXd& O, const Eigen::MatrixXd& M) {
        if (z == 0) return;
        Eigen::MatrixXd cols(r, z);
        for (int j = 0; j < z; ++j) cols.col(j) = O.col(Z[std::size_t(j)]);
        cols = cols * random_orthogonal(z, rng);   // any basis of the block is as good
        Eigen::MatrixXd Q = descending_eigenvectors(cols.transpose() * M * cols);
        for (int j = 0; j < z; ++j)
            if (coin(rng)) Q.col(j) *= -1.0;   // the signs of eigenvectors are arbitrary
        cols = cols * Q;
        for (int j = 0; j < z; ++j) O.col(Z[std::size_t(j)]) = cols.col(j);
    };
    const Eigen::MatrixXd LS = US.transpose() * S * US, LT = UT.transpose() * T * UT;   // diag(l) in U's basis
    canonical(OS, LS);
    canonical(OT, LT);
    const Eigen::MatrixXd RS2 = OS.transpose() * LS * OS, RT2 = OT.transpose() * LT * OT;
    Eigen::MatrixXd best_RT2 = RT2;
    double best = (RS2 - RT2).norm();
    for (long p = 1; p < (1L << z); ++p) {
        Eigen::VectorXd d = Eigen::VectorXd::Ones(r);
        for (int j = 0; j < z; ++j)
            if ((p >> j) & 1) d(Z[std::size_t(j)]) = -1.0;
        const Eigen::MatrixXd DRD = d.asDiagonal() * RT2 * d.asDiagonal();
        const double v = (RS2 - DRD).norm();
        if (v < best) best = v, best_RT2 = DRD;
    }
    const Eigen::MatrixXd YS = US * OS, YT = UT * OT;
    double theta2 = 0.0;
    for (int i = 0; i < r; ++i) {
        const double th = 2.0 * std::asin(std::min(1.0, (YS.col(i) - YT.col(i)).norm() / 2.0));
        theta2 += th * th;
    }
    return theta2 + k * pencil_log_sq(RS2, best_RT2);
}

}  // namespace test
