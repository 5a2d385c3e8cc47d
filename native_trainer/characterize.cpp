// characterize.cpp: the study. Index: 1. finding models  2. settings  3. encoding  4. the run
#include "characterize.hpp"

#include "config.hpp"

#include "error.hpp"
#include "fileio.hpp"
#include "idx.hpp"
#include "image_source.hpp"
#include "manifest.hpp"
#include "model_plan.hpp"
#include "noise.hpp"
#include "onnx_io.hpp"
#include "onnx_runner.hpp"
#include "sha256.hpp"

#include <nlohmann/json.hpp>

#include <dirent.h>
#include <sys/stat.h>
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>

namespace strata::study {
namespace {

// The input of the bundled models (network.hpp): the default study reads the IDX test split as is.
constexpr ImageShape kFashionMnist{1, 28, 28};

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

// The kind and the architecture written next to the files by `strata train` (left empty without a
// config.json; only the kind from a config.json that is not a strata training config).
void from_config(const std::string& dir, ModelEntry& e) {
    const std::string p = dir + "/config.json";
    if (!is_file(p)) return;
    const nlohmann::json j = read_json(p);
    try {
        const train::TrainConfig c = train::config_from_json(j, p);
        e.architecture = train::architecture_json(c).dump();
        e.kind = c.kind;
    } catch (const Error&) {
        e.kind = j.is_object() ? j.value("kind", std::string()) : "";  // another program's config.json
    }
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

// The study's first N images at one input shape: the IDX test split, or --images; and how the
// results name them.
struct StudyImages {
    std::vector<float> pixels;  // N x C x H x W of the shape asked for
    std::vector<int> labels;    // per image: its class index or IDX label, -1 for none
    std::string dataset, file, sha256, samples;
    Json source;  // --images, or the test split converted to another shape: "image_source"
};

StudyImages load_study_images(const StudySettings& s, const ImageShape& shape) {
    StudyImages im;
    const bool fashion = shape.channels == kFashionMnist.channels && shape.height == kFashionMnist.height &&
                         shape.width == kFashionMnist.width;
    if (s.images.empty() && fashion) {
        const std::string data_dir = s.data_dir.empty() ? data::default_data_dir() : s.data_dir;
        const data::Dataset test = data::load_split(data_dir, data::Split::Test, 0);
        if (s.n > test.images.count)
            throw Error("--n: " + std::to_string(s.n) + " images asked, " + test.images_path + " has " +
                        std::to_string(test.images.count));
        im.pixels = data::to_unit_floats(test.images, 0, s.n);
        im.labels.assign(test.labels.labels.begin(), test.labels.labels.begin() + std::ptrdiff_t(s.n));
        const auto raw_images = cmd::read_file(test.images_path);
        im.sha256 = sha256_hex(raw_images.data(), raw_images.size());  // of the file as stored
        im.dataset = s.data_dir.empty() ? "fashion-mnist (Debian dataset-fashion-mnist)" : "IDX folder " + data_dir;
        im.file = test.images_path;
        im.samples = "the first n images of the test split, indices 0..n-1, in file order";
        return im;
    }
    // --images, or a model of another input shape on the IDX folder (its test split, converted).
    const std::string path = !s.images.empty() ? s.images : s.data_dir.empty() ? data::default_data_dir() : s.data_dir;
    data::ImageSource src = data::load_images(path, shape.channels, shape.height, shape.width, s.n);
    data::warn_skipped(src);
    if (s.n > src.images.count)
        throw Error("--n: " + std::to_string(s.n) + " images asked, " + path + " has " +
                    std::to_string(src.images.count) + " usable (" + std::to_string(src.images.skipped.size()) +
                    " skipped)");
    im.source = image_source_json(src);
    im.pixels = std::move(src.images.pixels);
    im.labels = src.images.labels;
    im.labels.resize(s.n, -1);
    im.sha256 = src.files_sha256;
    im.dataset = "images " + path + " (" + src.kind + ")";
    im.file = path;
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
        // An entry's "architecture" (strata publish, make_manifest.py) is in its settings (the core's
        // reader puts it there), from which model_json takes it.
        for (const ManifestModel& mm : m.models) {
            ModelEntry e;
            e.name = mm.name;
            e.kind = mm.kind;
            e.encoder_path = dir + "/" + mm.encoder.path;
            if (mm.decoder) e.decoder_path = dir + "/" + mm.decoder->path;
            e.settings = mm.settings;
            out.push_back(e);
        }
        if (out.empty()) throw Error(manifest + ": lists no usable models");
        return out;
    }
    auto add_folder = [&out](const std::string& folder, const std::string& name) {
        ModelEntry e;
        e.name = name;
        e.encoder_path = folder + "/encoder.onnx";
        if (is_file(folder + "/decoder.onnx")) e.decoder_path = folder + "/decoder.onnx";
        if (is_file(folder + "/model.json")) e.settings_path = folder + "/model.json";
        from_config(folder, e);
        out.push_back(e);
    };
    if (is_file(dir + "/encoder.onnx")) {
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
        if (n != "." && n != ".." && is_file(dir + "/" + n + "/encoder.onnx")) names.push_back(n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) add_folder(dir + "/" + n, n);
    if (out.empty()) throw Error(dir + ": no manifest.json and no folder with an encoder.onnx");
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
    if (s.interpolation_steps < 3 || s.interpolation_steps > kMaxInterpolationSteps)
        throw Error("--interpolation-steps: must be 3 to " + std::to_string(kMaxInterpolationSteps));
    if (s.interpolations > s.n * (s.n - 1) / 2)
        throw Error("--interpolations: " + std::to_string(s.interpolations) + " pairs asked, but " +
                    std::to_string(s.n) + " images have only " + std::to_string(s.n * (s.n - 1) / 2) +
                    " distinct pairs");
    validate(s.geometry);
}

// 3. Encoding ----------------------------------------------------------------------------------------------------
namespace {

// Runs `model` on n items (each of `item` shape, C order, contiguous in x) in batches of `batch`
// (fixed > 0: exactly that many, the last batch padded with copies of its last item, whose outputs
// are dropped). Returns the asked outputs for the n items; each output's first dimension must be
// the batch's size and its per-item shape the same in every batch.
std::map<std::string, onnxrt::FloatTensor> run_batched(const onnxrt::OnnxModel& model, const std::string& input,
                                                       const std::vector<std::int64_t>& item, const float* x,
                                                       std::size_t n, std::int64_t fixed, std::size_t preferred,
                                                       const std::vector<std::string>& outputs, double& seconds) {
    std::size_t item_size = 1;
    for (auto d : item) item_size *= std::size_t(d);
    const std::size_t batch = run_batch_size(fixed, preferred);
    std::map<std::string, onnxrt::FloatTensor> out;
    for (std::size_t b = 0; b < n; b += batch) {
        const std::size_t k = std::min(batch, n - b), run = fixed > 0 ? batch : k;
        onnxrt::FloatTensor in;
        in.shape = item;
        in.shape.insert(in.shape.begin(), std::int64_t(run));
        in.data.assign(x + b * item_size, x + (b + k) * item_size);
        for (std::size_t pad = k; pad < run; ++pad)
            in.data.insert(in.data.end(), x + (b + k - 1) * item_size, x + (b + k) * item_size);
        const auto t0 = std::chrono::steady_clock::now();
        auto res = model.run({{input, std::move(in)}});
        seconds += seconds_since(t0);
        for (const std::string& name : outputs) {
            const onnxrt::FloatTensor& t = res.at(name);
            if (t.shape.empty() || t.shape[0] != std::int64_t(run))
                throw Error(model.name() + ": output '" + name + "' does not have one entry per image of a batch of " +
                            std::to_string(run));
            onnxrt::FloatTensor& o = out[name];
            std::vector<std::int64_t> rest(t.shape.begin() + 1, t.shape.end());
            if (b == 0) o.shape = t.shape;
            else if (std::vector<std::int64_t>(o.shape.begin() + 1, o.shape.end()) != rest)
                throw Error(model.name() + ": output '" + name + "' changes shape from one batch to the next");
            const std::size_t per = t.data.size() / std::size_t(run);
            o.data.insert(o.data.end(), t.data.begin(), t.data.begin() + std::ptrdiff_t(k * per));
        }
    }
    for (auto& [name, t] : out) t.shape[0] = std::int64_t(n);
    return out;
}

onnxrt::OnnxModel load_onnx(const std::vector<std::uint8_t>& bytes, const std::string& path) {
    return onnxrt::OnnxModel::from_bytes(std::string(bytes.begin(), bytes.end()), path);
}

}  // namespace

PreparedModel prepare_model(const ModelEntry& m, const StudySettings& s, bool need_runner) {
    PreparedModel pm;
    pm.entry = m;
    if (m.settings) {
        pm.settings = *m.settings;
    } else if (!m.settings_path.empty()) {
        const auto text = cmd::read_file(m.settings_path);
        pm.settings =
            read_model_json(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()), m.settings_path);
    }
    if (!s.latent_output.empty()) pm.settings.latent_output = s.latent_output;
    // Each file is read once: its hash, its declared shapes and the graph that runs are of the same bytes.
    pm.encoder_bytes = cmd::read_file(m.encoder_path);
    const auto& enc = pm.encoder_bytes;
    pm.sha256 = sha256_hex(enc.data(), enc.size());
    const OnnxIo enc_io = read_onnx_io(enc.data(), enc.size(), m.encoder_path);
    pm.encoder = plan_encoder(enc_io, pm.settings, m.encoder_path);
    if (!m.decoder_path.empty()) {
        pm.decoder_bytes = cmd::read_file(m.decoder_path);
        const auto& dec = pm.decoder_bytes;
        pm.decoder_sha256 = sha256_hex(dec.data(), dec.size());
        pm.decoder = plan_decoder(read_onnx_io(dec.data(), dec.size(), m.decoder_path), pm.encoder, m.decoder_path);
    }
    // The graphs the native runner executes (last: the plan's messages come first).
    try {
        pm.encoder_model = std::make_shared<onnxrt::OnnxModel>(load_onnx(enc, m.encoder_path));
        if (pm.decoder)
            pm.decoder_model = std::make_shared<onnxrt::OnnxModel>(load_onnx(pm.decoder_bytes, m.decoder_path));
    } catch (const Error& e) {
        if (need_runner) throw;
        pm.encoder_model = pm.decoder_model = nullptr;
        pm.runner_problem = e.what();
    }
    if (pm.entry.kind.empty()) pm.entry.kind = pm.settings.kind;
    if (pm.entry.kind.empty()) pm.entry.kind = enc_io.metadata_value("kind");
    if (pm.entry.kind.empty()) pm.entry.kind = pm.encoder.variational() ? "vae" : "ae";
    return pm;
}

EncodedModel encode_model(const PreparedModel& pm, const std::vector<float>& images, const StudySettings& s) {
    EncodedModel em;
    em.entry = pm.entry;
    em.plan = pm.encoder;
    em.settings = pm.settings;
    em.has_decoder = pm.decoder.has_value();
    em.variational = pm.encoder.variational();
    em.sha256 = pm.sha256;
    em.decoder_sha256 = pm.decoder_sha256;
    const ModelEntry& m = pm.entry;
    const onnxrt::OnnxModel& encoder = *pm.encoder_model;
    const onnxrt::OnnxModel* decoder = pm.decoder_model.get();

    const ImageShape& shape = pm.encoder.image;
    const std::size_t px = shape.size(), n = s.n;
    if (images.size() != n * px) throw Error(m.name + ": the study's images do not have the model's input shape");
    const std::vector<std::int64_t> image_dims{shape.channels, shape.height, shape.width};
    std::vector<std::string> enc_outputs{pm.encoder.latent};
    if (em.variational) enc_outputs.push_back(pm.encoder.logvar);
    for (double sigma : s.sigmas) {
        // Noise in [0, 1] pixel space; the model sees its own normalisation of the noisy image.
        std::vector<float> y = noise::add_noise(images, n, px, sigma, s.seed, 0, true);
        to_model_pixels(y.data(), n, shape, pm.settings);
        auto eo = run_batched(encoder, pm.encoder.input, image_dims, y.data(), n, pm.encoder.batch, s.batch,
                              enc_outputs, em.encode_s);
        const onnxrt::FloatTensor& mu = eo.at(pm.encoder.latent);
        const std::array<int, 3> chw = latent_shape_of(mu.shape, n, m.encoder_path, pm.encoder.latent);
        const std::size_t size = std::size_t(chw[0]) * std::size_t(chw[1]) * std::size_t(chw[2]);
        std::vector<float> z = mu.data;
        if (em.variational) {
            const onnxrt::FloatTensor& lv = eo.at(pm.encoder.logvar);
            if (lv.shape != mu.shape)
                throw Error(m.encoder_path + ": output '" + pm.encoder.logvar + "' does not have the shape of '" +
                            pm.encoder.latent + "'");
            if (s.vae_latent == "sample") z = noise::vae_sample(mu.data, lv.data, n, size, s.seed, 0);
            if (sigma == 0.0) {  // the interpolation walks the clean images' mean
                LatentSet mean;
                mean.name = m.name + " sigma=0 mu";
                mean.shape = {chw[0], chw[1], chw[2]};
                mean.n = n;
                mean.values.assign(mu.data.begin(), mu.data.end());
                em.clean_mean = std::move(mean);
            }
        }
        if (decoder) {
            auto d = run_batched(*decoder, pm.decoder->input, {chw[0], chw[1], chw[2]}, z.data(), n, pm.decoder->batch,
                                 s.batch, {pm.decoder->output}, em.decode_s);
            onnxrt::FloatTensor& xh = d.at(pm.decoder->output);
            if (xh.data.size() != n * px)
                throw Error(m.decoder_path + ": output '" + pm.decoder->output + "' is not N x " +
                            std::to_string(shape.channels) + " x " + std::to_string(shape.height) + " x " +
                            std::to_string(shape.width) + " (the encoder's input shape)");
            // PSNR in [0, 1] pixel space: the reconstruction with the normalisation undone.
            from_model_pixels(xh.data.data(), n, shape, pm.settings);
            em.psnr.push_back(psnr_stats(xh.data.data(), images.data(), n, px));
        }
        LatentSet set;
        char name[96];
        std::snprintf(name, sizeof name, "%s sigma=%g", m.name.c_str(), sigma);
        set.name = name;
        set.sigma = sigma;
        set.shape = {chw[0], chw[1], chw[2]};
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
    o.set("decoder_sha256", mr.encoded.has_decoder ? Json(mr.encoded.decoder_sha256) : Json());
    o.set("encoder", m.encoder_path);
    o.set("decoder", m.decoder_path.empty() ? Json() : Json(m.decoder_path));
    o.set("model_settings", m.settings_path.empty() ? Json() : Json(m.settings_path));
    o.set("plan", to_json(mr.encoded.plan));
    o.set("normalisation", normalisation_json(mr.encoded.settings));
    // From config.json or the manifest entry, else from model.json (null when neither has it).
    o.set("architecture", !m.architecture.empty() ? Json::parse(m.architecture, m.name + " architecture")
                                                  : mr.encoded.settings.architecture);
    o.set("variational", mr.encoded.variational);
    o.set("vae_latent", mr.encoded.variational ? Json(s.vae_latent) : Json());
    o.set("bandwidth", mr.geometry.bandwidth);
    o.set("geometry", to_json(mr.geometry.settings, mr.geometry.bandwidth));
    if (mr.geometry.landmarks) o.set("landmarks", to_json(*mr.geometry.landmarks));
    Json sets = Json::array();
    for (std::size_t i = 0; i < mr.geometry.sets.size(); ++i) {
        Json js = to_json(mr.geometry.sets[i]);
        const auto psnr = mr.encoded.psnr_at(i);  // null without a decoder
        js.set("psnr_mean", psnr ? Json(psnr->mean) : Json());
        js.set("psnr_std", psnr ? Json(psnr->std) : Json());
        js.set("psnr", psnr ? Json::array_of(psnr->per_image) : Json());  // per sample, dB
        sets.push(std::move(js));
    }
    o.set("sets", std::move(sets));
    if (!mr.geometry.settings.bandwidth_scan.empty())
        o.set("bandwidth_scan", bandwidth_scan_json(mr.geometry.settings, mr.geometry.bandwidth));
    if (s.interpolations > 0) {
        Json in = to_json(mr.interpolation);
        in.set("latent", mr.encoded.variational ? "mu (the encoder's mean, whatever vae_latent says)" : "the latent");
        Json paths = Json::array();
        for (const InterpolationPath& p : mr.paths) paths.push(to_json(p));
        in.set("paths", std::move(paths));
        o.set("interpolation", std::move(in));
    }
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
    // Every model's files first: a model the method cannot use stops the run before any work.
    if (models.empty()) throw Error("--models: no models to study");
    std::vector<PreparedModel> prepared;
    for (const ModelEntry& m : models) prepared.push_back(prepare_model(m, s));
    // The same images for every model, read once per input shape.
    std::map<std::array<int, 3>, StudyImages> by_shape;
    auto images_for = [&](const ImageShape& sh) -> const StudyImages& {
        const std::array<int, 3> key{sh.channels, sh.height, sh.width};
        auto it = by_shape.find(key);
        if (it == by_shape.end()) it = by_shape.emplace(key, load_study_images(s, sh)).first;
        return it->second;
    };
    const StudyImages& study_images = images_for(prepared.front().encoder.image);
    // The same pairs (the same images) for every model.
    const auto pairs =
        s.interpolations > 0 ? draw_pairs(s.n, s.interpolations, s.seed) : std::vector<std::array<std::size_t, 2>>{};

    StudyResult result;
    result.labels = study_images.labels;
    Json jm = Json::array();
    for (const PreparedModel& pm : prepared) {
        const ModelEntry& m = pm.entry;
        ModelResult mr;
        if (!quiet)
            std::fprintf(stderr, "strata characterize: %s: encoding%s %zu images x %zu noise levels\n", m.name.c_str(),
                         pm.decoder ? " and decoding" : "", s.n, s.sigmas.size());
        mr.encoded = encode_model(pm, images_for(pm.encoder.image).pixels, s);
        const auto t0 = std::chrono::steady_clock::now();
        std::string last;
        GeometrySettings geometry = s.geometry;
        geometry.landmark_seed = s.seed;  // the landmarks are drawn with the study's seed
        std::shared_ptr<const CleanAnalysis> clean;
        mr.geometry = analyze_geometry(
            mr.encoded.sets, geometry,
            [&](const std::string& stage, double) {
                if (quiet || stage == last) return;
                last = stage;
                std::fprintf(stderr, "strata characterize: %s: %s\n", m.name.c_str(), stage.c_str());
            },
            &clean);
        if (!pairs.empty()) {
            if (!quiet)
                std::fprintf(stderr, "strata characterize: %s: %zu interpolations of %d steps\n", m.name.c_str(),
                             pairs.size(), s.interpolation_steps);
            const LatentSet& ends = mr.encoded.clean_mean ? *mr.encoded.clean_mean : mr.encoded.sets[0];
            mr.paths = interpolate_pairs(*clean, ends, pairs, s.interpolation_steps);
            mr.interpolation = summarize(mr.paths);
        }
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
    p.interpolations = s.interpolations;
    p.interpolation_steps = s.interpolation_steps;
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
