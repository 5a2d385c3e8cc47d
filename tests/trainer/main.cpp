// main.cpp: doctest's main for the trainer tests, with skips reported to ctest.
//
// A run that fails nothing but skipped a case (fixtures::skip) exits with status 77; ctest's
// SKIP_RETURN_CODE turns that into "skipped" rather than "passed" (tests/trainer/CMakeLists.txt).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "skip.hpp"

#include <cstdio>

namespace fixtures {

namespace {
int skipped_cases = 0;
}

void skip(const std::string& why) {
    ++skipped_cases;
    MESSAGE("SKIPPED: " << why);
}

}  // namespace fixtures

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    const int result = context.run();
    if (context.shouldExit() || result != 0) return result;
    if (fixtures::skipped_cases > 0) {
        std::printf("%d test case(s) could not run here: reported as skipped (exit status 77)\n",
                    fixtures::skipped_cases);
        return 77;
    }
    return 0;
}
