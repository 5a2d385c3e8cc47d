// test_tsne.cpp: exact t-SNE (tsne.hpp) on two well-separated blobs.
//
// Index: 1. data: two Gaussian blobs, as the page's worker sees them (kernel distances)
//        2. checks: finite, blobs kept apart, nearest neighbours within their blob, reproducible,
//        bad input refused
//
// Why kernel distances 2 - 2 exp(-d^2 / 2h^2) rather than d^2: the page's t-SNE runs on those,
// which are bounded and compress large distances, so the test exercises the same regime.
#include "error.hpp"
#include "tsne.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>

namespace {

// 1. Two blobs of n points in 10-D, unit spread, centres 8 apart; a fixed LCG + Box-Muller stream.
Eigen::MatrixXd blob_distances(int n) {
    std::uint64_t state = 12345;
    auto uniform = [&state] {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return (double(state >> 11) + 0.5) * 0x1.0p-53;
    };
    Eigen::MatrixXd X(2 * n, 10);
    for (int i = 0; i < 2 * n; ++i)
        for (int d = 0; d < 10; ++d)
            X(i, d) = std::sqrt(-2 * std::log(uniform())) * std::cos(6.283185307179586 * uniform()) +
                      (i < n ? 0.0 : 8.0 / std::sqrt(10.0));
    Eigen::MatrixXd D2(2 * n, 2 * n);
    const double h = 3.0;
    for (int i = 0; i < 2 * n; ++i)
        for (int j = 0; j < 2 * n; ++j)
            D2(i, j) = i == j ? 0.0 : 2.0 - 2.0 * std::exp(-(X.row(i) - X.row(j)).squaredNorm() / (2 * h * h));
    return D2;
}

}  // namespace

// 2. Checks ---------------------------------------------------------------------------------------------
TEST_CASE("tsne: two blobs stay apart, reproducibly") {
    const int n = 40;
    const Eigen::MatrixXd D2 = blob_distances(n);
    strata::TsneOptions o;
    int reports = 0;
    const Eigen::MatrixXd Y = strata::tsne(D2, o, [&reports](int, double) { ++reports; });
    REQUIRE(Y.rows() == 2 * n);
    REQUIRE(Y.cols() == 2);
    REQUIRE(Y.allFinite());
    CHECK(reports == o.iterations / o.report_every);  // progress every report_every iterations

    // The blobs stay apart: centres further than twice any point's distance to its own centre.
    const Eigen::RowVector2d a = Y.topRows(n).colwise().mean(), b = Y.bottomRows(n).colwise().mean();
    double spread = 0.0;
    for (int i = 0; i < 2 * n; ++i) spread = std::max(spread, (Y.row(i) - (i < n ? a : b)).norm());
    CHECK((a - b).norm() > 2 * spread);

    // Every point's nearest neighbour is in its own blob.
    int own = 0;
    for (int i = 0; i < 2 * n; ++i) {
        int best = -1;
        for (int j = 0; j < 2 * n; ++j)
            if (j != i && (best < 0 || (Y.row(j) - Y.row(i)).squaredNorm() < (Y.row(best) - Y.row(i)).squaredNorm()))
                best = j;
        own += (best < n) == (i < n);
    }
    CHECK(own == 2 * n);

    CHECK(strata::tsne(D2, o) == Y);  // the same distances and seed give the same coordinates
    o.seed = 1;
    CHECK(strata::tsne(D2, o) != Y);  // another seed gives other coordinates
}

TEST_CASE("tsne: bad input is refused") {
    strata::TsneOptions o;
    CHECK_THROWS_AS(strata::tsne(Eigen::MatrixXd::Zero(1, 1), o), strata::Error);  // one point
    CHECK_THROWS_AS(strata::tsne(Eigen::MatrixXd::Zero(3, 2), o), strata::Error);  // not square
    Eigen::MatrixXd D2 = Eigen::MatrixXd::Ones(3, 3);
    D2(0, 1) = std::nan("");
    CHECK_THROWS_AS(strata::tsne(D2, o), strata::Error);  // not finite
}
