// characterize_cmd.cpp: `strata characterize` (placeholder while the runner lands).
#include "commands.hpp"
#include "error.hpp"
namespace strata::cmd {
int characterize(const Args&) { throw Error("characterize: not built yet"); }
}  // namespace strata::cmd
