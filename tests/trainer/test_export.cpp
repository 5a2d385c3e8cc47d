// test_export.cpp: ONNX export (batch-norm folding, checker), the native ONNX runner, and parity
// with LibTorch and with ONNX Runtime Web under Node (max abs difference <= 1e-4 on 32 images);
// the architecture switches (defaults, errors, export parity for every value).
#include "characterize.hpp"
#include "commands.hpp"
#include "fileio.hpp"
#include "fixtures.hpp"
#include "idx.hpp"
#include "manifest.hpp"
#include "model.hpp"
#include "onnx_export.hpp"
#include "onnx_runner.hpp"
#include "sha256.hpp"

#include <nlohmann/json.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

using namespace strata;
using fixtures::error_of;

namespace {

std::vector<float> to_vec(const torch::Tensor& t) {
    torch::Tensor c = t.contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

// Runs one model file in ONNX Runtime Web (tests/trainer/ort_run.mjs) and returns its outputs.
std::map<std::string, std::vector<float>> run_ort(const std::string& model, const std::string& input_name,
                                                  const std::vector<float>& input, const std::string& dims,
                                                  const std::vector<std::string>& outputs) {
    const std::string dir = fixtures::temp_dir("ort");
    cmd::write_file_atomic(dir + "/in.f32", input.data(), input.size() * sizeof(float));
    const std::string command = std::string(STRATA_NODE) + " " + STRATA_SOURCE_DIR + "/tests/trainer/ort_run.mjs " +
                                model + " " + input_name + " " + dir + "/in.f32 " + dims + " " + dir + "/out > " + dir +
                                "/log 2>&1";
    const int rc = std::system(command.c_str());
    if (rc != 0) {
        const auto log = cmd::read_file(dir + "/log");
        FAIL("ONNX Runtime Web failed (is web/node_modules installed? npm ci --prefix web): " << std::string(
                 log.begin(), log.end()));
    }
    std::map<std::string, std::vector<float>> out;
    for (const auto& name : outputs) {
        const auto bytes = cmd::read_file(dir + "/out." + name + ".f32");
        std::vector<float> v(bytes.size() / 4);
        std::memcpy(v.data(), bytes.data(), bytes.size());
        out[name] = v;
    }
    return out;
}

std::string dims_text(const torch::Tensor& t) {
    std::string s;
    for (auto d : t.sizes()) s += (s.empty() ? "" : ",") + std::to_string(d);
    return s;
}

// A trained run's ONNX files against its LibTorch module (eval mode: batch norm with running
// statistics) on n images of x: the native runner and ONNX Runtime Web, encoder outputs and the
// decoder's x_hat from the reference latent, each max abs difference <= 1e-4.
void check_parity(const std::string& dir, const std::string& label, const std::vector<float>& x, std::int64_t n) {
    const auto enc = onnxrt::OnnxModel::load(dir + "/encoder.onnx");
    const auto dec = onnxrt::OnnxModel::load(dir + "/decoder.onnx");
    train::Autoencoder model = train::load_autoencoder(dir);
    const auto& spec = model->spec();
    const std::vector<std::int64_t> in_dims{n, spec.input_c, spec.input_h, spec.input_w};
    const torch::Tensor xt = torch::from_blob(const_cast<float*>(x.data()), in_dims, torch::kFloat32);
    torch::NoGradGuard ng;
    const auto ref = model->encode(xt);
    const torch::Tensor ref_xhat = model->decode(ref[0]);
    const std::vector<std::string> enc_names = enc.output_names();
    REQUIRE(enc_names.size() == ref.size());

    const auto got = enc.run({{"x", {in_dims, x}}});
    for (std::size_t i = 0; i < enc_names.size(); ++i) {
        CHECK(got.at(enc_names[i]).shape == ref[i].sizes().vec());
        CHECK(fixtures::max_abs_diff(got.at(enc_names[i]).data, to_vec(ref[i])) <= 1e-4f);
    }
    const auto zref = to_vec(ref[0]);
    const auto gotd = dec.run({{"z", {ref[0].sizes().vec(), zref}}});
    CHECK(gotd.at("x_hat").shape == ref_xhat.sizes().vec());
    CHECK(fixtures::max_abs_diff(gotd.at("x_hat").data, to_vec(ref_xhat)) <= 1e-4f);

    // ONNX Runtime Web (wasm) under Node.
    const auto ort_enc = run_ort(dir + "/encoder.onnx", "x", x, dims_text(xt), enc_names);
    for (std::size_t i = 0; i < enc_names.size(); ++i) {
        const float d = fixtures::max_abs_diff(ort_enc.at(enc_names[i]), to_vec(ref[i]));
        MESSAGE(label << " encoder " << enc_names[i] << ": max |ORT - LibTorch| = " << d);
        CHECK(d <= 1e-4f);
    }
    const auto ort_dec = run_ort(dir + "/decoder.onnx", "z", zref, dims_text(ref[0]), {"x_hat"});
    const float dd = fixtures::max_abs_diff(ort_dec.at("x_hat"), to_vec(ref_xhat));
    MESSAGE(label << " decoder x_hat: max |ORT - LibTorch| = " << dd);
    CHECK(dd <= 1e-4f);
}

}  // namespace

TEST_SUITE("export") {
    TEST_CASE("batch-norm folding equals conv + batch norm (Conv and ConvTranspose)") {
        for (bool transposed : {false, true}) {
            CAPTURE(transposed);
            torch::manual_seed(1);
            train::LayerSpec l;
            l.name = "t";
            l.transposed = transposed;
            l.in = 3, l.out = 5, l.kernel = 3, l.stride = 1, l.pad = 1, l.batch_norm = true;
            const torch::Tensor w = transposed ? torch::randn({3, 5, 3, 3}) : torch::randn({5, 3, 3, 3});
            const torch::Tensor g = torch::rand({5}) + 0.5, b = torch::randn({5}), mean = torch::randn({5}),
                                var = torch::rand({5}) + 0.1;
            l.weight = to_vec(w), l.bn_gamma = to_vec(g), l.bn_beta = to_vec(b), l.bn_mean = to_vec(mean),
            l.bn_var = to_vec(var);
            const train::LayerSpec f = train::fold_batch_norm(l);
            CHECK(!f.batch_norm);
            REQUIRE(f.bias_values.size() == 5);
            const torch::Tensor x = torch::randn({2, 3, 6, 6});
            const torch::Tensor y0 =
                transposed ? torch::conv_transpose2d(x, w, {}, 1, 1) : torch::conv2d(x, w, {}, 1, 1);
            const torch::Tensor ref = torch::batch_norm(y0, g, b, mean, var, false, 0.1, 1e-5, false);
            const torch::Tensor fw = torch::from_blob(const_cast<float*>(f.weight.data()), w.sizes(), torch::kFloat32);
            const torch::Tensor fb = torch::from_blob(const_cast<float*>(f.bias_values.data()), {5}, torch::kFloat32);
            const torch::Tensor got =
                transposed ? torch::conv_transpose2d(x, fw, fb, 1, 1) : torch::conv2d(x, fw, fb, 1, 1);
            CHECK(fixtures::max_abs_diff(to_vec(got), to_vec(ref)) < 1e-5f);
        }
    }

    TEST_CASE("export: checked files with the agreed names and a dynamic batch; parity with LibTorch and ORT Web") {
        const auto x = fixtures::test_images(32);
        for (const std::string kind : {"cae", "vae"}) {
            CAPTURE(kind);
            const std::string dir = fixtures::tiny_run(kind);
            const bool variational = kind == "vae";
            for (const char* f : {"/encoder.onnx", "/decoder.onnx"}) {
                const auto bytes = cmd::read_file(dir + f);
                CHECK_NOTHROW(train::check_onnx_bytes(std::string(bytes.begin(), bytes.end()), dir + f));
            }
            const auto enc = onnxrt::OnnxModel::load(dir + "/encoder.onnx");
            const auto dec = onnxrt::OnnxModel::load(dir + "/decoder.onnx");
            CHECK(enc.input_names() == std::vector<std::string>{"x"});
            CHECK(enc.output_names() ==
                  (variational ? std::vector<std::string>{"mu", "logvar"} : std::vector<std::string>{"z"}));
            CHECK(dec.input_names() == std::vector<std::string>{"z"});
            CHECK(dec.output_names() == std::vector<std::string>{"x_hat"});
            CHECK(enc.metadata("kind") == kind);

            // Native runner, batch of 5 (the batch dimension is symbolic), then the parity on 32.
            const auto got5 = enc.run({{"x", {{5, 1, 28, 28}, std::vector<float>(x.begin(), x.begin() + 5 * 784)}}});
            CHECK(got5.at(enc.output_names()[0]).shape == std::vector<std::int64_t>{5, 64, 7, 7});
            check_parity(dir, kind, x, 32);
        }
    }

    TEST_CASE("export: strata export writes both files; bad inputs fail clearly") {
        const std::string run = fixtures::tiny_run("dae");
        const std::string out = fixtures::temp_dir("export_cli");
        CHECK(cmd::export_onnx({run, "--out", out}) == 0);
        CHECK(cmd::read_file(out + "/encoder.onnx") == cmd::read_file(run + "/encoder.onnx"));  // deterministic bytes
        CHECK(error_of([&] { cmd::export_onnx({out}); }).find(out + "/config.json") != std::string::npos);

        // Truncated and corrupt files name the file.
        auto bytes = cmd::read_file(run + "/encoder.onnx");
        const std::string cut = out + "/cut.onnx";
        cmd::write_file_atomic(cut, bytes.data(), bytes.size() / 3);
        CHECK(error_of([&] { onnxrt::OnnxModel::load(cut); }).find(cut + ": ") == 0);
        const std::string junk = out + "/junk.onnx";
        cmd::write_file_atomic(junk, std::string("this is not a model"));
        CHECK(error_of([&] { onnxrt::OnnxModel::load(junk); }).find(junk + ": ") == 0);
        CHECK(error_of([&] { onnxrt::OnnxModel::load(out + "/missing.onnx"); }).find(out + "/missing.onnx") == 0);
    }

    TEST_CASE("export: the checker rejects a broken graph and the runner an unsupported op") {
        const std::string run = fixtures::tiny_run("cae");
        const auto bytes = cmd::read_file(run + "/decoder.onnx");
        std::string s(bytes.begin(), bytes.end());
        // Rename the Sigmoid op: "Sigmoid" -> "Softmax" is a valid op the runner does not implement;
        // "Sigmoix" is not an op at all, so the checker must refuse it.
        const std::size_t at = s.find("Sigmoid");
        REQUIRE(at != std::string::npos);
        std::string softmax = s, unknown = s;
        softmax.replace(at, 7, "Softmax");
        unknown.replace(at, 7, "Sigmoix");
        CHECK(error_of([&] { train::check_onnx_bytes(unknown, "u.onnx"); }).find("u.onnx: fails the ONNX checker") ==
              0);
        CHECK(error_of([&] {
                  onnxrt::OnnxModel::from_bytes(unknown, "u.onnx");
              }).find("u.onnx: fails the ONNX checker") == 0);
        CHECK(error_of([&] {
                  onnxrt::OnnxModel::from_bytes(softmax, "s.onnx");
              }).find("s.onnx: unsupported op 'Softmax'") == 0);
    }

    // Every crash input fuzz_onnx found (fuzz/regressions/onnx/) fails with a strata::Error naming
    // the file (nothing else may escape), and the tensor limit stops a node before LibTorch allocates.
    TEST_CASE("export: the runner's fuzz regressions fail cleanly; the tensor limit holds") {
        const std::string dir = std::string(STRATA_SOURCE_DIR) + "/fuzz/regressions/onnx";
        int n = 0;
        for (const auto& e : std::filesystem::directory_iterator(dir)) {
            const auto bytes = cmd::read_file(e.path().string());
            const std::string msg =
                error_of([&] { onnxrt::OnnxModel::from_bytes(std::string(bytes.begin(), bytes.end()), "r.onnx"); });
            INFO(e.path().string(), ": ", msg);
            CHECK(msg.find("r.onnx: ") == 0);
            ++n;
        }
        CHECK(n >= 2);

        // fuzz/corpus/onnx/convT_sigmoid.onnx: z [N,2,2,2] -> x_hat [N,1,4,4] (16 values for N = 1).
        const auto m = onnxrt::OnnxModel::load(std::string(STRATA_SOURCE_DIR) + "/fuzz/corpus/onnx/convT_sigmoid.onnx");
        const onnxrt::FloatTensor z{{1, 2, 2, 2}, std::vector<float>(8, 0.0f)};
        CHECK(m.run({{"z", z}}).at("x_hat").data.size() == 16);
        onnxrt::set_tensor_limit(15);
        const std::string msg = error_of([&] { m.run({{"z", z}}); });
        onnxrt::set_tensor_limit(std::int64_t(1) << 28);
        INFO(msg);
        CHECK(msg.find("node 'deconv' (ConvTranspose): its output would have 16 values, more than the limit of 15") !=
              std::string::npos);
    }

}  // TEST_SUITE

TEST_SUITE("models") {
    // The shipped files themselves: hashes as in the manifest, checker, and the native runner against
    // ONNX Runtime Web on the first 32 sample images (both run the same file: max abs diff <= 1e-4).
    TEST_CASE("models/: every shipped model matches its manifest hash, passes the checker and runs alike in ORT Web") {
        const std::string root = std::string(STRATA_SOURCE_DIR) + "/models";
        const auto mb = cmd::read_file(root + "/manifest.json");
        const auto manifest = nlohmann::json::parse(mb.begin(), mb.end());
        REQUIRE(manifest.at("models").size() >= 3);
        // The core's strict reader (the page's and characterize's) takes the shipped file whole.
        const Manifest parsed = parse_manifest(std::string(mb.begin(), mb.end()), "models/manifest.json");
        CHECK(parsed.problems.empty());
        CHECK(parsed.models.size() == manifest.at("models").size());
        CHECK(parsed.sample_count == 1000);
        const auto ds = data::load_split(root + "/sample", data::Split::Test, 32);
        const auto x = data::to_unit_floats(ds.images, 0, 32);
        for (const auto& m : manifest.at("models")) {
            const std::string name = m.at("name");
            CAPTURE(name);
            for (const char* part : {"encoder", "decoder"}) {
                const std::string path = root + "/" + m.at("files").at(part).at("path").get<std::string>();
                const auto bytes = cmd::read_file(path);
                CHECK(sha256_hex(bytes.data(), bytes.size()) == m.at("files").at(part).at("sha256").get<std::string>());
                CHECK_NOTHROW(train::check_onnx_bytes(std::string(bytes.begin(), bytes.end()), path));
            }
            const auto enc = onnxrt::OnnxModel::load(root + "/" + name + "/encoder.onnx");
            const auto dec = onnxrt::OnnxModel::load(root + "/" + name + "/decoder.onnx");
            const auto native = enc.run({{"x", {{32, 1, 28, 28}, x}}});
            const auto names = enc.output_names();
            const auto ort = run_ort(root + "/" + name + "/encoder.onnx", "x", x, "32,1,28,28", names);
            for (const auto& o : names) CHECK(fixtures::max_abs_diff(native.at(o).data, ort.at(o)) <= 1e-4f);
            const auto& z = native.at(names[0]).data;
            const auto xn = dec.run({{"z", {{32, 64, 7, 7}, z}}}).at("x_hat").data;
            const auto xo = run_ort(root + "/" + name + "/decoder.onnx", "z", z, "32,64,7,7", {"x_hat"}).at("x_hat");
            const float d = fixtures::max_abs_diff(xn, xo);
            MESSAGE(name << ": max |native runner - ORT Web| on x_hat = " << d);
            CHECK(d <= 1e-4f);
        }
    }

}  // TEST_SUITE

TEST_SUITE("switches") {
    // The default architecture, written out by hand from docs/trainer.md: the switches at their
    // defaults must give exactly this table (hence the same parameters, drawn in the same order).
    TEST_CASE("switches: the defaults give today's network") {
        struct Row {
            const char* name;
            bool transposed;
            int in, out, kernel, stride;
            bool bias, bn;
            train::Activation act;
        };
        using A = train::Activation;
        const Row enc[] = {{"enc1", false, 1, 32, 4, 2, false, true, A::Relu},
                           {"enc2", false, 32, 64, 4, 2, false, true, A::Relu},
                           {"enc3", false, 64, 64, 3, 1, false, true, A::Relu}};
        const Row dec[] = {{"dec1", true, 64, 64, 4, 2, false, true, A::Relu},
                           {"dec2", true, 64, 32, 4, 2, false, true, A::Relu},
                           {"dec3", true, 32, 1, 3, 1, true, false, A::Sigmoid}};
        auto same = [](const train::LayerSpec& l, const Row& r) {
            CAPTURE(r.name);
            CHECK(l.name == r.name);
            CHECK(l.transposed == r.transposed);
            CHECK(l.in == r.in);
            CHECK(l.out == r.out);
            CHECK(l.kernel == r.kernel);
            CHECK(l.stride == r.stride);
            CHECK(l.bias == r.bias);
            CHECK(l.batch_norm == r.bn);
            CHECK(l.activation == r.act);
        };
        for (bool variational : {false, true}) {
            train::TrainConfig c;
            c.kind = variational ? "vae" : "cae";
            const train::NetworkSpec n = train::network_of(c);
            REQUIRE(n.encoder.size() == 3);
            REQUIRE(n.decoder.size() == 3);
            for (int i = 0; i < 3; ++i)
                same(n.encoder[std::size_t(i)], enc[i]), same(n.decoder[std::size_t(i)], dec[i]);
            if (variational) {
                same(n.mu, {"mu", false, 64, 64, 1, 1, true, false, A::None});
                same(n.logvar, {"logvar", false, 64, 64, 1, 1, true, false, A::None});
            }
            const auto j = train::to_json(c);
            CHECK(j.at("norm") == "batch");
            CHECK(j.at("conv_bias") == "on");
            CHECK(j.at("latent_activation") == "relu");
            CHECK(j.at("depth") == 2);
            CHECK(j.at("width") == 32);
        }
        // A config.json without the switches' keys reads as their defaults.
        const auto old = train::config_from_json({{"kind", "cae"}, {"epochs", 1}}, "old.json");
        CHECK(old.arch == train::Architecture{});
    }

    TEST_CASE("switches: bad values and impossible shapes fail with the flag named") {
        const std::string out = fixtures::temp_dir("switch_errors");
        auto err = [&](std::vector<std::string> a) {
            a.insert(a.begin(), {"--out", out + "/r", "--data", fixtures::tiny_data(), "--epochs", "1"});
            return error_of([&] { cmd::train(a); });
        };
        CHECK(err({"--norm", "layer"}).find("--norm: expected batch or none, got 'layer'") == 0);
        CHECK(err({"--conv-bias", "yes"}).find("--conv-bias: expected on or off") == 0);
        CHECK(err({"--latent-activation", "tanh"}).find("--latent-activation: expected relu, none or leaky-relu") == 0);
        CHECK(err({"--width", "0"}).find("--width: expected 1 to 512 channels") == 0);
        CHECK(err({"--depth", "9"}).find("--depth: expected 1 to 7") == 0);
        CHECK(err({"--depth", "3"}).find("--input 1x28x28: H and W are not multiples of 8") == 0);
        CHECK(err({"--depth", "1", "--latent", "64x7x7"}).find("--depth 1: the latent 64x7x7 is 2 stride-2 stage(s)") ==
              0);
        CHECK(error_of([&] {
                  train::TrainConfig c;
                  c.arch.norm = "group";
                  train::resolve_recipe(c);
              }).find("--norm") == 0);
        // A finished run cannot change its architecture on --resume.
        const std::string run = fixtures::tiny_run("cae");
        CHECK(error_of([&] {
                  cmd::train({"--out", run, "--resume", "--norm", "none"});
              }).find("--norm cannot change on --resume") == 0);
    }

    // Each switch value away from the default: a tiny run (1 epoch on 256 images), its ONNX files
    // checked, their structure as asked (no bias inputs with --conv-bias off, a LeakyRelu, no
    // batch norm parameters), the switches in config.json and in characterize's result, and the
    // export's parity with LibTorch in the native runner and in ONNX Runtime Web.
    TEST_CASE("switches: every value exports and runs alike in LibTorch, the native runner and ORT Web") {
        struct Variant {
            const char* kind;
            const char* flag;
            const char* value;
        };
        const Variant variants[] = {{"cae", "--norm", "none"},
                                    {"cae", "--conv-bias", "off"},
                                    {"cae", "--latent-activation", "none"},
                                    {"cae", "--latent-activation", "leaky-relu"},
                                    {"cae", "--depth", "1"},
                                    {"cae", "--width", "16"},
                                    {"vae", "--conv-bias", "off"},
                                    {"vae", "--norm", "none"}};
        const auto x = fixtures::test_images(32);
        for (const Variant& v : variants) {
            const std::string label = std::string(v.kind) + " " + v.flag + " " + v.value;
            CAPTURE(label);
            const std::string dir = fixtures::temp_dir("switch");
            REQUIRE(
                cmd::train({"--kind", v.kind, "--out", dir, "--data", fixtures::tiny_data(), "--epochs", "1", "--batch",
                            "32", "--threads", "1", "--eval-images", "64", "--quiet", v.flag, v.value}) == 0);
            REQUIRE(cmd::export_onnx({dir}) == 0);
            const auto cfg = cmd::read_file(dir + "/config.json");
            const auto cj = nlohmann::json::parse(cfg.begin(), cfg.end());
            std::string key = std::string(v.flag).substr(2);
            std::replace(key.begin(), key.end(), '-', '_');
            CHECK(cj.at(key).dump() ==
                  (key == "depth" || key == "width" ? std::string(v.value) : "\"" + std::string(v.value) + "\""));
            for (const char* part : {"/encoder.onnx", "/decoder.onnx"}) {
                const auto bytes = cmd::read_file(dir + part);
                const std::string b(bytes.begin(), bytes.end());
                CHECK_NOTHROW(train::check_onnx_bytes(b, dir + part));
                // Without conv bias only folded batch norm gives a layer a bias: not the output layer, not the heads.
                if (std::string(v.flag) == "--conv-bias")
                    for (const char* layer : {"dec3.bias", "mu.bias", "logvar.bias"})
                        CHECK(b.find(layer) == std::string::npos);
                if (std::string(v.flag) == "--norm" && std::string(part) == "/encoder.onnx")
                    CHECK(b.find("enc1.bias") != std::string::npos);  // the conv's own bias, as no batch norm follows
                if (std::string(v.value) == "leaky-relu" && std::string(part) == "/encoder.onnx")
                    CHECK(b.find("LeakyRelu") != std::string::npos);
            }
            if (std::string(v.flag) == "--norm") {
                train::Autoencoder m = train::load_autoencoder(dir);
                for (const auto& item : m->named_parameters()) CHECK(item.key().find("_bn") == std::string::npos);
            }
            check_parity(dir, label, x, 32);

            // characterize records the architecture beside the model's results.
            study::StudySettings s;
            s.data_dir = fixtures::tiny_data();
            s.n = 16;
            s.sigmas = {0, 0.1};
            const auto r = study::run_study(study::find_models(dir), s, true);
            const auto rj = nlohmann::json::parse(r.json.dump());
            CHECK(rj.at("models").at(0).at("architecture") == train::architecture_json(train::read_run_config(dir)));
            CHECK(rj.at("models").at(0).at("architecture").at(key) == cj.at(key));

            // The export's model.json carries the kind and the same switches, in the core's format;
            // exported elsewhere (no config.json beside it), characterize reads them from there.
            const auto mb = cmd::read_file(dir + "/model.json");
            const std::string mtext(mb.begin(), mb.end());
            const auto mj = nlohmann::json::parse(mtext);
            CHECK(mj.at("kind") == v.kind);
            CHECK(mj.at("architecture") == train::architecture_json(train::read_run_config(dir)));
            CHECK(read_model_json(mtext, "model.json").architecture.find(key) != nullptr);
            const std::string alone = fixtures::temp_dir("switch-export");
            REQUIRE(cmd::export_onnx({dir, "--out", alone}) == 0);
            CHECK(cmd::read_file(alone + "/model.json") == mb);
            const auto ra = study::run_study(study::find_models(alone), s, true);
            CHECK(nlohmann::json::parse(ra.json.dump()).at("models").at(0).at("architecture") == mj.at("architecture"));
        }
    }
}  // TEST_SUITE
