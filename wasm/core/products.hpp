// products.hpp: the matrix products of the analysis, as dot products of columns.
//
// Index: 1. column_dots (a block of rows of X^T Y, or its lower triangle)  2. the products the
//        analysis uses: A^T B, A B, the lower triangle of s X^T X, U diag(w) U^T
//
// Why a file of its own: natively Eigen's matrix products run AVX/FMA kernels, and natively every
// function here is exactly the Eigen expression it replaces (same results, bit for bit). Debian's
// Eigen 3.4 has no WebAssembly SIMD kernels, so in the browser its products run scalar; there
// these functions compute the same dot products with 128-bit SIMD (f64x2) in 4 x 2 register
// blocks, about twice as fast (docs/core.md has the figures). In WebAssembly every
// product becomes X^T Y with both operands column-major (a transposed copy where needed, which
// costs far less than the product): each dot product then runs over two contiguous columns.
#pragma once
#include <Eigen/Dense>

namespace strata {

// 1. G(i, j) = x_i . y_j (columns of X and Y, of equal length) for rows i in [i0, i1) of G, and
// every column j of Y, or only j <= i when `lower` (X == Y; a little more is computed next to the
// diagonal and must not be relied on). G must be X.cols() x Y.cols().
void column_dots(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y, Eigen::MatrixXd& G, Eigen::Index i0,
                 Eigen::Index i1, bool lower);

// 2. The products of the analysis.
Eigen::MatrixXd transposed_times(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B);  // A^T B
Eigen::MatrixXd times(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B);             // A B
// The lower triangle of s X^T X (Eigen's selfadjointView<Lower>().rankUpdate(X^T, s) on zeros);
// the strict upper triangle is zero.
Eigen::MatrixXd lower_gram(const Eigen::MatrixXd& X, double s);
// U diag(w) U^T for weights w >= 0 (both triangles).
Eigen::MatrixXd scaled_outer(const Eigen::MatrixXd& U, const Eigen::VectorXd& w);

}  // namespace strata
