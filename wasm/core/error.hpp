// error.hpp: the one exception type of the core.
//
// Every failure the user can cause (a bad file, a bad setting, NaN in a latent) is reported as a
// strata::Error whose message names the file or setting and says what is wrong, so that programs
// on top (the CLI, the page) can show it as is.
#pragma once
#include <stdexcept>
#include <string>

namespace strata {

struct Error : std::runtime_error {
    explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace strata
