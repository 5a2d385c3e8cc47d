// products.cpp: dot products of columns; WebAssembly SIMD in the browser, Eigen natively.
//
// Index: 1. the WebAssembly kernel  2. column_dots  3. the products of the analysis
#include "products.hpp"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace strata {

#if defined(__wasm_simd128__)
// 1. The kernel: four columns of X against two of Y at a time, eight f64x2 accumulators (each
// holds the even and the odd terms of one dot product), one pass over the pairs of entries; an odd
// length adds its last entry afterwards. The accumulators and the six loaded vectors stay in
// registers; each pass loads 6 vectors for 16 multiply-adds.
namespace {

double lanes_sum(v128_t v) { return wasm_f64x2_extract_lane(v, 0) + wasm_f64x2_extract_lane(v, 1); }

void dots_4x2(const double* const x[4], const double* y0, const double* y1, Eigen::Index d, double out[4][2]) {
    const Eigen::Index d2 = d - d % 2;
    v128_t c[4][2];
    for (auto& row : c) row[0] = row[1] = wasm_f64x2_splat(0.0);
    for (Eigen::Index k = 0; k < d2; k += 2) {
        const v128_t b0 = wasm_v128_load(y0 + k), b1 = wasm_v128_load(y1 + k);
        for (int u = 0; u < 4; ++u) {
            const v128_t a = wasm_v128_load(x[u] + k);
            c[u][0] = wasm_f64x2_add(c[u][0], wasm_f64x2_mul(a, b0));
            c[u][1] = wasm_f64x2_add(c[u][1], wasm_f64x2_mul(a, b1));
        }
    }
    for (int u = 0; u < 4; ++u) {
        out[u][0] = lanes_sum(c[u][0]);
        out[u][1] = lanes_sum(c[u][1]);
        if (d2 < d) {
            out[u][0] += x[u][d2] * y0[d2];
            out[u][1] += x[u][d2] * y1[d2];
        }
    }
}

}  // namespace
#endif

// 2. column_dots ------------------------------------------------------------------------------------------
void column_dots(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y, Eigen::MatrixXd& G, Eigen::Index i0,
                 Eigen::Index i1, bool lower) {
#if defined(__wasm_simd128__)
    const Eigen::Index d = X.rows();
    Eigen::Index i = i0;
    for (; i + 4 <= i1; i += 4) {
        const double* x[4] = {X.col(i).data(), X.col(i + 1).data(), X.col(i + 2).data(), X.col(i + 3).data()};
        const Eigen::Index cols = lower ? i + 4 : Y.cols();
        Eigen::Index j = 0;
        for (; j + 2 <= cols; j += 2) {
            double out[4][2];
            dots_4x2(x, Y.col(j).data(), Y.col(j + 1).data(), d, out);
            for (int u = 0; u < 4; ++u) {
                G(i + u, j) = out[u][0];
                G(i + u, j + 1) = out[u][1];
            }
        }
        for (; j < cols; ++j)
            for (int u = 0; u < 4; ++u) G(i + u, j) = X.col(i + u).dot(Y.col(j));
    }
    for (; i < i1; ++i)
        for (Eigen::Index j = 0; j < (lower ? i + 1 : Y.cols()); ++j) G(i, j) = X.col(i).dot(Y.col(j));
#else
    (void)lower;  // natively the whole rows: Eigen's product is faster than saving the half
    G.middleRows(i0, i1 - i0).noalias() = X.middleCols(i0, i1 - i0).transpose() * Y;
#endif
}

// 3. The products of the analysis -----------------------------------------------------------------------------
Eigen::MatrixXd transposed_times(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
#if defined(__wasm_simd128__)
    Eigen::MatrixXd G(A.cols(), B.cols());
    column_dots(A, B, G, 0, A.cols(), false);
    return G;
#else
    return A.transpose() * B;
#endif
}

Eigen::MatrixXd times(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
#if defined(__wasm_simd128__)
    return transposed_times(A.transpose(), B);
#else
    return A * B;
#endif
}

Eigen::MatrixXd lower_gram(const Eigen::MatrixXd& X, double s) {
    Eigen::MatrixXd G = Eigen::MatrixXd::Zero(X.cols(), X.cols());
#if defined(__wasm_simd128__)
    column_dots(X, X, G, 0, X.cols(), true);
    G.triangularView<Eigen::StrictlyUpper>().setZero();  // what the kernel computed above the diagonal
    G *= s;
#else
    G.selfadjointView<Eigen::Lower>().rankUpdate(X.transpose(), s);
#endif
    return G;
}

Eigen::MatrixXd scaled_outer(const Eigen::MatrixXd& U, const Eigen::VectorXd& w) {
#if defined(__wasm_simd128__)
    // U diag(w) U^T = W^T W with W = diag(sqrt(w)) U^T.
    const Eigen::MatrixXd W = w.cwiseSqrt().asDiagonal() * U.transpose();
    Eigen::MatrixXd G = lower_gram(W, 1.0);
    G.triangularView<Eigen::StrictlyUpper>() = G.transpose();
    return G;
#else
    return U * w.asDiagonal() * U.transpose();
#endif
}

}  // namespace strata
