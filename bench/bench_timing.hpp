// bench_timing.hpp: the benchmarks' timer: the best of `repeat` wall-clock runs (the run least
// disturbed by the rest of the machine).
#pragma once
#include <algorithm>
#include <chrono>

namespace bench {

template <class F>
double best_seconds(int repeat, F&& f) {
    double best = 1e300;
    for (int r = 0; r < repeat; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

}  // namespace bench
