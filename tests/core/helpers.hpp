// helpers.hpp: small builders shared by the core tests.
#pragma once
#include "latent.hpp"
#include "spsd.hpp"

#include <Eigen/Dense>
#include <random>

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

}  // namespace test
