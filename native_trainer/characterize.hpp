// characterize.hpp: the paper's study on a set of trained models (torch-free API).
//
// Index: 1. where the models are  2. the study settings  3. one model's encoded sets  4. the run
//
// For each model: the first N test images (or N images from --images), noisy copies y = clip(x + sigma e, 0, 1) for every
// sigma (noise.hpp), latents from encoder.onnx (VAE: sampled or mean, noise.hpp), reconstructions
// from decoder.onnx and their PSNR against the clean images, then the core's analyze_geometry on
// the latent sets (clean first). The ONNX files run in onnx_runner (LibTorch ops), i.e. exactly
// the files the page runs in ONNX Runtime Web.
#pragma once
#include "analysis.hpp"
#include "interpolation.hpp"
#include "model_plan.hpp"
#include "psnr.hpp"
#include "results_json.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace strata::onnxrt {
class OnnxModel;
}

namespace strata::study {

// 1. Models ------------------------------------------------------------------------------------------
struct ModelEntry {
    std::string name, kind, encoder_path;
    std::string decoder_path;               // "" when the model has no decoder (no PSNR then)
    std::string settings_path;              // model.json beside the files (model_plan.hpp), "" when absent
    std::optional<ModelSettings> settings;  // a manifest entry's "settings" (instead of a model.json)
    std::string architecture;               // the switches it was trained with, as JSON text ("" when unknown)
};
// DIR/manifest.json when present (its "models" list); otherwise every subfolder holding an
// encoder.onnx (sorted by name), or DIR itself when it holds one; decoder.onnx and model.json
// beside it are optional. The kind comes from the manifest, a config.json beside the files,
// model.json, or the encoder's "kind" metadata; the architecture (config.hpp's architecture_json)
// from a config.json beside the files or the manifest entry's "architecture".
std::vector<ModelEntry> find_models(const std::string& dir);

// 2. Settings -----------------------------------------------------------------------------------------
struct StudySettings {
    std::string data_dir;  // IDX folder (default Debian's Fashion-MNIST)
    std::string images;    // --images: a folder of PNG/JPEG, a .npy, IDX (image_source.hpp),
                           // instead of the test split of data_dir
    std::size_t n = 300;   // first N test images
    std::vector<double> sigmas = {0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3};  // sigmas[0] must be 0
    std::uint64_t seed = 0;                                             // noise and VAE sampling streams
    std::string vae_latent = "sample";                                  // "sample" | "mean"
    std::string latent_output;  // --latent-output: the encoders' latent output, over model.json
    int torch_threads = 1;      // 1: faster than 2 OpenMP threads whenever another process runs
    std::size_t batch = 100;    // images per encoder/decoder call
    GeometrySettings geometry;
    std::size_t interpolations = 0;                        // --interpolations: seeded pairs per model, 0 = off
    int interpolation_steps = kDefaultInterpolationSteps;  // --interpolation-steps: K
};
void validate(const StudySettings& s);  // throws strata::Error naming the flag

// 3. One model: its files read and planned (model_plan.hpp), then encoded -----------------------------------
struct PreparedModel {
    ModelEntry entry;  // with its kind resolved
    ModelSettings settings;
    EncoderPlan encoder;
    std::optional<DecoderPlan> decoder;
    std::string sha256, decoder_sha256;                                     // of the bytes that run
    std::vector<std::uint8_t> encoder_bytes, decoder_bytes;                 // the files as read (publish copies these)
    std::shared_ptr<const onnxrt::OnnxModel> encoder_model, decoder_model;  // null when not loadable (below)
    std::string runner_problem;  // why the native runner cannot run it ("" when it can)
};
// Throws strata::Error naming the file when a file cannot be read, is not a valid graph, or is a
// model the method cannot use. With `need_runner` false (strata publish: the page runs the model
// with ONNX Runtime Web), a graph the native runner cannot run (an operator it lacks) is not an
// error: the models stay null and runner_problem says why.
PreparedModel prepare_model(const ModelEntry& m, const StudySettings& s, bool need_runner = true);

struct EncodedModel {
    ModelEntry entry;
    EncoderPlan plan;
    ModelSettings settings;
    bool variational = false, has_decoder = false;
    std::string sha256, decoder_sha256;
    std::vector<LatentSet> sets;                  // one per sigma, clean first
    std::optional<LatentSet> clean_mean;          // variational: the clean images' mu (interpolation walks it)
    std::vector<std::vector<float>> latents_f32;  // the same latents as float32 (for .npy dumps)
    std::vector<PsnrStats> psnr;                  // per sigma; empty without a decoder
    double encode_s = 0, decode_s = 0;
    std::optional<PsnrStats> psnr_at(std::size_t i) const {
        return i < psnr.size() ? std::optional<PsnrStats>(psnr[i]) : std::nullopt;
    }
};
// `images`: the study's N images at the model's input shape, in [0, 1].
EncodedModel encode_model(const PreparedModel& m, const std::vector<float>& images, const StudySettings& s);

// 4. The whole run: JSON {"settings", "models"} as docs/method.md section 9 asks; fills the analysis
// results per model. Progress lines go to stderr unless quiet.
struct ModelResult {
    EncodedModel encoded;
    GeometryResult geometry;
    std::vector<InterpolationPath> paths;  // --interpolations: the same pairs for every model
    InterpolationSummary interpolation;
    double analysis_s = 0;
};
struct StudyResult {
    Json json;
    std::vector<ModelResult> models;
    std::vector<int> labels;  // per sample: its class index or IDX label, -1 for none
    double encode_s = 0, decode_s = 0, analysis_s = 0, total_s = 0;
};
StudyResult run_study(const std::vector<ModelEntry>& models, const StudySettings& s, bool quiet);

}  // namespace strata::study
