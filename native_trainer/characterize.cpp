// characterize.cpp: the study. Index: 1. finding models  2. settings  3. encoding  4. the run
#include "characterize.hpp"

#include "error.hpp"
#include "fileio.hpp"
#include "idx.hpp"
#include "image_source.hpp"
#include "manifest.hpp"
#include "noise.hpp"
#include "onnx_runner.hpp"
#include "sha256.hpp"

#include <nlohmann/json.hpp>

#include <dirent.h>
#include <sys/stat.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace strata::study {
namespace {

// The input of the models (1 x 28 x 28: network.hpp); --images are converted and resized to it.
constexpr int kInputC = 1, kInputH = 28, kInputW = 28;

bool is_file(const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

nlohmann::json read_json(const std::string& path) {
    const auto bytes = cmd::read_file(path);
    try {
        return nlohmann::json::parse(bytes.begin(), bytes.end());
    } catch (const nlohmann::json::exception& e) { throw Error(path + ": " + e.what()); }
}

// The kind written next to the files by `strata train`, or "" when there is none.
std::string kind_from_config(const std::string& dir) {
    const std::string p = dir + "/config.json";
    if (!is_file(p)) return "";
    const auto j = read_json(p);
    return j.value("kind", std::string());
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// What --images read: the source, the target it was converted to, what was skipped and why.
Json image_source_json(const data::ImageSource& src) {
    Json j = Json::object();
    j.set("path", src.path);
    j.set("kind", src.kind);
    j.set("count", src.images.count);
    j.set("input", Json::array_of(std::vector<int>{src.images.channels, src.images.height, src.images.width}));
    j.set("resize",
          "channels: gray to RGB by copying, RGB to gray by luma 0.299 R + 0.587 G + 0.114 B, alpha dropped; "
          "scale s = max(H / h, W / w), centre crop; area average when shrinking, bilinear when enlarging "
          "(wasm/core/image_resize.hpp)");
    j.set("classes", Json::array_of(src.images.class_names));
    j.set("skipped", src.images.skipped.size());
    Json skipped = Json::array();
    for (const SkippedFile& f : src.images.skipped) {
        Json e = Json::object();
        e.set("path", f.path);
        e.set("reason", f.reason);
        skipped.push(std::move(e));
    }
    j.set("skipped_files", std::move(skipped));
    j.set("ignored_files", src.ignored_files);
    return j;
}

// The study's first N images: the IDX test split, or --images; and how the results name them.
struct StudyImages {
    std::vector<float> pixels;  // N x kInputC x kInputH x kInputW
    std::string dataset, file, sha256, samples;
    Json source;  // --images only: "image_source"
};

StudyImages load_study_images(const StudySettings& s) {
    StudyImages im;
    if (s.images.empty()) {
        const std::string data_dir = s.data_dir.empty() ? data::default_data_dir() : s.data_dir;
        const data::Dataset test = data::load_split(data_dir, data::Split::Test, 0);
        if (s.n > test.images.count)
            throw Error("--n: " + std::to_string(s.n) + " images asked, " + test.images_path + " has " +
                        std::to_string(test.images.count));
        im.pixels = data::to_unit_floats(test.images, 0, s.n);
        const auto raw_images = cmd::read_file(test.images_path);
        im.sha256 = sha256_hex(raw_images.data(), raw_images.size());  // of the file as stored
        im.dataset = s.data_dir.empty() ? "fashion-mnist (Debian dataset-fashion-mnist)" : "IDX folder " + data_dir;
        im.file = test.images_path;
        im.samples = "the first n images of the test split, indices 0..n-1, in file order";
        return im;
    }
    data::ImageSource src = data::load_images(s.images, kInputC, kInputH, kInputW, s.n);
    for (const SkippedFile& f : src.images.skipped) std::fprintf(stderr, "warning: skipped %s\n", f.reason.c_str());
    if (!src.images.skipped.empty())
        std::fprintf(stderr, "warning: %s: %zu file(s) skipped\n", s.images.c_str(), src.images.skipped.size());
    if (s.n > src.images.count)
        throw Error("--n: " + std::to_string(s.n) + " images asked, " + s.images + " has " +
                    std::to_string(src.images.count) + " usable (" + std::to_string(src.images.skipped.size()) +
                    " skipped)");
    im.source = image_source_json(src);
    im.pixels = std::move(src.images.pixels);
    im.sha256 = src.files_sha256;
    im.dataset = "images " + s.images + " (" + src.kind + ")";
    im.file = s.images;
    im.samples = src.kind == "image folder"
                     ? "the first n usable images of the folder in path order (byte-wise order of the relative path)"
                     : "the first n images of the file, indices 0..n-1";
    return im;
}

}  // namespace

// 1. Finding models ---------------------------------------------------------------------------------------
std::vector<ModelEntry> find_models(const std::string& dir) {
    std::vector<ModelEntry> out;
    const std::string manifest = dir + "/manifest.json";
    if (is_file(manifest)) {
        // The core's reader (the page uses the same one): a bad entry is skipped with a warning.
        const auto bytes = cmd::read_file(manifest);
        const Manifest m = parse_manifest(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                                          manifest, /*need_sample=*/false);
        for (const std::string& problem : m.problems) std::fprintf(stderr, "warning: %s\n", problem.c_str());
        for (const ManifestModel& mm : m.models)
            out.push_back({mm.name, mm.kind, dir + "/" + mm.encoder.path, dir + "/" + mm.decoder.path});
        if (out.empty()) throw Error(manifest + ": lists no usable models");
        return out;
    }
    auto add_folder = [&out](const std::string& folder, const std::string& name) {
        ModelEntry e;
        e.name = name;
        e.encoder_path = folder + "/encoder.onnx";
        e.decoder_path = folder + "/decoder.onnx";
        e.kind = kind_from_config(folder);
        out.push_back(e);
    };
    if (is_file(dir + "/encoder.onnx") && is_file(dir + "/decoder.onnx")) {
        std::string name = dir;
        while (name.size() > 1 && name.back() == '/') name.pop_back();
        add_folder(dir, name.substr(name.find_last_of('/') + 1));
        return out;
    }
    DIR* d = ::opendir(dir.c_str());
    if (!d) throw Error(dir + ": cannot open the models folder");
    std::vector<std::string> names;
    while (dirent* ent = ::readdir(d)) {
        const std::string n = ent->d_name;
        if (n != "." && n != ".." && is_file(dir + "/" + n + "/encoder.onnx") &&
            is_file(dir + "/" + n + "/decoder.onnx"))
            names.push_back(n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) add_folder(dir + "/" + n, n);
    if (out.empty()) throw Error(dir + ": no manifest.json and no folder with encoder.onnx and decoder.onnx");
    return out;
}

// 2. Settings ------------------------------------------------------------------------------------------------
void validate(const StudySettings& s) {
    if (s.n < 2) throw Error("--n: at least 2 images are needed");
    if (s.sigmas.empty() || s.sigmas[0] != 0.0)
        throw Error("--sigmas: the first noise level must be 0 (the clean set)");
    for (std::size_t i = 0; i < s.sigmas.size(); ++i) {
        if (!(s.sigmas[i] >= 0.0 && s.sigmas[i] <= 10.0)) throw Error("--sigmas: each sigma must be in [0, 10]");
        if (i > 0 && !(s.sigmas[i] > s.sigmas[i - 1])) throw Error("--sigmas: the list must be strictly increasing");
    }
    if (s.vae_latent != "sample" && s.vae_latent != "mean")
        throw Error("--vae-latent: expected sample or mean, got '" + s.vae_latent + "'");
    if (s.torch_threads < 1) throw Error("--torch-threads: must be at least 1");
    if (!s.images.empty() && !s.data_dir.empty()) throw Error("--images: give either --data or --images, not both");
    validate(s.geometry);
}

// 3. Encoding ----------------------------------------------------------------------------------------------------
EncodedModel encode_model(const ModelEntry& m, const std::vector<float>& images, const StudySettings& s) {
    EncodedModel em;
    em.entry = m;
    const auto enc_bytes = cmd::read_file(m.encoder_path);
    const auto dec_bytes = cmd::read_file(m.decoder_path);
    em.sha256 = sha256_hex(enc_bytes.data(), enc_bytes.size());
    em.decoder_sha256 = sha256_hex(dec_bytes.data(), dec_bytes.size());
    const auto encoder = onnxrt::OnnxModel::from_bytes(std::string(enc_bytes.begin(), enc_bytes.end()), m.encoder_path);
    const auto decoder = onnxrt::OnnxModel::from_bytes(std::string(dec_bytes.begin(), dec_bytes.end()), m.decoder_path);
    const auto& outs = encoder.output_names();
    em.variational = std::count(outs.begin(), outs.end(), "mu") && std::count(outs.begin(), outs.end(), "logvar");
    if (!em.variational && outs.size() != 1)
        throw Error(m.encoder_path + ": expected one output 'z' or the two outputs 'mu' and 'logvar'");
    if (encoder.input_names().size() != 1 || decoder.input_names().size() != 1 || decoder.output_names().size() != 1)
        throw Error(m.encoder_path + ": expected an encoder x -> z and a decoder z -> x_hat");
    if (em.entry.kind.empty()) em.entry.kind = encoder.metadata("kind");
    if (em.entry.kind.empty()) em.entry.kind = em.variational ? "vae" : "ae";

    const std::size_t px = std::size_t(kInputC) * kInputH * kInputW, n = s.n;
    for (double sigma : s.sigmas) {
        const std::vector<float> y = noise::add_noise(images, n, px, sigma, s.seed, 0, true);
        std::vector<float> z, x_hat;
        std::vector<std::int64_t> zshape;
        for (std::size_t b = 0; b < n; b += s.batch) {
            const std::size_t k = std::min(s.batch, n - b);
            onnxrt::FloatTensor in{{std::int64_t(k), kInputC, kInputH, kInputW},
                                   std::vector<float>(y.begin() + b * px, y.begin() + (b + k) * px)};
            auto t0 = std::chrono::steady_clock::now();
            auto eo = encoder.run({{encoder.input_names()[0], in}});
            std::vector<float> zb;
            if (em.variational) {
                const auto& mu = eo.at("mu");
                zshape = mu.shape;
                const std::size_t size = mu.data.size() / k;
                zb = s.vae_latent == "mean" ? mu.data
                                            : noise::vae_sample(mu.data, eo.at("logvar").data, k, size, s.seed, b);
            } else {
                const auto& zt = eo.at(outs[0]);
                zshape = zt.shape;
                zb = zt.data;
            }
            em.encode_s += seconds_since(t0);
            t0 = std::chrono::steady_clock::now();
            auto d = decoder.run({{decoder.input_names()[0], onnxrt::FloatTensor{zshape, zb}}});
            em.decode_s += seconds_since(t0);
            const auto& xh = d.at(decoder.output_names()[0]).data;
            if (xh.size() != k * px) throw Error(m.decoder_path + ": decoder output is not N x 1 x 28 x 28");
            z.insert(z.end(), zb.begin(), zb.end());
            x_hat.insert(x_hat.end(), xh.begin(), xh.end());
        }
        if (zshape.size() != 4) throw Error(m.encoder_path + ": the latent is not N x C x H x W");
        em.psnr.push_back(psnr_stats(x_hat.data(), images.data(), n, px));
        LatentSet set;
        char name[96];
        std::snprintf(name, sizeof name, "%s sigma=%g", m.name.c_str(), sigma);
        set.name = name;
        set.sigma = sigma;
        set.shape = {int(zshape[1]), int(zshape[2]), int(zshape[3])};
        set.n = n;
        set.values.assign(z.begin(), z.end());
        em.sets.push_back(std::move(set));
        em.latents_f32.push_back(std::move(z));
    }
    return em;
}

// 4. The run ---------------------------------------------------------------------------------------------------------
namespace {

// One model's entry of the results: its files, its settings and its sets with their PSNR.
Json model_json(const ModelEntry& m, const ModelResult& mr, const StudySettings& s) {
    Json o = Json::object();
    o.set("name", m.name);
    o.set("kind", mr.encoded.entry.kind);
    o.set("sha256", mr.encoded.sha256);
    o.set("decoder_sha256", mr.encoded.decoder_sha256);
    o.set("encoder", m.encoder_path);
    o.set("decoder", m.decoder_path);
    o.set("variational", mr.encoded.variational);
    o.set("vae_latent", mr.encoded.variational ? Json(s.vae_latent) : Json());
    o.set("bandwidth", mr.geometry.bandwidth);
    o.set("geometry", to_json(mr.geometry.settings, mr.geometry.bandwidth));
    Json sets = Json::array();
    for (std::size_t i = 0; i < mr.geometry.sets.size(); ++i) {
        Json js = to_json(mr.geometry.sets[i]);
        js.set("psnr_mean", mr.encoded.psnr[i].mean);
        js.set("psnr_std", mr.encoded.psnr[i].std);
        sets.push(std::move(js));
    }
    o.set("sets", std::move(sets));
    Json timing = Json::object();
    timing.set("encode_s", mr.encoded.encode_s);
    timing.set("decode_s", mr.encoded.decode_s);
    timing.set("analysis_s", mr.analysis_s);
    o.set("timing", std::move(timing));
    return o;
}

}  // namespace

StudyResult run_study(const std::vector<ModelEntry>& models, const StudySettings& s, bool quiet) {
    validate(s);
    const auto t_all = std::chrono::steady_clock::now();
    onnxrt::set_threads(s.torch_threads);
    const StudyImages study_images = load_study_images(s);
    const std::vector<float>& images = study_images.pixels;

    StudyResult result;
    Json jm = Json::array();
    for (const ModelEntry& m : models) {
        ModelResult mr;
        if (!quiet)
            std::fprintf(stderr, "strata characterize: %s: encoding and decoding %zu images x %zu noise levels\n",
                         m.name.c_str(), s.n, s.sigmas.size());
        mr.encoded = encode_model(m, images, s);
        const auto t0 = std::chrono::steady_clock::now();
        std::string last;
        mr.geometry = analyze_geometry(mr.encoded.sets, s.geometry, [&](const std::string& stage, double) {
            if (quiet || stage == last) return;
            last = stage;
            std::fprintf(stderr, "strata characterize: %s: %s\n", m.name.c_str(), stage.c_str());
        });
        mr.analysis_s = seconds_since(t0);
        result.encode_s += mr.encoded.encode_s;
        result.decode_s += mr.encoded.decode_s;
        result.analysis_s += mr.analysis_s;

        jm.push(model_json(m, mr, s));
        result.models.push_back(std::move(mr));
    }
    result.total_s = seconds_since(t_all);

    // Everything that determines the numbers (docs/method.md section 9).
    StudyProvenance p;
    p.dataset = study_images.dataset;
    p.split = s.images.empty() ? "test" : "";
    p.images_file = study_images.file;
    p.images_sha256 = study_images.sha256;
    p.n = s.n;
    p.samples = study_images.samples;
    p.image_source = study_images.source;
    p.seed = s.seed;
    p.sigmas = s.sigmas;
    p.vae_latent = s.vae_latent;
    p.runner = "ONNX graphs executed with LibTorch ops (native_trainer/onnx_runner.cpp)";
    p.geometry = s.geometry;
    Json st = study_settings_json(p);
    result.json = Json::object();
    result.json.set("settings", std::move(st));
    result.json.set("models", std::move(jm));
    Json timing = Json::object();
    timing.set("encode_s", result.encode_s);
    timing.set("decode_s", result.decode_s);
    timing.set("analysis_s", result.analysis_s);
    timing.set("total_s", result.total_s);
    result.json.set("timing", std::move(timing));
    return result;
}

}  // namespace strata::study
