// landmarks.cpp: the Nystrom route of the kernel analysis. Index: 1. landmarks  2. feature map
//                3. spectrum, 2-D view, angles
#include "landmarks.hpp"

#include "angles.hpp"
#include "error.hpp"
#include "noise.hpp"
#include "precision.hpp"
#include "products.hpp"
#include "symmetric_eigen.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace strata {

// 1. Landmarks ------------------------------------------------------------------------------------------
std::vector<std::size_t> landmark_indices(std::size_t n, std::size_t m, std::uint64_t seed) {
    if (m == 0) throw Error("--landmarks: at least 1 landmark is needed");
    return noise::sample_indices(seed, n, m, noise::kLandmarks);
}

PointSet select_points(const PointSet& set, const std::vector<std::size_t>& indices) {
    PointSet out;
    for (std::size_t i : indices)
        if (i >= set.size())
            throw Error("landmark index " + std::to_string(i) + " is outside a set of " + std::to_string(set.size()));
    const auto pick = [&](const auto& v, auto& into) {
        if (v.empty()) return;
        into.reserve(indices.size());
        for (std::size_t i : indices) into.push_back(v[i]);
    };
    pick(set.points, out.points);
    pick(set.prepared, out.prepared);
    pick(set.ranks, out.ranks);
    if (set.features.rows()) {
        out.features.resize(Eigen::Index(indices.size()), set.features.cols());
        for (std::size_t r = 0; r < indices.size(); ++r)
            out.features.row(Eigen::Index(r)) = set.features.row(Eigen::Index(indices[r]));
    }
    return out;
}

// 2. Feature map ------------------------------------------------------------------------------------------
NystromMap nystrom_map(const Eigen::MatrixXd& W) {
    const Eigen::Index m = W.rows();
    if (m < 1 || W.cols() != m) throw Error("the landmark kernel must be square with at least one row");
    const SymmetricEigen eig = symmetric_eigen(W);  // ascending
    NystromMap out;
    out.min_eigenvalue = eig.values(0);
    const double wmax = eig.values(m - 1);
    const double cut = wmax * double(m) * kFloat64Eps;
    Eigen::Index k = 0;
    while (k < m && eig.values(m - 1 - k) > cut) ++k;
    // The kept pairs in descending order, each column scaled by w^-1/2.
    out.projection.resize(m, k);
    for (Eigen::Index c = 0; c < k; ++c)
        out.projection.col(c) = eig.vectors.col(m - 1 - c) / std::sqrt(eig.values(m - 1 - c));
    return out;
}

Eigen::MatrixXd nystrom_features(const Eigen::MatrixXd& C, const NystromMap& map) { return times(C, map.projection); }

// 3. Spectrum, 2-D view, angles -----------------------------------------------------------------------------
FeatureSpectrum feature_spectrum(const Eigen::MatrixXd& Phi) {
    FeatureSpectrum out;
    const Eigen::Index n = Phi.rows(), k = Phi.cols();
    out.mean = n ? Eigen::RowVectorXd(Phi.colwise().mean()) : Eigen::RowVectorXd::Zero(k);
    Eigen::MatrixXd Pc = Phi;
    Pc.rowwise() -= out.mean;
    Eigen::MatrixXd G = lower_gram(Pc, 1.0);  // lower triangle of Pc^T Pc
    G.triangularView<Eigen::StrictlyUpper>() = G.transpose();
    const SymmetricEigen eig = symmetric_eigen(G);
    // Below eps ||Phi||_F^2 an eigenvalue is the round-off of centring and of forming the Gram matrix
    // (a set of identical points has none above it).
    const double floor = kFloat64Eps * Phi.squaredNorm();
    out.mu = eig.values.reverse().unaryExpr([floor](double v) { return v > floor ? v : 0.0; });
    out.vectors = eig.vectors.rowwise().reverse();
    for (Eigen::Index c = 0; c < std::min<Eigen::Index>(2, k); ++c) {
        const Eigen::VectorXd y = Pc * out.vectors.col(c);
        Eigen::Index at = 0;
        if (n) y.cwiseAbs().maxCoeff(&at);
        if (n && y(at) < 0) out.vectors.col(c) *= -1.0;
    }
    return out;
}

Eigen::MatrixXd feature_coordinates(const Eigen::MatrixXd& Phi, const FeatureSpectrum& clean, int components) {
    const Eigen::Index k = std::min<Eigen::Index>(components, clean.mu.size());
    Eigen::MatrixXd Y = Eigen::MatrixXd::Zero(Phi.rows(), components);
    for (Eigen::Index c = 0; c < k; ++c)
        if (clean.mu(c) > 0.0) Y.col(c) = (Phi.rowwise() - clean.mean) * clean.vectors.col(c);
    return Y;
}

Eigen::VectorXd feature_principal_angles_deg(const FeatureSpectrum& X, int mX, const FeatureSpectrum& Y, int mY) {
    if (mX <= 0 || mY <= 0) return Eigen::VectorXd(0);
    const double to_deg = 180.0 / 3.14159265358979323846;
    return principal_angles_orthonormal(X.vectors.leftCols(mX), Y.vectors.leftCols(mY)) * to_deg;
}

}  // namespace strata
