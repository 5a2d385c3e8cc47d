// tsne.cpp: exact t-SNE. Index: 1. affinities P (perplexity calibration)  2. initial positions
//                                3. the gradient and KL(P || Q)  4. the descent (exaggeration,
//                                momentum, per-coordinate gains)
//
// Written from the paper's equations (van der Maaten and Hinton, JMLR 9, 2008): conditional
// p_{j|i} Gaussian with a per-point precision chosen so that its perplexity 2^H matches the target,
// p_ij = (p_{j|i} + p_{i|j}) / 2N, a Student-t (one degree of freedom) q_ij in 2-D, and the
// gradient 4 sum_j (p_ij - q_ij) (y_i - y_j) / (1 + |y_i - y_j|^2).
#include "tsne.hpp"

#include "error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace strata {
namespace {

// 1. P: for each row, a binary search on beta = 1 / (2 s_i^2) until the entropy (nats) of p_{.|i}
// is log(perplexity). Distances are shifted by the row's smallest so exp() never underflows to 0
// for every neighbour at once (the shift cancels in the normalisation).
Eigen::MatrixXd affinities(const Eigen::MatrixXd& D2, double perplexity) {
    const Eigen::Index n = D2.rows();
    const double target = std::log(perplexity);
    Eigen::MatrixXd P = Eigen::MatrixXd::Zero(n, n);
    Eigen::VectorXd row(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        double dmin = std::numeric_limits<double>::infinity();
        for (Eigen::Index j = 0; j < n; ++j)
            if (j != i) dmin = std::min(dmin, D2(i, j));
        double beta = 1.0, lo = 0.0, hi = std::numeric_limits<double>::infinity();
        // Start from a scale that suits the data: 1 / mean distance to the others.
        double mean = 0.0;
        for (Eigen::Index j = 0; j < n; ++j)
            if (j != i) mean += (D2(i, j) - dmin) / double(n - 1);
        if (mean > 0) beta = 1.0 / mean;
        for (int step = 0; step < 200; ++step) {
            double sum = 0.0, dsum = 0.0;
            for (Eigen::Index j = 0; j < n; ++j) {
                row(j) = j == i ? 0.0 : std::exp(-beta * (D2(i, j) - dmin));
                sum += row(j);
                dsum += row(j) * (D2(i, j) - dmin);
            }
            const double H = std::log(sum) + beta * dsum / sum;  // entropy of the normalised row
            if (std::fabs(H - target) < 1e-5) break;
            if (H > target) {
                lo = beta;
                beta = std::isinf(hi) ? beta * 2 : (beta + hi) / 2;
            } else {
                hi = beta;
                beta = (beta + lo) / 2;
            }
        }
        P.row(i) = row.transpose() / row.sum();
    }
    Eigen::MatrixXd S = (P + P.transpose()) / (2.0 * double(n));
    return S.cwiseMax(1e-12);
}

// 2. Initial positions: N(0, 1e-4^2) from SplitMix64 + Box-Muller, written out so the picture does
// not depend on a standard library's distribution code.
struct SplitMix64 {
    std::uint64_t x;
    std::uint64_t next() {
        std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    double uniform() { return (double(next() >> 11) + 0.5) * 0x1.0p-53; }  // in (0, 1)
};

Eigen::MatrixXd initial(Eigen::Index n, std::uint64_t seed) {
    SplitMix64 rng{seed};
    Eigen::MatrixXd Y(n, 2);
    const double pi = 3.14159265358979323846;
    for (Eigen::Index i = 0; i < n; ++i) {
        const double r = std::sqrt(-2.0 * std::log(rng.uniform())), t = 2.0 * pi * rng.uniform();
        Y(i, 0) = 1e-4 * r * std::cos(t);
        Y(i, 1) = 1e-4 * r * std::sin(t);
    }
    return Y;
}

// 3. The gradient of KL(P || Q) at Y for the (possibly exaggerated) P; also returns KL when asked.
Eigen::MatrixXd gradient(const Eigen::MatrixXd& P, double scale, const Eigen::MatrixXd& Y, double* kl) {
    const Eigen::Index n = Y.rows();
    Eigen::MatrixXd W(n, n);  // Student-t numerators 1 / (1 + |y_i - y_j|^2)
    double Z = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
        W(i, i) = 0.0;
        for (Eigen::Index j = i + 1; j < n; ++j) {
            const double dx = Y(i, 0) - Y(j, 0), dy = Y(i, 1) - Y(j, 1);
            const double w = 1.0 / (1.0 + dx * dx + dy * dy);
            W(i, j) = W(j, i) = w;
            Z += 2 * w;
        }
    }
    Eigen::MatrixXd G = Eigen::MatrixXd::Zero(n, 2);
    double sum_kl = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
        for (Eigen::Index j = 0; j < n; ++j) {
            if (j == i) continue;
            const double q = W(i, j) / Z;
            const double f = (scale * P(i, j) - q) * W(i, j);
            G(i, 0) += f * (Y(i, 0) - Y(j, 0));
            G(i, 1) += f * (Y(i, 1) - Y(j, 1));
            if (kl) sum_kl += P(i, j) * std::log(P(i, j) / std::max(q, 1e-300));
        }
    }
    if (kl) *kl = sum_kl;
    return 4.0 * G;
}

}  // namespace

// 4. The descent: gradient steps with momentum and Jacobs' per-coordinate gains (the paper's
// optimiser), P exaggerated early so clusters form before they settle.
Eigen::MatrixXd tsne(const Eigen::MatrixXd& D2, const TsneOptions& o, const TsneProgress& progress) {
    const Eigen::Index n = D2.rows();
    if (n < 2 || D2.cols() != n) throw Error("tsne: need a square matrix of at least 2 points");
    if (!D2.allFinite() || D2.minCoeff() < 0) throw Error("tsne: distances must be finite and >= 0");
    const double perplexity = std::max(1.0, std::min(o.perplexity, double(n - 1) / 3.0));
    const Eigen::MatrixXd P = affinities(D2, perplexity);
    Eigen::MatrixXd Y = initial(n, o.seed);
    Eigen::MatrixXd update = Eigen::MatrixXd::Zero(n, 2), gains = Eigen::MatrixXd::Ones(n, 2);
    for (int it = 0; it < o.iterations; ++it) {
        const bool early = it < o.exaggeration_iterations;
        const bool report = progress && ((it + 1) % o.report_every == 0 || it + 1 == o.iterations);
        double kl = 0.0;
        const Eigen::MatrixXd G = gradient(P, early ? o.exaggeration : 1.0, Y, report ? &kl : nullptr);
        const double momentum = it < o.momentum_switch ? o.momentum_early : o.momentum_late;
        for (Eigen::Index i = 0; i < n; ++i)
            for (int d = 0; d < 2; ++d) {
                // Gains grow while the descent keeps its direction (gradient and last update of opposite
                // sign) and shrink when it overshoots.
                const bool same = (G(i, d) > 0) == (update(i, d) > 0);
                gains(i, d) = std::max(0.01, same ? gains(i, d) * 0.8 : gains(i, d) + 0.2);
                update(i, d) = momentum * update(i, d) - o.learning_rate * gains(i, d) * G(i, d);
            }
        Y += update;
        Y.rowwise() -= Y.colwise().mean();  // the cost is translation-invariant: keep it centred
        if (report) progress(it + 1, kl);
    }
    return Y;
}

}  // namespace strata
