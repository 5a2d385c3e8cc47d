// model_plan.hpp: how a user's encoder and decoder are run, decided once from what the files say.
//
// Index: 1. ModelSettings (model.json)  2. EncoderPlan, DecoderPlan  3. the latent's shape at run
//        time  4. pixels to and from the model (normalisation)  5. batches
//
// One decision for both programs: `strata characterize` and the page read the ONNX files' inputs
// and outputs (onnx_io.hpp) and call plan_encoder / plan_decoder, so a model is accepted, run and
// refused the same way in both. The rules (docs/images.md "Your own model"):
//
// - The encoder takes one float32 image input N x C x H x W, C = 1 or 3, H and W from 8 to 256. The
//   batch dimension N is fixed (torch.onnx.export's default is 1: the images are run in batches of
//   exactly that size, the last one padded) or symbolic (any batch). C, H, W must be fixed in the
//   file, or given by model.json's "input" where the file leaves them open.
// - The latent is one output N x C' x H' x W'. Which output: model.json's "latent_output" (or the
//   CLI's --latent-output) when given; else the outputs named "mu" and "logvar" (a variational
//   encoder); else the only output; else the only 4-D output. Two outputs of one 4-D shape and no
//   choice is refused with a message that asks for the choice. With a chosen output, another output
//   of exactly its shape makes the encoder variational (the chosen one is the mean, the other the
//   log-variance).
// - The decoder is optional. When present it takes one input (the latent) and gives one output of
//   the encoder's input shape.
// - Pixels are in [0, 1]. model.json's "mean" and "std" (1 or C values, as torchvision's Normalize)
//   declare that the model sees (x - mean) / std; noise and PSNR stay in [0, 1] pixel space: the
//   noisy image is normalised before the encoder, the decoder's output is un-normalised before PSNR.
#pragma once
#include "json.hpp"
#include "onnx_io.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

// 1. model.json: what a user may declare about a model (every field optional) ---------------------------
struct ModelSettings {
    std::string kind;                         // "ae", "dae", "cae", "vae", ... or "" (shown, not used)
    std::vector<double> mean, std;            // 1 or C values each, both or neither; std > 0
    std::string latent_output;                // the output used as the latent (a VAE's mean)
    std::optional<std::array<int, 3>> input;  // C, H, W for an encoder whose file leaves them open
    // How the model was built, as `strata export` records it (shown, not used): an object with any of
    // norm, conv_bias, latent_activation (short texts) and depth, width (positive integers); null if absent.
    Json architecture;
};
// Reads a model.json object (name starts every message). Unknown keys are refused, so a typo
// ("stdev") is an error rather than a silently un-normalised model.
ModelSettings parse_model_settings(const Json& object, const std::string& name);
ModelSettings read_model_json(std::string_view text, const std::string& name);
// The "architecture" object alone (model.json's, or a manifest entry's), checked as model.json's is.
Json parse_architecture(const Json& object, const std::string& name);
Json to_json(const ModelSettings& s);

// 2. The plans ----------------------------------------------------------------------------------------------
struct ImageShape {
    int channels = 0, height = 0, width = 0;
    std::size_t size() const { return std::size_t(channels) * std::size_t(height) * std::size_t(width); }
};

struct EncoderPlan {
    std::string input;                      // the image input's name
    ImageShape image;                       // C x H x W of one image
    std::int64_t batch = 0;                 // the fixed batch size, 0 when the batch dimension is free
    std::string latent;                     // the output used as the latent (a VAE's mean)
    std::string logvar;                     // a variational encoder's log-variance output; "" otherwise
    std::string latent_rule;                // how the latent output was chosen, in words (results, settings panel)
    std::vector<std::int64_t> latent_dims;  // as declared in the file (-1: open), empty when not declared
    bool variational() const { return !logvar.empty(); }
};

struct DecoderPlan {
    std::string input, output;
    std::int64_t batch = 0;  // as EncoderPlan::batch
};

constexpr int kMinImageSide = 8, kMaxImageSide = 256;

// Throws strata::Error starting with `file` and saying what the method needs.
EncoderPlan plan_encoder(const OnnxIo& encoder, const ModelSettings& settings, const std::string& file);
DecoderPlan plan_decoder(const OnnxIo& decoder, const EncoderPlan& encoder, const std::string& file);
Json to_json(const EncoderPlan& p);

// 3. The latent a run gave (shape N x C' x H' x W' as computed): C', H', W'; throws with `file`, the
// output's name and what the method needs when it is not a 4-D tensor of `n` latents.
std::array<int, 3> latent_shape_of(const std::vector<std::int64_t>& shape, std::size_t n, const std::string& file,
                                   const std::string& output);

// 4. Pixels to the model and back: x -> (x - mean_c) / std_c, and its inverse, in place on count
// images of `shape`. No-ops without a declared normalisation.
void to_model_pixels(float* x, std::size_t count, const ImageShape& shape, const ModelSettings& s);
void from_model_pixels(float* x, std::size_t count, const ImageShape& shape, const ModelSettings& s);
// The results' "normalisation": model.json's settings when they declare a mean and std (the
// architecture left out: results report it on its own), else null.
Json normalisation_json(const ModelSettings& s);

// 5. Batches: `fixed` > 0 runs exactly that many at a time (the last batch padded by repeating its
// last image, whose results are dropped), 0 runs up to `preferred`.
std::size_t run_batch_size(std::int64_t fixed, std::size_t preferred);

}  // namespace strata
