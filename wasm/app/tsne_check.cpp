// tsne_check.cpp: a unit check of tsne.cpp, run under Node by ctest (test `tsne`).
//
// Index: 1. data: two well-separated Gaussian blobs, as the worker sees them (kernel distances)
//        2. checks: finite, blobs kept apart, nearest neighbours within their blob, reproducible,
//        bad input refused
//
// Why kernel distances 2 - 2 exp(-d^2 / 2h^2) rather than d^2: the page's t-SNE runs on those,
// which are bounded and compress large distances, so the check exercises the same regime.
#include "tsne.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <stdexcept>

namespace {

int failures = 0;
void check(bool ok, const char* what) {
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    if (!ok) ++failures;
}

// 1. Two blobs of n points in 10-D, unit spread, centres 8 apart; a fixed LCG + Box-Muller stream.
Eigen::MatrixXd blobs(int n) {
    std::uint64_t state = 12345;
    auto uniform = [&state] {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return (double(state >> 11) + 0.5) * 0x1.0p-53;
    };
    Eigen::MatrixXd X(2 * n, 10);
    for (int i = 0; i < 2 * n; ++i)
        for (int d = 0; d < 10; ++d)
            X(i, d) = std::sqrt(-2 * std::log(uniform())) * std::cos(6.283185307179586 * uniform()) + (i < n ? 0.0 : 8.0 / std::sqrt(10.0));
    Eigen::MatrixXd D2(2 * n, 2 * n);
    const double h = 3.0;
    for (int i = 0; i < 2 * n; ++i)
        for (int j = 0; j < 2 * n; ++j)
            D2(i, j) = i == j ? 0.0 : 2.0 - 2.0 * std::exp(-(X.row(i) - X.row(j)).squaredNorm() / (2 * h * h));
    return D2;
}

}  // namespace

// 2. Checks ---------------------------------------------------------------------------------------------
int main() {
    const int n = 40;
    const Eigen::MatrixXd D2 = blobs(n);
    app::TsneOptions o;
    int reports = 0;
    const Eigen::MatrixXd Y = app::tsne(D2, o, [&reports](int, double) { ++reports; });
    check(Y.rows() == 2 * n && Y.cols() == 2 && Y.allFinite(), "an embedding of 2n x 2, finite");
    check(reports == o.iterations / o.report_every, "progress every report_every iterations");
    const Eigen::RowVector2d a = Y.topRows(n).colwise().mean(), b = Y.bottomRows(n).colwise().mean();
    double spread = 0.0;
    for (int i = 0; i < 2 * n; ++i) spread = std::max(spread, (Y.row(i) - (i < n ? a : b)).norm());
    std::printf("     centres %.3g apart, largest distance to own centre %.3g\n", (a - b).norm(), spread);
    check((a - b).norm() > 2 * spread, "the blobs stay apart (centres further than twice any point's distance to its centre)");
    int own = 0;
    for (int i = 0; i < 2 * n; ++i) {
        int best = -1;
        for (int j = 0; j < 2 * n; ++j)
            if (j != i && (best < 0 || (Y.row(j) - Y.row(i)).squaredNorm() < (Y.row(best) - Y.row(i)).squaredNorm())) best = j;
        own += (best < n) == (i < n);
    }
    check(own == 2 * n, "every point's nearest neighbour is in its own blob");
    check(app::tsne(D2, o) == Y, "the same distances and seed give the same coordinates");
    o.seed = 1;
    check(app::tsne(D2, o) != Y, "another seed gives other coordinates");
    bool threw = false;
    try { app::tsne(Eigen::MatrixXd::Zero(1, 1), o); } catch (const std::invalid_argument&) { threw = true; }
    check(threw, "one point is refused");
    std::printf("%s\n", failures ? "tsne_check: FAILED" : "tsne_check: all passed");
    return failures ? 1 : 0;
}
