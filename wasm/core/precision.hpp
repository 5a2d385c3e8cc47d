// precision.hpp: the two machine epsilons the core's rank and round-off rules are written in.
//
// float32's decides ranks (docs/method.md: a latent's own precision, numpy.linalg.matrix_rank's
// rule); float64's decides which computed eigenvalues and singular values are round-off of the
// double-precision arithmetic itself, and so count as zero.
#pragma once

namespace strata {

constexpr double kFloat32Eps = 0x1.0p-23;  // 2^-23, the spacing of float32 at 1
constexpr double kFloat64Eps = 0x1.0p-52;  // 2^-52, the spacing of double at 1

}  // namespace strata
