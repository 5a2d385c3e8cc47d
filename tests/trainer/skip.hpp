// skip.hpp: a test case that cannot run on this machine says so (torch-free, for both trainer
// test programs). main.cpp then exits with status 77, which ctest reports as skipped
// (SKIP_RETURN_CODE), so such a case is registered as a ctest entry of its own.
#pragma once
#include <string>

namespace fixtures {

// Records that the running test case did not test anything here, and why.
void skip(const std::string& why);

}  // namespace fixtures
