// cancel.hpp: stopping a long computation from outside, between units of work.
//
// The page runs the core in a Web Worker, where one call (a whole set's analysis) can take minutes
// with a slow metric; the page's cancel button sets this flag through the worker's shared memory
// (its address comes from the worker module), and the core polls it between work items
// (parallel.hpp polls before each item of parallel_each) and throws strata::Cancelled. Natively
// nothing sets it, and a poll is one relaxed atomic load.
#pragma once
#include "error.hpp"

#include <atomic>

namespace strata {

struct Cancelled : Error {
    Cancelled() : Error("cancelled by the user") {}
};

// The flag: non-zero asks the running computation to stop. Whoever sets it clears it once the
// computation has stopped (the core never clears it itself).
inline std::atomic<int>& cancel_flag() {
    static std::atomic<int> flag{0};
    return flag;
}

// Throws Cancelled when the flag is set.
inline void check_cancel() {
    if (cancel_flag().load(std::memory_order_relaxed) != 0) throw Cancelled();
}

}  // namespace strata
