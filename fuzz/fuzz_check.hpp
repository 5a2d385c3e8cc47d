// fuzz_check.hpp: what every fuzz target shares: a property check that aborts (so libFuzzer keeps
// the input as a crash) and the rule that a strata::Error names the input.
#pragma once
#include "error.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace fuzz {

// Aborts with a message when a property does not hold (an assert that Release builds keep).
inline void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "fuzz property violated: %s\n", what);
        std::abort();
    }
}

// A parser's error must start with the name it was given ("NAME: what is wrong").
inline void check_names(const strata::Error& e, const std::string& name) {
    const std::string m = e.what();
    if (std::getenv("STRATA_FUZZ_VERBOSE")) std::fprintf(stderr, "strata::Error: %s\n", m.c_str());
    check(m.compare(0, name.size() + 2, name + ": ") == 0 && m.size() > name.size() + 2,
          "strata::Error does not start with the input's name");
}

}  // namespace fuzz
