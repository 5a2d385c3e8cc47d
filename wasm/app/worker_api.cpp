// worker_api.cpp: what the page's Web Worker (web/worker.mjs) calls in WebAssembly, via embind.
//
// Index: 1. conversions between JS typed arrays and C++ vectors
//        2. settings from a JS object (the names of docs/method.md / settings.hpp)
//        3. analyze(): the core's analyze_geometry on one model's sets, result as JSON text
//        3b. analyzeClean() / analyzeNoisy(): the same, one noise level at a time (CleanAnalysis)
//        3c. the study's settings block (results_json.hpp), worded as `strata characterize` words it
//        4. noise and VAE sampling (the core's noise.cpp, the file `strata characterize` uses)
//        5. PSNR and SHA-256
//        5b. t-SNE of a model's clean set and one noisy set, from the kernel's distances (tsne.cpp)
//        5e. interpolation between two samples and neighbours of one (interpolation.hpp, neighbours.hpp),
//            and the kernel-PCA place of a path's steps
//        5c. reading files from anywhere with the core's (fuzzed) readers: models/manifest.json,
//            the study's images (the sample, dropped .npy, IDX or image files) at a model's shape
//        5d. models from anywhere: the plan of a model's run (model_plan.hpp) and its normalisation
//        6. the embind table
//
// Why a thin layer: every number the page shows must be the number `strata characterize` prints,
// so nothing here computes anything itself; it only moves arrays in and JSON out. Errors of the
// core (strata::Error) come back as {"error": "..."} so the worker can show them instead of dying.
#include "analysis.hpp"
#include "cancel.hpp"
#include "error.hpp"
#include "idx_format.hpp"
#include "images.hpp"
#include "interpolation.hpp"
#include "js_value.hpp"
#include "manifest.hpp"
#include "model_plan.hpp"
#include "neighbours.hpp"
#include "noise.hpp"
#include "npy.hpp"
#include "onnx_io.hpp"
#include "psnr.hpp"
#include "results_json.hpp"
#include "sha256.hpp"
#include "tsne.hpp"

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <map>
#include <memory>
#include <string>
#include <vector>

using emscripten::val;

namespace {

// 1. Conversions ------------------------------------------------------------------------------------------
std::vector<float> floats_from(const val& typed_array) {
    return emscripten::convertJSArrayToNumberVector<float>(typed_array);
}

std::vector<std::uint8_t> bytes_from(const val& typed_array) {
    return emscripten::convertJSArrayToNumberVector<std::uint8_t>(typed_array);
}

// A new Float32Array owning a copy (a view into the module's memory would dangle when it grows).
val float32_array(const std::vector<float>& v) {
    return val::global("Float32Array").new_(emscripten::typed_memory_view(v.size(), v.data()));
}

// 2. Settings --------------------------------------------------------------------------------------------
// Absent or null keys keep settings.hpp's defaults. Keys: centered, rank_rtol, metric, weights,
// spd_eps, fixed_rank_k, bandwidth, energy, threads, bandwidth_scan (an array of factors; empty: off).
strata::GeometrySettings settings_from(const val& o) {
    strata::GeometrySettings s;
    auto has = [&o](const char* k) { return app::has(o, k); };
    if (has("centered")) s.centered = o["centered"].as<bool>();
    if (has("rank_rtol")) s.rank_rtol = o["rank_rtol"].as<double>();
    if (has("metric")) s.metric = o["metric"].as<std::string>();
    if (has("weights"))
        for (int i = 0; i < 3; ++i) s.weights[std::size_t(i)] = o["weights"][i].as<double>();
    if (has("spd_eps")) s.spd_eps = o["spd_eps"].as<double>();
    if (has("fixed_rank_k")) s.fixed_rank_k = o["fixed_rank_k"].as<double>();
    if (has("bandwidth")) s.bandwidth = o["bandwidth"].as<double>();
    if (has("energy")) s.energy = o["energy"].as<double>();
    if (has("threads")) s.threads = o["threads"].as<int>();
    if (has("bandwidth_scan")) s.bandwidth_scan = emscripten::vecFromJSArray<double>(o["bandwidth_scan"]);
    return s;
}

std::string error_json(const std::string& what) {
    strata::Json j = strata::Json::object();
    j.set("error", what);
    return j.dump();
}

// 3. analyze(model, latents, sigmas, shape, settings) -----------------------------------------------------
// latents: an array of Float32Array, clean set first, each n x C x H x W; sigmas: their noise
// levels; shape: [C, H, W]. Returns to_json(GeometryResult) ({"settings", "sets"}) plus
// "stage_seconds", or {"error"}. Set names follow characterize.cpp: "<model> sigma=<%g>".
// One latent set from a Float32Array; named as characterize.cpp names sets: "<model> sigma=<%g>".
strata::LatentSet latent_set(const std::string& model, const val& latents, double sigma,
                             const strata::LatentShape& ls) {
    strata::LatentSet set;
    set.sigma = sigma;
    char name[160];
    std::snprintf(name, sizeof name, "%s sigma=%g", model.c_str(), set.sigma);
    set.name = name;
    set.shape = ls;
    const std::vector<float> z = floats_from(latents);  // float32 widened, as characterize does
    if (ls.size() <= 0 || z.size() % std::size_t(ls.size()) != 0)
        throw strata::Error(set.name + ": latent array length is not a multiple of C*H*W");
    set.n = z.size() / std::size_t(ls.size());
    set.values.assign(z.begin(), z.end());
    return set;
}

strata::LatentShape shape_from(const val& shape) {
    return {shape[0].as<int>(), shape[1].as<int>(), shape[2].as<int>()};
}

std::string analyze(const std::string& model, const val& latents, const val& sigmas, const val& shape,
                    const val& settings) {
    try {
        const strata::LatentShape ls = shape_from(shape);
        const unsigned count = latents["length"].as<unsigned>();
        std::vector<strata::LatentSet> sets;
        for (unsigned k = 0; k < count; ++k) sets.push_back(latent_set(model, latents[k], sigmas[k].as<double>(), ls));
        const strata::GeometryResult r = strata::analyze_geometry(sets, settings_from(settings));
        strata::Json j = strata::to_json(r);
        strata::Json stages = strata::Json::object();
        for (const auto& [stage, seconds] : r.stage_seconds) stages.set(stage, seconds);
        j.set("stage_seconds", std::move(stages));
        return j.dump();
    } catch (const std::exception& e) { return error_json(e.what()); }
}

// 3b. One noise level at a time. The page analyses each set as soon as it is encoded; the clean
// set's work (points, distances, bandwidth, kernel, spectrum) is done once per model and kept here
// until the model's clean set is analysed again (a settings change).
std::map<std::string, std::unique_ptr<strata::CleanAnalysis>>& clean_analyses() {
    static std::map<std::string, std::unique_ptr<strata::CleanAnalysis>> m;
    return m;
}

// {"settings": to_json(settings, bandwidth), "set": to_json(clean set)} plus, when the settings ask for
// it, the model's "bandwidth_scan" block (factors, bandwidths, rule); or {"error"}.
std::string analyze_clean(const std::string& model, const val& latents, const val& shape, const val& settings) {
    try {
        clean_analyses().erase(model);
        auto clean = std::make_unique<strata::CleanAnalysis>(latent_set(model, latents, 0.0, shape_from(shape)),
                                                             settings_from(settings));
        strata::Json j = strata::Json::object();
        j.set("settings", strata::to_json(clean->settings(), clean->bandwidth()));
        j.set("set", strata::to_json(clean->clean()));
        if (!clean->settings().bandwidth_scan.empty())
            j.set("bandwidth_scan", strata::bandwidth_scan_json(clean->settings(), clean->bandwidth()));
        clean_analyses()[model] = std::move(clean);
        return j.dump();
    } catch (const std::exception& e) { return error_json(e.what()); }
}

// The cancel flag (cancel.hpp): its byte address in the module's memory (the page sets it through
// shared memory while a call runs), and setting or clearing it from the worker itself.
double cancel_flag_address() { return double(reinterpret_cast<std::uintptr_t>(&strata::cancel_flag())); }
void set_cancel(bool on) { strata::cancel_flag().store(on ? 1 : 0); }

// to_json of one noisy set against the model's clean analysis, or {"error"}.
std::string analyze_noisy(const std::string& model, const val& latents, double sigma) {
    try {
        const auto it = clean_analyses().find(model);
        if (it == clean_analyses().end()) throw strata::Error(model + ": the clean set must be analysed first");
        const strata::CleanAnalysis& clean = *it->second;
        return strata::to_json(clean.add_noisy(latent_set(model, latents, sigma, clean.clean().shape))).dump();
    } catch (const std::exception& e) { return error_json(e.what()); }
}

// The study's settings block (results_json.hpp), from {dataset, images_file, images_sha256, n, seed,
// sigmas, vae_latent, runner, geometry}: the same wording of every rule as `strata characterize`.
std::string study_settings(const val& d) {
    try {
        strata::StudyProvenance p;
        p.dataset = d["dataset"].as<std::string>();
        p.images_file = d["images_file"].as<std::string>();
        p.images_sha256 = d["images_sha256"].as<std::string>();
        p.n = d["n"].as<unsigned>();
        p.seed = std::uint64_t(d["seed"].as<double>());
        p.sigmas = emscripten::convertJSArrayToNumberVector<double>(d["sigmas"]);
        p.vae_latent = d["vae_latent"].as<std::string>();
        p.runner = d["runner"].as<std::string>();
        if (d["split"].isNull()) p.split = "";  // images that are no dataset's split
        p.geometry = settings_from(d["geometry"]);
        return strata::study_settings_json(p).dump();
    } catch (const std::exception& e) { return error_json(e.what()); }
}

// 4. Noise -------------------------------------------------------------------------------------------------
// Seeds are 64-bit in noise.hpp; JS numbers carry them exactly up to 2^53, which is plenty.
val add_noise(const val& x, unsigned count, unsigned pixels, double sigma, double seed, double first_index, bool clip) {
    const std::vector<float> xs = floats_from(x);
    return float32_array(
        strata::noise::add_noise(xs, count, pixels, sigma, std::uint64_t(seed), std::uint64_t(first_index), clip));
}

val vae_sample(const val& mu, const val& logvar, unsigned count, unsigned size, double seed, double first_index) {
    return float32_array(strata::noise::vae_sample(floats_from(mu), floats_from(logvar), count, size,
                                                   std::uint64_t(seed), std::uint64_t(first_index)));
}

// 5. PSNR and SHA-256 -------------------------------------------------------------------------------------
val psnr_stats(const val& x_hat, const val& x, unsigned count, unsigned pixels) {
    const std::vector<float> a = floats_from(x_hat), b = floats_from(x);
    val out = val::object();
    if (a.size() < std::size_t(count) * pixels || b.size() < std::size_t(count) * pixels) {
        out.set("error", std::string("psnr: arrays shorter than count * pixels"));
        return out;
    }
    const strata::PsnrStats s = strata::psnr_stats(a.data(), b.data(), count, pixels);
    out.set("mean", s.mean);
    out.set("std", s.std);
    val values = val::array();  // per image, in order
    for (double v : s.per_image) values.call<void>("push", v);
    out.set("values", values);
    return out;
}

std::string sha256_hex(const val& bytes) {
    const std::vector<unsigned char> b = emscripten::convertJSArrayToNumberVector<unsigned char>(bytes);
    return strata::sha256_hex(b.data(), b.size());
}

// 5b. t-SNE ------------------------------------------------------------------------------------------------
// The distances are those of the Gaussian kernel's feature space, d_ij^2 = K_ii + K_jj - 2 K_ij,
// with the kernels the core computes (CleanAnalysis: the model's bandwidth and metric). The clean
// set's own kernel comes from noisy_kernels() on the clean latents (the same function, hence the
// same numbers); a noisy set adds its own kernel and K(clean, set). noisy: a Float32Array or null.
// options: {perplexity, iterations, seed} (absent: TsneOptions' defaults); progress(iteration, kl)
// is called every 50 iterations. Returns {coords: Float64Array (x, y per point, clean points first),
// nClean, iterations, kl} or {error}.
val tsne_embedding(const std::string& model, const val& clean_latents, const val& noisy_latents, double sigma,
                   const val& options, const val& progress) {
    val out = val::object();
    try {
        const auto it = clean_analyses().find(model);
        if (it == clean_analyses().end()) throw strata::Error(model + ": the clean set must be analysed first");
        const strata::CleanAnalysis& clean = *it->second;
        const strata::LatentShape& ls = clean.clean().shape;
        const Eigen::MatrixXd Kc = clean.noisy_kernels(latent_set(model, clean_latents, 0.0, ls)).K;
        const Eigen::Index nc = Kc.rows();
        Eigen::MatrixXd K = Kc;
        if (!noisy_latents.isNull() && !noisy_latents.isUndefined()) {
            const auto kn = clean.noisy_kernels(latent_set(model, noisy_latents, sigma, ls));
            const Eigen::Index nn = kn.K.rows();
            K.resize(nc + nn, nc + nn);
            K << Kc, kn.K_cross, kn.K_cross.transpose(), kn.K;
        }
        const Eigen::VectorXd d = K.diagonal();
        Eigen::MatrixXd D2 = (d.replicate(1, K.cols()) + d.transpose().replicate(K.rows(), 1) - 2.0 * K).cwiseMax(0.0);
        D2.diagonal().setZero();
        strata::TsneOptions o;
        auto has = [&options](const char* k) { return app::has(options, k); };
        if (has("perplexity")) o.perplexity = options["perplexity"].as<double>();
        if (has("iterations")) o.iterations = options["iterations"].as<int>();
        if (has("seed")) o.seed = std::uint64_t(options["seed"].as<double>());
        double kl = 0.0;
        const Eigen::MatrixXd Y = strata::tsne(D2, o, [&](int iteration, double k) {
            kl = k;
            if (!progress.isNull() && !progress.isUndefined()) progress(iteration, o.iterations, k);
        });
        std::vector<double> xy(std::size_t(Y.rows()) * 2);
        for (Eigen::Index i = 0; i < Y.rows(); ++i) {
            xy[std::size_t(2 * i)] = Y(i, 0);
            xy[std::size_t(2 * i + 1)] = Y(i, 1);
        }
        out.set("coords", val::global("Float64Array").new_(emscripten::typed_memory_view(xy.size(), xy.data())));
        out.set("nClean", int(nc));
        out.set("iterations", o.iterations);
        out.set("kl", kl);
    } catch (const std::exception& e) { out.set("error", std::string(e.what())); }
    return out;
}

// 5c. Files from anywhere -------------------------------------------------------------------------------------
// models/manifest.json (manifest.hpp): {sample: {images, labels, count, classes}, models: [{name, kind,
// latent_shape|null, encoder, decoder}], problems: [...]} with files as {path, bytes, sha256};
// or {"error": "..."} when the file is unusable as a whole.
std::string parse_manifest_json(const std::string& text, const std::string& name) {
    try {
        const strata::Manifest m = strata::parse_manifest(text, name);
        auto file = [](const strata::ManifestFile& f) {
            strata::Json j = strata::Json::object();
            j.set("path", f.path);
            j.set("bytes", strata::Json(static_cast<long long>(f.bytes)));
            j.set("sha256", f.sha256);
            return j;
        };
        strata::Json out = strata::Json::object();
        strata::Json sample = strata::Json::object();
        sample.set("images", file(*m.images));
        sample.set("labels", m.labels ? file(*m.labels) : strata::Json());
        sample.set("count", static_cast<long long>(m.sample_count));
        sample.set("classes", strata::Json::array_of(m.class_names));
        out.set("sample", sample);
        strata::Json models = strata::Json::array();
        for (const strata::ManifestModel& mm : m.models) {
            strata::Json e = strata::Json::object();
            e.set("name", mm.name);
            e.set("kind", mm.kind);
            e.set("in_paper", mm.in_paper);
            e.set("latent_shape", mm.latent_shape ? strata::Json::array_of(std::vector<int>(mm.latent_shape->begin(),
                                                                                            mm.latent_shape->end()))
                                                  : strata::Json());
            e.set("encoder", file(mm.encoder));
            e.set("decoder", mm.decoder ? file(*mm.decoder) : strata::Json());
            e.set("settings", strata::to_json(mm.settings));
            models.push(e);
        }
        out.set("models", models);
        out.set("problems", strata::Json::array_of(m.problems));
        return out.dump();
    } catch (const std::exception& e) {
        strata::Json out = strata::Json::object();
        out.set("error", std::string(e.what()));
        return out.dump();
    }
}

// The study's images at one model's input shape, from any source the page reads, converted by the
// core's one rule (images.hpp) as `strata characterize --images` converts them:
//   {kind: "idx", name, images: Uint8Array, labels: Uint8Array | null, labelsName}
//   {kind: "npy", name, bytes: Uint8Array, labels: Uint8Array | null, labelsName}
//   {kind: "folder", root, files: [{path, bytes}], ignored}   (paths relative to the folder)
// The first maxCount usable images (0: all). Returns {n, x: Float32Array (n x C x H x W),
// labels: Int32Array (-1: none), classNames, skipped: [message], filesSha256 (folders; "" else)} or
// {error} naming the file.
val image_set(const val& spec, int channels, int height, int width, unsigned max_count) {
    val out = val::object();
    try {
        const std::string kind = spec["kind"].as<std::string>();
        strata::ImageSet set;
        std::string files_sha256;
        if (kind == "idx") {
            const std::string name = spec["name"].as<std::string>();
            const auto ib = bytes_from(spec["images"]);
            const strata::IdxImages images = strata::parse_idx_images(ib.data(), ib.size(), name);
            if (spec["labels"].isNull()) {
                set = strata::image_set_from_idx(images, nullptr, name, channels, height, width, max_count);
            } else {
                const auto lb = bytes_from(spec["labels"]);
                const std::string labels_name = spec["labelsName"].as<std::string>();
                const strata::IdxLabels labels = strata::parse_idx_labels(lb.data(), lb.size(), labels_name);
                if (labels.labels.size() != images.count)
                    throw strata::Error(name + " has " + std::to_string(images.count) + " images but " + labels_name +
                                        " has " + std::to_string(labels.labels.size()) + " labels");
                set = strata::image_set_from_idx(images, &labels, name, channels, height, width, max_count);
            }
        } else if (kind == "npy") {
            const std::string name = spec["name"].as<std::string>();
            const auto bytes = bytes_from(spec["bytes"]);
            set = strata::image_set_from_npy(bytes.data(), bytes.size(), name, channels, height, width, max_count);
            if (!spec["labels"].isNull()) {  // IDX labels beside the array (strata publish)
                const auto lb = bytes_from(spec["labels"]);
                const std::string labels_name = spec["labelsName"].as<std::string>();
                const strata::IdxLabels labels = strata::parse_idx_labels(lb.data(), lb.size(), labels_name);
                const std::size_t count = strata::parse_npy_header(bytes.data(), bytes.size(), name, true).shape[0];
                if (labels.labels.size() != count)
                    throw strata::Error(name + " has " + std::to_string(count) + " images but " + labels_name +
                                        " has " + std::to_string(labels.labels.size()) + " labels");
                for (std::size_t i = 0; i < set.count; ++i) set.labels[i] = labels.labels[i];
            }
        } else if (kind == "folder") {
            const val files = spec["files"];
            std::map<std::string, unsigned> at;  // relative path -> index in files
            std::vector<std::string> paths;
            for (unsigned i = 0, n = files["length"].as<unsigned>(); i < n; ++i) {
                paths.push_back(files[i]["path"].as<std::string>());
                at[paths.back()] = i;
            }
            const auto read = [&](const std::string& f) { return bytes_from(files[at.at(f)]["bytes"]); };
            strata::FolderImages folder =
                strata::image_set_from_folder(std::move(paths), spec["ignored"].as<unsigned>(), read,
                                              spec["root"].as<std::string>(), channels, height, width, max_count);
            set = std::move(folder.images);
            files_sha256 = std::move(folder.files_sha256);
        } else {
            throw strata::Error("images: unknown source kind '" + kind + "'");
        }
        val skipped = val::array();
        for (const strata::SkippedFile& f : set.skipped) skipped.call<void>("push", f.reason);
        val classes = val::array();
        for (const std::string& c : set.class_names) classes.call<void>("push", c);
        out.set("n", double(set.count));
        out.set("x", float32_array(set.pixels));
        out.set("labels",
                val::global("Int32Array").new_(emscripten::typed_memory_view(set.labels.size(), set.labels.data())));
        out.set("classNames", classes);
        out.set("skipped", skipped);
        out.set("filesSha256", files_sha256);
    } catch (const std::exception& e) { out.set("error", std::string(e.what())); }
    return out;
}

// 5d. Models from anywhere ------------------------------------------------------------------------------------
// How a model is run, decided by the core from its ONNX files as `strata characterize` decides it
// (characterize.cpp's prepare_model): settingsJson is the manifest's "settings" object or a
// dropped model.json (what a model.json holds) as JSON text, "{}" for none; settingsName names it
// in messages ("" for "<encoderName> settings"). Returns {encoder: to_json(EncoderPlan) plus
// "image": [C, H, W] and "batch" as a number (0: free), decoder: {input, output, batch} | null,
// plan: to_json(EncoderPlan), normalisation: the settings when they declare one, else null, and
// architecture: the settings' "architecture" or null (the results' fields of characterize.cpp's
// model_json)}, or {"error": "..."} with the core's message
// (it names the file at fault).

strata::ModelSettings model_settings_from(const std::string& json, const std::string& name) {
    return strata::read_model_json(json, name);
}

std::string plan_model(const val& encoder_bytes, const std::string& encoder_name, const val& decoder_bytes,
                       const std::string& decoder_name, const std::string& settings_json,
                       const std::string& settings_name) {
    try {
        const strata::ModelSettings settings =
            model_settings_from(settings_json, settings_name.empty() ? encoder_name + " settings" : settings_name);
        const std::vector<std::uint8_t> enc = bytes_from(encoder_bytes);
        const strata::EncoderPlan plan =
            strata::plan_encoder(strata::read_onnx_io(enc.data(), enc.size(), encoder_name), settings, encoder_name);
        strata::Json e = strata::to_json(plan);
        e.set("image",
              strata::Json::array_of(std::vector<int>{plan.image.channels, plan.image.height, plan.image.width}));
        e.set("batch", strata::Json(static_cast<long long>(plan.batch)));
        strata::Json out = strata::Json::object();
        out.set("encoder", e);
        out.set("plan", strata::to_json(plan));
        out.set("normalisation", strata::normalisation_json(settings));
        out.set("architecture", settings.architecture);  // null when the settings name none
        strata::Json d;                                  // null: no decoder
        if (!decoder_bytes.isNull() && !decoder_bytes.isUndefined()) {
            const std::vector<std::uint8_t> dec = bytes_from(decoder_bytes);
            const strata::DecoderPlan dp =
                strata::plan_decoder(strata::read_onnx_io(dec.data(), dec.size(), decoder_name), plan, decoder_name);
            d = strata::Json::object();
            d.set("input", dp.input);
            d.set("output", dp.output);
            d.set("batch", strata::Json(static_cast<long long>(dp.batch)));
        }
        out.set("decoder", d);
        return out.dump();
    } catch (const std::exception& e) { return error_json(e.what()); }
}

// The latent a run gave: dims (the output's N x C' x H' x W', as ONNX Runtime reports it) of n
// images -> [C', H', W'], or {"error"} naming the file and output (latent_shape_of, as characterize).
std::string latent_shape(const val& dims, unsigned n, const std::string& file, const std::string& output) {
    try {
        const std::vector<double> d = emscripten::convertJSArrayToNumberVector<double>(dims);
        const std::array<int, 3> chw =
            strata::latent_shape_of(std::vector<std::int64_t>(d.begin(), d.end()), n, file, output);
        return strata::Json::array_of(std::vector<int>(chw.begin(), chw.end())).dump();
    } catch (const std::exception& e) { return error_json(e.what()); }
}

// count images of C x H x W pixels to the model's normalisation ((x - mean) / std) and back: the
// core's to_model_pixels / from_model_pixels, so the page's pixels are bit for bit the CLI's. A new
// Float32Array, or {error} when the array is short or the settings unreadable.
template <void (*Convert)(float*, std::size_t, const strata::ImageShape&, const strata::ModelSettings&)>
val model_pixels(const val& x, unsigned count, int c, int h, int w, const std::string& settings_json) {
    val out = val::object();
    try {
        const strata::ImageShape shape{c, h, w};
        std::vector<float> v = floats_from(x);
        if (c <= 0 || h <= 0 || w <= 0 || v.size() < std::size_t(count) * shape.size())
            throw strata::Error("model pixels: array shorter than count * C * H * W");
        v.resize(std::size_t(count) * shape.size());
        Convert(v.data(), count, shape, model_settings_from(settings_json, "model settings"));
        return float32_array(v);
    } catch (const std::exception& e) { out.set("error", std::string(e.what())); }
    return out;
}

// 5e. Interpolation and neighbours, on the model's clean analysis (analyzeClean) ------------------------------
const strata::CleanAnalysis& clean_analysis_of(const std::string& model) {
    const auto it = clean_analyses().find(model);
    if (it == clean_analyses().end()) throw strata::Error(model + ": the clean set must be analysed first");
    return *it->second;
}

// The straight path between latents za and zb (Float32Array, C x H x W each; VAE: mu) of samples a
// and b in `steps` steps: {latents: Float32Array (steps x C x H x W, for the decoder), path:
// to_json(InterpolationPath) as JSON text} or {error}.
val interpolate(const std::string& model, const val& za, const val& zb, double a, double b, int steps) {
    val out = val::object();
    try {
        const strata::CleanAnalysis& clean = clean_analysis_of(model);
        const strata::LatentShape& ls = clean.clean().shape;
        const std::vector<float> fa = floats_from(za), fb = floats_from(zb);
        if (fa.size() != std::size_t(ls.size()) || fb.size() != std::size_t(ls.size()))
            throw strata::Error(model + ": an endpoint latent does not have the clean set's C*H*W values");
        const std::vector<double> da(fa.begin(), fa.end()), db(fb.begin(), fb.end());  // widened, as characterize
        const strata::InterpolationPath path =
            strata::interpolate(clean, da.data(), db.data(), std::size_t(a), std::size_t(b), steps);
        const std::vector<double> z = strata::path_latents(da.data(), db.data(), ls, steps);
        out.set("latents", float32_array(std::vector<float>(z.begin(), z.end())));
        out.set("path", strata::to_json(path).dump());
    } catch (const std::exception& e) { out.set("error", std::string(e.what())); }
    return out;
}

// The kernel-PCA coordinates of `count` latents (Float32Array, count x C x H x W: a path's steps) in
// the model's clean view, placed as noisy points are (out-of-sample projection of each one's kernel
// row against the clean set, CleanAnalysis::add_noisy): Float64Array [x0, y0, x1, y1, ...] or {error}.
val project_latents(const std::string& model, const val& latents, unsigned count) {
    val out = val::object();
    try {
        const strata::CleanAnalysis& clean = clean_analysis_of(model);
        const std::vector<float> f = floats_from(latents);
        strata::LatentSet set;
        set.name = model + " path";
        set.shape = clean.clean().shape;
        set.n = count;
        if (f.size() != std::size_t(count) * std::size_t(set.shape.size()))
            throw strata::Error(model + ": the path's latents are not count x C x H x W of the clean set");
        set.values.assign(f.begin(), f.end());
        const std::vector<std::array<double, 2>> e = clean.add_noisy(set).embedding_2d;
        std::vector<double> xy;
        for (const auto& p : e) xy.insert(xy.end(), {p[0], p[1]});
        return val::global("Float64Array").new_(emscripten::typed_memory_view(xy.size(), xy.data()));
    } catch (const std::exception& e) { out.set("error", std::string(e.what())); }
    return out;
}

// The k nearest clean samples of clean sample i: to_json(Neighbours) as JSON text, or {"error"}.
std::string neighbours(const std::string& model, double i, double k) {
    try {
        if (!(i >= 0) || !(k >= 0)) throw strata::Error("neighbours: the sample and k must be >= 0");
        return strata::to_json(strata::neighbours(clean_analysis_of(model), std::size_t(i), std::size_t(k))).dump();
    } catch (const std::exception& e) { return error_json(e.what()); }
}

}  // namespace

// 6. The embind table -------------------------------------------------------------------------------------------
EMSCRIPTEN_BINDINGS(strata_worker) {
    emscripten::function("analyze", &analyze);
    emscripten::function("analyzeClean", &analyze_clean);
    emscripten::function("cancelFlagAddress", &cancel_flag_address);
    emscripten::function("setCancel", &set_cancel);
    emscripten::function("analyzeNoisy", &analyze_noisy);
    emscripten::function("studySettings", &study_settings);
    emscripten::function("addNoise", &add_noise);
    emscripten::function("vaeSample", &vae_sample);
    emscripten::function("psnrStats", &psnr_stats);
    emscripten::function("sha256", &sha256_hex);
    emscripten::function("tsne", &tsne_embedding);
    emscripten::function("interpolate", &interpolate);
    emscripten::function("neighbours", &neighbours);
    emscripten::function("projectLatents", &project_latents);
    emscripten::function("parseManifest", &parse_manifest_json);
    emscripten::function("imageSet", &image_set);
    emscripten::function("planModel", &plan_model);
    emscripten::function("latentShape", &latent_shape);
    emscripten::function("toModelPixels", &model_pixels<&strata::to_model_pixels>);
    emscripten::function("fromModelPixels", &model_pixels<&strata::from_model_pixels>);
}
