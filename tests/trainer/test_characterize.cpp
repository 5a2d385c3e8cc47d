// test_characterize.cpp: `strata characterize` on tiny models and tiny data.
#include "../core/image_files.hpp"
#include "characterize.hpp"
#include "commands.hpp"
#include "fileio.hpp"
#include "fixtures.hpp"
#include "idx.hpp"
#include "interpolation.hpp"
#include "npy.hpp"
#include "onnx_runner.hpp"
#include "sha256.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <sstream>

using namespace strata;
using fixtures::error_of;
using strata::cmd::make_directories;

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
        const std::vector<std::string> args = {
            "--models",       tiny_models(), "--data", fixtures::tiny_data(), "--n",   "16",
            "--sigmas",       "0,0.1,0.3",   "--out",  out + "/r.json",       "--csv", out + "/csv",
            "--dump-latents", out + "/lat",  "--quiet"};
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
        // samples.csv: each sample's label (the IDX test labels) and its reconstruction's PSNR, here
        // recomputed from the dumped clean latents through the decoder: 10 log10(1 / MSE).
        {
            const data::Dataset test = data::load_split(fixtures::tiny_data(), data::Split::Test, 16);
            const auto x = fixtures::test_images(16);
            const auto zb = cmd::read_file(out + "/lat/cae_sigma0.npy");
            const NpyArray z = parse_npy(zb.data(), zb.size(), "cae_sigma0.npy");
            const auto dec = onnxrt::OnnxModel::load(tiny_models() + "/cae/decoder.onnx");
            const std::vector<float> zf(z.values.begin(), z.values.end());
            const auto xh = dec.run({{"z", {{16, 64, 7, 7}, zf}}}).at("x_hat").data;
            REQUIRE(xh.size() == x.size());
            const std::string csv = [&] {
                const auto b = cmd::read_file(out + "/csv/samples.csv");
                return std::string(b.begin(), b.end());
            }();
            std::istringstream lines(csv);
            std::string line;
            std::getline(lines, line);
            CHECK(line == "model,set,sigma,index,label,r1,r2,r3,erank1,erank2,erank3,x,y,psnr");
            int checked = 0;
            while (std::getline(lines, line)) {
                std::vector<std::string> f;
                std::istringstream fields(line);
                for (std::string v; std::getline(fields, v, ',');) f.push_back(v);
                REQUIRE(f.size() == 14);
                const std::size_t i = std::stoul(f[3]);
                CHECK(f[4] == std::to_string(int(test.labels.labels[i])));
                if (f[0] != "cae" || f[1] != "cae sigma=0") continue;
                double se = 0;
                for (std::size_t p = 0; p < 784; ++p)
                    se += std::pow(double(xh[i * 784 + p]) - double(x[i * 784 + p]), 2);
                const double want = 10.0 * std::log10(784.0 / se);
                CHECK(std::stod(f[13]) == doctest::Approx(want).epsilon(1e-5));
                ++checked;
            }
            CHECK(checked == 16);
        }
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

    // The interpolation fields against the core recomputed from the dumped latents: the clean set as
    // analysed gives the distance to data; the endpoints are that set (cae) or the encoder's mu (vae,
    // dumped by a run with --vae-latent mean, whose own paths must then be the same walk).
    TEST_CASE("characterize: --interpolations agrees with the core on the saved latents") {
        const std::string out = fixtures::temp_dir("char_walk");
        auto run = [&](const std::string& vae_latent, const std::string& tag) {
            REQUIRE(cmd::characterize({"--models",
                                       tiny_models(),
                                       "--data",
                                       fixtures::tiny_data(),
                                       "--n",
                                       "16",
                                       "--sigmas",
                                       "0,0.2",
                                       "--vae-latent",
                                       vae_latent,
                                       "--interpolations",
                                       "6",
                                       "--interpolation-steps",
                                       "5",
                                       "--out",
                                       out + "/" + tag + ".json",
                                       "--csv",
                                       out + "/" + tag,
                                       "--dump-latents",
                                       out + "/" + tag,
                                       "--quiet"}) == 0);
            return read_json(out + "/" + tag + ".json");
        };
        const auto js = run("sample", "sample"), jm = run("mean", "mean");
        CHECK(js.at("settings").at("interpolations") == 6);
        CHECK(js.at("settings").at("interpolation_steps") == 5);
        const auto pairs = draw_pairs(16, 6, 0);
        auto load = [&](const std::string& file, const std::string& name) {
            const auto b = cmd::read_file(file);
            return latent_set_from_npy(parse_npy(b.data(), b.size(), file), name, 0.0);
        };
        for (std::size_t mi = 0; mi < 2; ++mi) {
            const auto& m = js.at("models")[mi];
            const std::string name = m.at("name");
            CAPTURE(name);
            const bool vae = name == "vae";
            const LatentSet clean =
                load(out + "/sample/" + name + (vae ? "_sample" : "") + "_sigma0.npy", name + " clean");
            const LatentSet ends = vae ? load(out + "/mean/vae_mean_sigma0.npy", "vae mu") : clean;
            const CleanAnalysis analysis(clean, GeometrySettings{});
            const auto paths = interpolate_pairs(analysis, ends, pairs, 5);
            const auto& in = m.at("interpolation");
            CHECK(in.at("pairs") == 6);
            CHECK(in.at("steps") == 5);
            REQUIRE(in.at("paths").size() == 6);
            const InterpolationSummary sum = summarize(paths);
            CHECK(in.at("fraction_leaving_endpoint_strata").get<double>() == sum.fraction_leaving_endpoint_strata);
            CHECK(in.at("fraction_changing_stratum").get<double>() == sum.fraction_changing_stratum);
            CHECK(in.at("max_distance").get<double>() == doctest::Approx(sum.max_distance).epsilon(1e-9));
            CHECK(in.at("mean_interior_distance").get<double>() ==
                  doctest::Approx(sum.mean_interior_distance).epsilon(1e-9));
            for (std::size_t p = 0; p < 6; ++p) {
                const auto& jp = in.at("paths")[p];
                CHECK(jp.at("a") == pairs[p][0]);
                CHECK(jp.at("b") == pairs[p][1]);
                for (std::size_t k = 0; k < 5; ++k) {
                    const auto& st = paths[p].steps[k];
                    CHECK(jp.at("ranks")[k] == nlohmann::json::array({st.ranks[0], st.ranks[1], st.ranks[2]}));
                    const double d = jp.at("distance_to_data")[k].get<double>();
                    REQUIRE(std::isfinite(d));
                    CHECK(d == doctest::Approx(st.distance).epsilon(1e-9).scale(1e-6));
                    CHECK(jp.at("changes_stratum")[k] == st.changes_stratum);
                }
            }
            if (vae) {
                // The sample run walks mu too: the same ranks along every path as the mean run.
                const auto& pm = jm.at("models")[mi].at("interpolation").at("paths");
                for (std::size_t p = 0; p < 6; ++p) CHECK(pm[p].at("ranks") == in.at("paths")[p].at("ranks"));
            }
        }
        const auto csv = cmd::read_file(out + "/sample/interpolations.csv");
        const std::string text(csv.begin(), csv.end());
        CHECK(text.find("model,latent,pairs,steps,fraction_leaving_endpoint_strata") == 0);
        CHECK(text.find("\nvae,mu,6,5,") != std::string::npos);
        CHECK(text.find("\ncae,latent,6,5,") != std::string::npos);
    }

    TEST_CASE("characterize: bad settings and missing models fail clearly") {
        const std::string out = fixtures::temp_dir("char_bad") + "/r.json";
        CHECK(error_of([&] {
                  cmd::characterize({"--models", tiny_models(), "--sigmas", "0.1,0.2", "--out", out});
              }).find("--sigmas: the first noise level must be 0") == 0);
        CHECK(error_of([&] {
                  cmd::characterize({"--models", tiny_models(), "--vae-latent", "mode", "--out", out});
              }).find("--vae-latent") == 0);
        CHECK(error_of([&] {
                  cmd::characterize({"--models", "/nonexistent", "--out", out});
              }).find("/nonexistent") == 0);
        CHECK(error_of([&] {
                  cmd::characterize(
                      {"--models", tiny_models(), "--data", fixtures::tiny_data(), "--n", "65", "--out", out});
              }).find("--n: 65 images asked") == 0);
        CHECK(error_of([&] {
                  cmd::characterize({"--models", tiny_models(), "--data", fixtures::tiny_data(), "--n", "4",
                                     "--interpolations", "7", "--out", out});
              }).find("--interpolations: 7 pairs asked, but 4 images have only 6 distinct pairs") == 0);
        CHECK(error_of([&] {
                  cmd::characterize({"--models", tiny_models(), "--interpolation-steps", "2", "--out", out});
              }).find("--interpolation-steps") == 0);
    }

}  // TEST_SUITE

TEST_SUITE("characterize") {
    // The tiny test images written as a folder of 28 x 28 gray PNGs (0000.png, 0001.png, ... and one
    // broken file among them) and as a 56 x 56 RGB uint8 .npy (each pixel a 2 x 2 block, R = G = B):
    // both convert back to exactly the IDX images' v / 255 (area average of equal values; luma of
    // R = G = B is v), so the study on them must equal the default study on the IDX folder.
    TEST_CASE("characterize: --images (a PNG folder, a .npy) gives the same study as the same images from IDX") {
        const std::size_t n = 12;
        const data::Dataset test = data::load_split(fixtures::tiny_data(), data::Split::Test, n);
        const std::string dir = fixtures::temp_dir("char_images");
        const std::string folder = dir + "/pngs";
        make_directories(folder);
        std::vector<std::uint8_t> big;  // n x 56 x 56 x 3
        for (std::size_t i = 0; i < n; ++i) {
            const std::vector<std::uint8_t> px(test.images.pixels.begin() + std::ptrdiff_t(i * 784),
                                               test.images.pixels.begin() + std::ptrdiff_t((i + 1) * 784));
            char name[32];
            std::snprintf(name, sizeof name, "/%04zu.png", i);
            const auto png = testimg::png(28, 28, 8, 0, px);
            cmd::write_file_atomic(folder + name, png.data(), png.size());
            for (int y = 0; y < 56; ++y)
                for (int x = 0; x < 56; ++x)
                    for (int c = 0; c < 3; ++c) big.push_back(px[std::size_t((y / 2) * 28 + x / 2)]);
        }
        cmd::write_file_atomic(folder + "/0005b.png", std::string("not an image"));
        const auto npy = testimg::npy("|u1", {n, 56, 56, 3}, big.data(), big.size());
        cmd::write_file_atomic(dir + "/big.npy", npy.data(), npy.size());

        const auto run = [&](const std::vector<std::string>& source, const std::string& out) {
            std::vector<std::string> args = {"--models", tiny_models(), "--n", std::to_string(n), "--sigmas",
                                             "0,0.2",    "--out",       out,   "--quiet"};
            args.insert(args.end(), source.begin(), source.end());
            REQUIRE(cmd::characterize(args) == 0);
            return read_json(out);
        };
        const auto ref = run({"--data", fixtures::tiny_data()}, dir + "/idx.json");
        const auto png = run({"--images", folder}, dir + "/png.json");
        const auto arr = run({"--images", dir + "/big.npy"}, dir + "/npy.json");
        for (const auto* j : {&png, &arr}) {
            REQUIRE(j->at("models").size() == ref.at("models").size());
            for (std::size_t m = 0; m < ref.at("models").size(); ++m) {
                CAPTURE(m);
                CHECK(j->at("models")[m].at("sets") == ref.at("models")[m].at("sets"));
            }
        }
        // The results name the source: path, kind, count, what was skipped and why.
        const auto& s = png.at("settings");
        CHECK(s.at("dataset") == "images " + folder + " (image folder)");
        CHECK(s.at("split").is_null());
        CHECK(s.at("images_file") == folder);
        const auto& src = s.at("image_source");
        CHECK(src.at("path") == folder);
        CHECK(src.at("count") == n);
        CHECK(src.at("input") == nlohmann::json::array({1, 28, 28}));
        CHECK(src.at("skipped") == 1);
        CHECK(src.at("skipped_files")[0].at("path") == folder + "/0005b.png");
        CHECK(src.at("skipped_files")[0].at("reason") == folder + "/0005b.png: not a PNG or JPEG image");
        CHECK(arr.at("settings").at("dataset") == "images " + dir + "/big.npy (.npy file)");
        CHECK(arr.at("settings").at("images_sha256") == sha256_hex(npy.data(), npy.size()));
        CHECK(arr.at("settings").at("image_source").at("skipped") == 0);
        CHECK(!ref.at("settings").contains("image_source"));

        // Too few usable images, and --data with --images.
        const std::string out = dir + "/bad.json";
        CHECK(error_of([&] {
                  cmd::characterize(
                      {"--models", tiny_models(), "--images", folder, "--n", "13", "--out", out, "--quiet"});
              }) == "--n: 13 images asked, " + folder + " has 12 usable (1 skipped)");
        CHECK(error_of([&] {
                  cmd::characterize(
                      {"--models", tiny_models(), "--images", folder, "--data", fixtures::tiny_data(), "--out", out});
              }) == "--images: give either --data or --images, not both");
        CHECK(error_of([&] {
                  cmd::characterize({"--models", tiny_models(), "--images", dir + "/none", "--out", out});
              }) == dir + "/none: no such file or folder");
    }

}  // TEST_SUITE
