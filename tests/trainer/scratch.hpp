// scratch.hpp: fresh temporary folders for the torch-free trainer tests, removed when the test
// program ends (the LibTorch tests have fixtures::temp_dir, which keeps them for inspection).
#pragma once
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace fixtures {

// A new folder /tmp/strata_test_<tag>_XXXXXX.
inline std::string scratch_dir(const std::string& tag) {
    static struct Cleanup {
        std::vector<std::string> dirs;
        ~Cleanup() {
            std::error_code ec;
            for (const auto& d : dirs) std::filesystem::remove_all(d, ec);
        }
    } cleanup;
    std::string tmpl = "/tmp/strata_test_" + tag + "_XXXXXX";
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    cleanup.dirs.push_back(tmpl);
    return tmpl;
}

}  // namespace fixtures
