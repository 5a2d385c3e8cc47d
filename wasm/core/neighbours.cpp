// neighbours.cpp: nearest clean samples (rules in neighbours.hpp). Index: 1. nearest  2. both lists
#include "neighbours.hpp"

#include "error.hpp"
#include "kernel.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace strata {

namespace {

// The k smallest of d2 (squared distances of sample i to every sample), i left out; ties by index.
std::vector<Neighbour> smallest(const Eigen::VectorXd& d2, std::size_t i, std::size_t k, const char* space) {
    const std::size_t n = std::size_t(d2.size());
    if (i >= n)
        throw Error(std::string("neighbours: sample ") + std::to_string(i) + " is outside the " + std::to_string(n) +
                    " clean samples");
    if (k == 0 || k > n - 1)
        throw Error("neighbours: " + std::to_string(k) + " asked; the set has " + std::to_string(n - 1) +
                    " other samples (k must be 1 to " + std::to_string(n - 1) + ")");
    for (std::size_t j = 0; j < n; ++j)
        if (!std::isfinite(d2[Eigen::Index(j)]))
            throw Error(std::string("neighbours: a ") + space + " distance of sample " + std::to_string(i) +
                        " is not finite");
    std::vector<std::size_t> order;
    order.reserve(n - 1);
    for (std::size_t j = 0; j < n; ++j)
        if (j != i) order.push_back(j);
    auto less = [&d2](std::size_t x, std::size_t y) {
        const double a = d2[Eigen::Index(x)], b = d2[Eigen::Index(y)];
        return a < b || (a == b && x < y);
    };
    std::partial_sort(order.begin(), order.begin() + std::ptrdiff_t(k), order.end(), less);
    std::vector<Neighbour> out(k);
    for (std::size_t r = 0; r < k; ++r) out[r] = {order[r], std::sqrt(std::max(0.0, d2[Eigen::Index(order[r])]))};
    return out;
}

}  // namespace

// 1. Nearest -------------------------------------------------------------------------------------------------
std::vector<Neighbour> nearest_by_distance_sq(const Eigen::VectorXd& d2, std::size_t i, std::size_t k) {
    return smallest(d2, i, k, "latent");
}

std::vector<Neighbour> nearest_by_coordinates(const Eigen::MatrixXd& X, std::size_t i, std::size_t k) {
    if (i >= std::size_t(X.rows()))
        throw Error("neighbours: sample " + std::to_string(i) + " is outside the " + std::to_string(X.rows()) +
                    " clean samples");
    const Eigen::VectorXd d2 = (X.rowwise() - X.row(Eigen::Index(i))).rowwise().squaredNorm();
    return smallest(d2, i, k, "kernel");
}

// 2. Both lists ------------------------------------------------------------------------------------------------
Neighbours neighbours(const CleanAnalysis& clean, std::size_t i, std::size_t k) {
    Neighbours out;
    out.latent = nearest_by_distance_sq(clean.distances_sq_from(i), i, k);
    out.kernel_dim = clean.clean().hilbert_dim;
    out.kernel = nearest_by_coordinates(kpca_coordinates(clean.spectrum(), out.kernel_dim), i, k);
    return out;
}

}  // namespace strata
