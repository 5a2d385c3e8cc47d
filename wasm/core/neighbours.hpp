// neighbours.hpp: the nearest clean samples of a clean sample, in two spaces (docs/method.md, "Neighbours").
//
// Index: 1. nearest rows of a distance matrix or of coordinates  2. both lists of one sample
//
// (1) The latent metric: d_PM among the clean set (CleanAnalysis::distances_sq_from()).
// (2) The kernel's feature space restricted to the analysis's Hilbert subspace: Euclidean distance
//     between kernel-PCA coordinates on the top dim_eta components of the centred clean kernel.
// Ties go to the smaller index; the sample itself is never its own neighbour.
#pragma once
#include "analysis.hpp"

#include <Eigen/Dense>
#include <cstddef>
#include <vector>

namespace strata {

constexpr std::size_t kDefaultNeighbours = 8;

struct Neighbour {
    std::size_t index = 0;
    double distance = 0.0;  // not squared
};

// 1. The k nearest of sample i, nearest first: from its squared distances to every sample (d2, n
// entries), or from coordinates (one row per sample, Euclidean). Throws strata::Error when i is out of
// range, k is 0 or k exceeds the n - 1 other samples, or a distance is not finite.
std::vector<Neighbour> nearest_by_distance_sq(const Eigen::VectorXd& d2, std::size_t i, std::size_t k);
std::vector<Neighbour> nearest_by_coordinates(const Eigen::MatrixXd& X, std::size_t i, std::size_t k);

// 2. Both lists for clean sample i of an analysis.
struct Neighbours {
    std::vector<Neighbour> latent;  // d_PM
    std::vector<Neighbour> kernel;  // kernel-PCA coordinates, top dim_eta components
    int kernel_dim = 0;             // dim_eta
};
Neighbours neighbours(const CleanAnalysis& clean, std::size_t i, std::size_t k = kDefaultNeighbours);

}  // namespace strata
