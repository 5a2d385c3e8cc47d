// latent.cpp: mode unfoldings and validation of latent sets.
#include "latent.hpp"

#include "error.hpp"

#include <cmath>

namespace strata {

int LatentShape::rows(int mode) const {
    switch (mode) {
        case 1: return H;
        case 2: return W;
        case 3: return C;
    }
    throw Error("mode must be 1, 2 or 3, got " + std::to_string(mode));
}

int LatentShape::cols(int mode) const { return size() / rows(mode); }

// Z is stored as z[c*H*W + h*W + w]. The mode-n unfolding puts index n on the rows and the other
// two indices, in any fixed order, on the columns.
Eigen::MatrixXd unfold(const double* z, const LatentShape& s, int mode) {
    Eigen::MatrixXd out(s.rows(mode), s.cols(mode));
    const int HW = s.H * s.W;
    switch (mode) {
        case 1:  // rows h, columns (c, w)
            for (int c = 0; c < s.C; ++c)
                for (int h = 0; h < s.H; ++h)
                    for (int w = 0; w < s.W; ++w) out(h, c * s.W + w) = z[c * HW + h * s.W + w];
            break;
        case 2:  // rows w, columns (c, h)
            for (int c = 0; c < s.C; ++c)
                for (int h = 0; h < s.H; ++h)
                    for (int w = 0; w < s.W; ++w) out(w, c * s.H + h) = z[c * HW + h * s.W + w];
            break;
        case 3:  // rows c, columns (h, w): each channel is one contiguous row
            for (int c = 0; c < s.C; ++c)
                for (int k = 0; k < HW; ++k) out(c, k) = z[c * HW + k];
            break;
        default: throw Error("mode must be 1, 2 or 3, got " + std::to_string(mode));
    }
    return out;
}

void validate(const LatentSet& set) {
    const LatentShape& s = set.shape;
    if (s.C <= 0 || s.H <= 0 || s.W <= 0)
        throw Error(set.name + ": latent shape " + std::to_string(s.C) + "x" + std::to_string(s.H) + "x" +
                    std::to_string(s.W) + " has an empty dimension");
    if (set.n == 0) throw Error(set.name + ": the set is empty (0 samples)");
    if (set.values.size() != set.n * static_cast<std::size_t>(s.size()))
        throw Error(set.name + ": holds " + std::to_string(set.values.size()) + " values, expected " +
                    std::to_string(set.n * s.size()));
    const std::size_t per = static_cast<std::size_t>(s.size());
    for (std::size_t i = 0; i < set.values.size(); ++i)
        if (!std::isfinite(set.values[i]))
            throw Error(set.name + ": sample " + std::to_string(i / per) + " contains " +
                        (std::isnan(set.values[i]) ? "NaN" : "Inf"));
}

}  // namespace strata
