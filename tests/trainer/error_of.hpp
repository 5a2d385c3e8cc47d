// error_of.hpp: the message a call fails with, for checks on error messages (torch-free, so both
// trainer test programs use it).
#pragma once
#include "error.hpp"

#include <string>

namespace fixtures {

// The strata::Error message of f(), "" when it does not throw one.
template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const strata::Error& e) { return e.what(); }
    return "";
}

}  // namespace fixtures
