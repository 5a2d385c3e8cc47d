// fixtures.cpp: see fixtures.hpp.
#include "fixtures.hpp"

#include "fileio.hpp"
#include "idx.hpp"
#include "onnx_export.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>

namespace fixtures {

namespace {
// Every folder made here is removed at exit (set STRATA_KEEP_TEST_DIRS=1 to keep them).
struct Cleanup {
    std::vector<std::string> dirs;
    ~Cleanup() {
        if (std::getenv("STRATA_KEEP_TEST_DIRS")) return;
        std::error_code ec;
        for (const auto& d : dirs) std::filesystem::remove_all(d, ec);
    }
};
Cleanup g_cleanup;
}  // namespace

std::string temp_dir(const std::string& tag) {
    std::string tmpl = "/tmp/strata_test_" + tag + "_XXXXXX";
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    g_cleanup.dirs.push_back(tmpl);
    return tmpl;
}

const std::string& tiny_data() {
    static const std::string dir = [] {
        const std::string d = temp_dir("data");
        using namespace strata::data;
        for (auto [split, prefix, n] : {std::tuple{Split::Train, "train", 256}, std::tuple{Split::Test, "t10k", 64}}) {
            const Dataset ds = load_split(default_data_dir(), split, std::size_t(n));
            const auto ib = encode_idx_images(ds.images);
            const auto lb = encode_idx_labels(ds.labels);
            strata::cmd::write_file_atomic(d + "/" + prefix + "-images-idx3-ubyte", ib.data(), ib.size());
            strata::cmd::write_file_atomic(d + "/" + prefix + "-labels-idx1-ubyte", lb.data(), lb.size());
        }
        return d;
    }();
    return dir;
}

strata::train::TrainConfig tiny_config(const std::string& kind, const std::string& out, int epochs) {
    strata::train::TrainConfig c;
    c.kind = kind;
    c.out = out;
    c.data = tiny_data();
    c.epochs = epochs;
    c.batch = 32;
    c.threads = 1;
    c.eval_images = 64;
    c.progress = false;
    c.seed = 3;
    return c;
}

const std::string& tiny_run(const std::string& kind) {
    static std::map<std::string, std::string> runs;
    auto it = runs.find(kind);
    if (it != runs.end()) return it->second;
    const std::string dir = temp_dir("run_" + kind);
    strata::train::run_training(tiny_config(kind, dir, 1), false);
    strata::train::write_onnx_files(strata::train::load_trained_network(dir), dir);
    return runs[kind] = dir;
}

std::vector<float> test_images(std::size_t count) {
    const auto ds = strata::data::load_split(tiny_data(), strata::data::Split::Test, count);
    return strata::data::to_unit_floats(ds.images, 0, count);
}

}  // namespace fixtures
