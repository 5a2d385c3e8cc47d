// latent.hpp: latent tensors and their three mode unfoldings (docs/method.md section 2).
//
// Index: 1. LatentShape  2. LatentSet (N latents of one shape)  3. unfold()  4. validation
//
// A latent is Z in R^{C x H x W} stored in C order (NCHW without the batch axis). The modes are
// numbered as in docs/method.md: mode 1 = H (rows), mode 2 = W (columns), mode 3 = C (channels).
#pragma once
#include <Eigen/Dense>
#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace strata {

// 1. Shape of one latent ---------------------------------------------------------------------
struct LatentShape {
    int C = 0, H = 0, W = 0;
    int size() const { return C * H * W; }
    // Rows I_n and columns m_n of the mode-n unfolding (n = 1, 2, 3).
    int rows(int mode) const;
    int cols(int mode) const;
    bool operator==(const LatentShape& o) const { return C == o.C && H == o.H && W == o.W; }
    bool operator!=(const LatentShape& o) const { return !(*this == o); }
};

// 2. A set of N latents of one shape, in double precision ---------------------------------------
// `name` says where the set came from (a file path, "clean", ...) and is used in error messages.
struct LatentSet {
    std::string name;
    double sigma = 0.0;  // noise level of the images the latents came from
    LatentShape shape;
    std::size_t n = 0;
    std::vector<double> values;  // n * shape.size() numbers, sample after sample, C order

    const double* sample(std::size_t i) const { return values.data() + i * shape.size(); }
};

// 3. Mode-n unfolding Z_(n) (I_n x m_n) of one latent. Column order is that of the C-order
// layout; it does not matter for anything computed from the unfolding.
Eigen::MatrixXd unfold(const double* z, const LatentShape& shape, int mode);

// 4. Throws strata::Error naming the set and the first sample with NaN or Inf, an empty set, or a
// shape with a zero or negative extent.
void validate(const LatentSet& set);

}  // namespace strata
