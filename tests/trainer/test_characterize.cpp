// test_characterize.cpp: `strata characterize` on tiny models and tiny data.
#include "characterize.hpp"
#include "commands.hpp"
#include "fileio.hpp"
#include "fixtures.hpp"
#include "npy.hpp"
#include "onnx_runner.hpp"
#include "sha256.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <unistd.h>

using namespace strata;
using fixtures::error_of;

namespace {

// A models folder with the tiny cae and vae runs as subfolders (symlinks keep it cheap).
std::string tiny_models() {
    static const std::string dir = [] {
        const std::string d = fixtures::temp_dir("models");
        for (const char* k : {"cae", "vae"})
            REQUIRE(symlink(fixtures::tiny_run(k).c_str(), (d + "/" + k).c_str()) == 0);
        return d;
    }();
    return dir;
}

nlohmann::json read_json(const std::string& path) {
    const auto b = cmd::read_file(path);
    return nlohmann::json::parse(b.begin(), b.end());
}

}  // namespace

TEST_SUITE("characterize") {

TEST_CASE("characterize: JSON layout, PSNR, hashes, CSV and latent dumps") {
    const std::string out = fixtures::temp_dir("char");
    const std::vector<std::string> args = {"--models", tiny_models(), "--data", fixtures::tiny_data(), "--n", "16",
                                           "--sigmas", "0,0.1,0.3", "--out", out + "/r.json", "--csv", out + "/csv",
                                           "--dump-latents", out + "/lat", "--quiet"};
    REQUIRE(cmd::characterize(args) == 0);
    const auto j = read_json(out + "/r.json");
    const auto& s = j.at("settings");
    CHECK(s.at("n") == 16);
    CHECK(s.at("split") == "test");
    CHECK(s.at("seed") == 0);
    CHECK(s.at("vae_latent") == "sample");
    CHECK(s.at("sigmas").size() == 3);
    CHECK(s.at("geometry").at("metric") == "log-euclidean");
    CHECK(s.at("geometry").at("energy") == doctest::Approx(0.95));
    REQUIRE(j.at("models").size() == 2);
    for (const auto& m : j.at("models")) {
        CAPTURE(m.at("name").get<std::string>());
        const std::string enc = tiny_models() + "/" + m.at("name").get<std::string>() + "/encoder.onnx";
        const auto eb = cmd::read_file(enc);
        CHECK(m.at("sha256") == sha256_hex(eb.data(), eb.size()));
        CHECK(m.at("kind") == m.at("name"));
        REQUIRE(m.at("sets").size() == 3);
        double prev = 1e9;
        for (const auto& set : m.at("sets")) {
            CHECK(set.at("n") == 16);
            CHECK(set.at("shape") == nlohmann::json::array({64, 7, 7}));
            CHECK(set.at("ranks").size() == 16);
            const double p = set.at("psnr_mean").get<double>();
            CHECK(std::isfinite(p));
            CHECK(p > 5.0);
            CHECK(set.at("psnr_std").get<double>() >= 0.0);
            prev = p;
        }
        // Noise hurts a 1-epoch model's reconstruction of the clean image.
        CHECK(m.at("sets")[0].at("psnr_mean").get<double>() > prev);
        CHECK(m.at("sets")[2].at("principal_angles_deg").size() > 0);
    }
    CHECK(!cmd::read_file(out + "/csv/summary.csv").empty());
    const auto lat = cmd::read_file(out + "/lat/vae_sample_sigma0.1.npy");
    const NpyArray a = parse_npy(lat.data(), lat.size(), "lat");
    CHECK(a.shape == std::vector<std::size_t>{16, 64, 7, 7});
    CHECK(!cmd::read_file(out + "/lat/cae_sigma0.npy").empty());
}

TEST_CASE("characterize: reproducible; vae_latent mean differs from sample and is the encoder's mu") {
    study::StudySettings s;
    s.data_dir = fixtures::tiny_data();
    s.n = 8;
    s.sigmas = {0, 0.2};
    s.torch_threads = 1;
    const auto models = study::find_models(tiny_models());
    REQUIRE(models.size() == 2);
    CHECK(models[1].kind == "vae");
    const auto r1 = study::run_study({models[1]}, s, true);
    const auto r2 = study::run_study({models[1]}, s, true);
    CHECK(r1.models[0].encoded.latents_f32 == r2.models[0].encoded.latents_f32);
    CHECK(r1.models[0].geometry.sets[1].principal_angles_deg == r2.models[0].geometry.sets[1].principal_angles_deg);
    s.vae_latent = "mean";
    const auto rm = study::run_study({models[1]}, s, true);
    CHECK(rm.models[0].encoded.latents_f32[0] != r1.models[0].encoded.latents_f32[0]);
    // Mean latents of the clean set equal the ONNX encoder's mu.
    const auto x = fixtures::test_images(8);
    const auto enc = onnxrt::OnnxModel::load(models[1].encoder_path);
    const auto mu = enc.run({{"x", {{8, 1, 28, 28}, x}}}).at("mu").data;
    CHECK(fixtures::max_abs_diff(rm.models[0].encoded.latents_f32[0], mu) == 0.0f);
}

TEST_CASE("characterize: bad settings and missing models fail clearly") {
    const std::string out = fixtures::temp_dir("char_bad") + "/r.json";
    CHECK(error_of([&] { cmd::characterize({"--models", tiny_models(), "--sigmas", "0.1,0.2", "--out", out}); })
              .find("--sigmas: the first noise level must be 0") == 0);
    CHECK(error_of([&] { cmd::characterize({"--models", tiny_models(), "--vae-latent", "mode", "--out", out}); })
              .find("--vae-latent") == 0);
    CHECK(error_of([&] { cmd::characterize({"--models", "/nonexistent", "--out", out}); }).find("/nonexistent") == 0);
    CHECK(error_of([&] {
              cmd::characterize({"--models", tiny_models(), "--data", fixtures::tiny_data(), "--n", "65", "--out", out});
          }).find("--n: 65 images asked") == 0);
}

}  // TEST_SUITE
