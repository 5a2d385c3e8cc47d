// tsne.hpp: exact t-SNE (van der Maaten and Hinton 2008) on a matrix of squared distances, for
// the explorer's t-SNE view (the worker computes it from the kernel's feature-space distances).
//
// Index: 1. options  2. tsne()
//
// Why exact (O(N^2) per iteration, no Barnes-Hut): the page embeds at most 2 x 1000 points, and
// exactness keeps the picture a pure function of the distances and the seed.
#pragma once
#include <Eigen/Dense>

#include <cstdint>
#include <functional>

namespace strata {

// 1. Options: the paper's settings (section 3.4 and 4.2: 1000 iterations, learning rate 100 with
// Jacobs' gains, momentum 0.5 then 0.8 from iteration 250, P times 4 for the first 50 iterations),
// perplexity 30. A larger step or exaggeration throws a few points far out on small sets, where
// the 1/d forces are too weak to bring them back within the iterations.
struct TsneOptions {
    double perplexity = 30.0;  // lowered to (N - 1) / 3 for small N
    int iterations = 1000;
    int exaggeration_iterations = 50;
    double exaggeration = 4.0;  // P is multiplied by this during the first iterations
    double learning_rate = 100.0;
    int momentum_switch = 250;  // iteration where momentum_early gives way to momentum_late
    double momentum_early = 0.5, momentum_late = 0.8;
    std::uint64_t seed = 0;  // of the initial positions: same seed, same picture
    int report_every = 50;   // progress calls, in iterations
};

// Called every report_every iterations and at the end: iterations done, and the KL divergence
// KL(P || Q) at that point (with exaggeration removed).
using TsneProgress = std::function<void(int iteration, double kl)>;

// 2. The 2-D embedding (N x 2) of N points given their squared distances D2 (N x N, symmetric,
// zero diagonal, finite, >= 0). Deterministic: single-threaded, fixed order, its own random stream.
// Throws strata::Error for N < 2 or a bad matrix.
Eigen::MatrixXd tsne(const Eigen::MatrixXd& D2, const TsneOptions& options, const TsneProgress& progress = {});

}  // namespace strata
