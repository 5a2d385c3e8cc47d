// landmarks.hpp: the kernel analysis of docs/method.md sections 6-7 by the Nystrom method, for large N
// (docs/method.md, "Landmarks").
//
// Index: 1. the landmark rule and the landmark points  2. the feature map  3. spectrum, 2-D view and
//        principal angles of a set of features
//
// With M landmark points L, W = K(L, L) (M x M) and a set's cross-kernel C = K(X, L) (N x M), each point
// gets the explicit feature phi(x) = W^-1/2 K(L, x) in R^k: the coordinates of its feature-space image
// projected onto span phi(L), in an orthonormal basis of that span (W^-1/2 on the k eigenvalues kept).
// Inner products of these features give C W^+ C^T, the Nystrom approximation of K. Every kernel
// quantity then comes from N x k and k x k matrices: memory O(N M), time O(N M^2). When the landmarks
// span every point's feature (all of the points are landmarks), the results are those of sections 6-7.
#pragma once
#include "distance.hpp"

#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace strata {

// 1. The landmarks -----------------------------------------------------------------------------------
// M distinct indices of 0..n-1, uniformly without replacement with the study's seed (noise.hpp's
// generator, purpose kLandmarks), sorted ascending; every index when m >= n. m must be >= 1 (else Error).
std::vector<std::size_t> landmark_indices(std::size_t n, std::size_t m, std::uint64_t seed);
// The points of `set` at `indices` (all indices < set.size()), in that order.
PointSet select_points(const PointSet& set, const std::vector<std::size_t>& indices);

// 2. The feature map ---------------------------------------------------------------------------------
// From W = V diag(w) V^T keep the eigenvalues w_i > max(w) * M * 2^-52 (the rest are round-off or the
// negative part of a kernel that is not PSD); projection = V_k diag(w_k^-1/2), M x k.
struct NystromMap {
    Eigen::MatrixXd projection;
    double min_eigenvalue = 0.0;  // smallest eigenvalue of W, before the cut (< 0: not PSD on the landmarks)
};
// W symmetric (lower triangle read) and finite, M >= 1.
NystromMap nystrom_map(const Eigen::MatrixXd& W);
// Phi = C * projection (N x k) for the cross-kernel C = K(set, landmarks).
Eigen::MatrixXd nystrom_features(const Eigen::MatrixXd& C, const NystromMap& map);

// 3. A set of features Phi (N x k) -------------------------------------------------------------------
// Centred on its own mean, Phi_c = Phi - 1 mean. The eigenvalues of Phi_c^T Phi_c are the non-zero
// eigenvalues of the centred kernel Phi_c Phi_c^T (= J C W^+ C^T J), and its unit eigenvectors u are
// the right singular vectors of Phi_c.
struct FeatureSpectrum {
    Eigen::RowVectorXd mean;  // 1 x k
    Eigen::VectorXd mu;       // k eigenvalues, descending; those <= 2^-52 ||Phi||_F^2 (round-off) set to 0
    Eigen::MatrixXd vectors;  // k x k, the u in the same order. The first two columns (the 2-D view's)
                              // carry section 6's sign rule: the largest-magnitude entry of the
                              // coordinates Phi_c u is positive (the first such entry on a tie)
};
FeatureSpectrum feature_spectrum(const Eigen::MatrixXd& Phi);
// Coordinates (Phi - clean.mean) u_c on the clean set's top `components` directions: for the clean set
// itself its kernel-PCA coordinates sqrt(mu_c) a_c, for another set the out-of-sample projection
// centred by the clean mean. Components beyond k or with mu_c = 0 give 0.
Eigen::MatrixXd feature_coordinates(const Eigen::MatrixXd& Phi, const FeatureSpectrum& clean, int components);
// Section 7 on features: principal angles (degrees, ascending) between the span of the top mX vectors
// of X and the top mY of Y, both in R^k, by the sine/cosine method (angles.hpp). Empty if mX or mY is 0.
Eigen::VectorXd feature_principal_angles_deg(const FeatureSpectrum& X, int mX, const FeatureSpectrum& Y, int mY);

}  // namespace strata
