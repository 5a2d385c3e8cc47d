// symmetric_eigen.hpp: dense real symmetric eigenproblems (eigenvalues only, all pairs, the k largest
// pairs), faster than Eigen's SelfAdjointEigenSolver when vectors are needed and n is large.
//
// Index: 1. the contract  2. symmetric_eigenvalues()  3. symmetric_eigen()  4. symmetric_eigen_top()
//        5. the pieces: tridiagonalize() and tridiagonal_eigen(), exposed for the tests and benchmarks
//
// 1. The contract.
// A is n x n and symmetric; only its lower triangle (diagonal included) is read. Every entry read
// must be finite, otherwise strata::Error; a non-square A is an Error too. n = 0 gives empty
// results; n = 1 gives A(0, 0) and the vector [1]. Eigenvalues come in ascending order (as Eigen's
// solver), eigenvectors are the columns of an orthonormal matrix in the same order; their signs
// are whatever the algorithm produced (callers that need a fixed sign set it themselves).
//
// The maths. A is scaled by 1 / max|a_ij| (undone on the eigenvalues), then reduced to a
// tridiagonal T = Q^T A Q by Householder reflections (LAPACK's dsytrd/dlatrd scheme): columns are
// reduced in panels of kPanel; inside a panel each reflector is built from a column brought up to
// date on the fly, and the trailing matrix is updated once per panel by the symmetric rank-2k
// product A -= V W^T + W V^T (a matrix product, lower triangle only). Q stays as its reflectors
// (Eigen's HouseholderSequence, applied in blocks).
//   Eigenvalues only: Eigen's implicit symmetric QR on T without vectors (O(n^2)).
//   Vectors: Cuppen's divide and conquer on T, with the Gu-Eisenstat secular-equation solution
//   (as LAPACK's dstedc / dlaed0-3). T = diag(T1, T2) + rho v v^T, where rho = |e_m| and T1, T2
//   lose rho from the diagonal entries next to the cut. With T1 = Q1 D1 Q1^T, T2 = Q2 D2 Q2^T
//   (recursively; blocks of at most kLeaf rows by Eigen's QR) the merged problem is
//   D + rho z z^T, z = diag(Q1, Q2)^T v. Deflation: an entry with rho |z_i| <= tol keeps (d_i, q_i);
//   two poles closer than tol / (c s) after the Givens rotation that zeroes one of their z entries
//   keep the rotated pair (tol = 8 eps max(|d|_max, rho)). The remaining k eigenvalues are the
//   roots of the secular equation f(x) = 1 + rho sum z_i^2 / (d_i - x), one in each gap between
//   poles and one in (d_k, d_k + rho |z|^2); each is found relative to its nearer pole (so the
//   differences d_i - x, which make the vectors, keep their relative accuracy) by a safeguarded
//   rational iteration on a two-pole model of f (Li's "middle way") inside a bracket, bisection
//   when a step leaves the bracket. z is then recomputed from the computed roots (Gu-Eisenstat,
//   zhat_i^2 = -prod_j (d_i - x_j) / (rho prod_{l != i} (d_i - d_l))), so the vectors
//   u_j = (zhat_i / (d_i - x_j))_i are orthogonal to working precision whatever the root errors.
//   The merged vectors are diag(Q1, Q2) U, one matrix product per half (columns that live in one
//   half only are not multiplied by the other's zeros). Finally V = Q Z.
//   Below kDivideMin rows (EigenRoute::Auto) the pairs come from Eigen's SelfAdjointEigenSolver
//   instead: there the O(n^2) work of the merges and their buffers cost more than Eigen's QR sweeps.
//   The k largest pairs: the same tridiagonal solve, then only k columns of Z go through Q, which
//   saves 2 n^2 (n - k) of the 2 n^3 flops of the back-transformation; the reduction and the
//   tridiagonal solve are the same as for all pairs.
//
// Accuracy (the tests check each on matrices up to n = 600, graded ones included): backward
// stable like Eigen's solver. Eigenvalues carry an absolute error of a modest multiple of
// eps * ||A||; ||V^T V - I|| and ||A V - V L|| / ||A|| stay below 1e-12 for n up to a few
// thousand. As with any backward-stable solver, a small eigenvalue of a graded matrix is accurate
// only relative to ||A||, and the vectors of close eigenvalues only as a basis of their span.
#pragma once
#include <Eigen/Dense>

namespace strata {

// How the pairs are computed: Auto takes divide and conquer from kDivideMin rows on and Eigen's
// solver below; the other two force one route (the tests force divide and conquer at every size).
enum class EigenRoute { Auto, DivideAndConquer, EigenQR };
constexpr Eigen::Index kDivideMin = 512;

struct SymmetricEigen {
    Eigen::VectorXd values;   // ascending
    Eigen::MatrixXd vectors;  // n x values.size(), orthonormal columns in the same order
};

// 2. All eigenvalues, ascending (no vectors).
Eigen::VectorXd symmetric_eigenvalues(const Eigen::MatrixXd& A);

// 3. All eigenpairs.
SymmetricEigen symmetric_eigen(const Eigen::MatrixXd& A, EigenRoute route = EigenRoute::Auto);

// 4. The k largest eigenpairs (0 <= k <= n, else Error), ascending: the last k of symmetric_eigen()'s
// (the same values; the same vectors to round-off).
SymmetricEigen symmetric_eigen_top(const Eigen::MatrixXd& A, Eigen::Index k, EigenRoute route = EigenRoute::Auto);

// 5. The pieces.
// T = Q^T A Q for the symmetric A (lower triangle read; A overwritten by the reflectors, as
// Eigen's Tridiagonalization stores them: reflector j acts on rows j+1.., its essential part in
// A(j+2.., j), its coefficient in tau(j)). No scaling, no checks.
void tridiagonalize(Eigen::MatrixXd& A, Eigen::VectorXd& diag, Eigen::VectorXd& subdiag, Eigen::VectorXd& tau);
// Eigenpairs of the symmetric tridiagonal matrix with diagonal d (n) and subdiagonal e (n - 1) by
// divide and conquer; values ascending. Entries must be finite (Error otherwise).
SymmetricEigen tridiagonal_eigen(const Eigen::VectorXd& d, const Eigen::VectorXd& e);

}  // namespace strata
