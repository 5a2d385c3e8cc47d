// parallel.hpp: a minimal parallel_for over an index range, on std::thread.
//
// The analysis has plenty of independent work (one SPSD point per latent, one kernel
// eigenproblem per set, row blocks of a distance matrix). parallel_for splits [0, n) into
// contiguous chunks, one per thread. Under WebAssembly without pthreads it runs serially.
// An exception thrown by a chunk is re-thrown in the caller after all threads have joined.
// parallel_each polls the cancel flag (cancel.hpp) before each item.
#pragma once
#include "cancel.hpp"

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace strata {

// Number of worker threads for `requested` (0 = all hardware threads), at least 1.
inline int worker_count(int requested) {
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
    (void)requested;
    return 1;
#else
    if (requested > 0) return requested;
    unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : static_cast<int>(hw);
#endif
}

// Calls body(begin, end) on disjoint chunks covering [0, n).
template <class Body>
void parallel_for(std::size_t n, int threads, Body&& body) {
    const std::size_t workers = std::min<std::size_t>(static_cast<std::size_t>(worker_count(threads)), n);
    if (workers <= 1) {
        if (n > 0) body(std::size_t{0}, n);
        return;
    }
    std::vector<std::thread> pool;
    std::vector<std::exception_ptr> errors(workers);
    const std::size_t chunk = (n + workers - 1) / workers;
    for (std::size_t w = 0; w < workers; ++w) {
        const std::size_t begin = w * chunk, end = std::min(n, begin + chunk);
        if (begin >= end) break;
        pool.emplace_back([&, w, begin, end] {
            try {
                body(begin, end);
            } catch (...) { errors[w] = std::current_exception(); }
        });
    }
    for (std::thread& t : pool) t.join();
    for (const std::exception_ptr& e : errors)
        if (e) std::rethrow_exception(e);
}

// Calls body(i) for each i in [0, n), items shared dynamically (for uneven work such as one
// eigenproblem per set).
template <class Body>
void parallel_each(std::size_t n, int threads, Body&& body) {
    parallel_for(n, threads, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
            check_cancel();
            body(i);
        }
    });
}

}  // namespace strata
