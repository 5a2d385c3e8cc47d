// config.hpp: the settings of one training run, from flags or a JSON file (torch-free).
//
// Index: 1. TrainConfig  2. JSON in and out  3. resolve (recipe, latent, network)
//
// The resolved config (every default filled in, the kind's recipe included) is written as
// DIR/config.json next to the model; `strata train --config FILE` reads the same keys, and
// `--resume` reads DIR/config.json back so a continued run is the same run.
#pragma once
#include "kinds.hpp"
#include "network.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace strata::train {

// 1. Settings ----------------------------------------------------------------------------------
struct TrainConfig {
    std::string kind = "cae";
    std::string out;               // run folder: config.json, checkpoint.pt, training_log.json
    std::string data;              // IDX folder or any image source (image_source.hpp); empty = Debian's Fashion-MNIST
    Shape3 input = kDefaultInput;  // C, H, W of the images the network takes
    Shape3 latent{0, 0, 0};        // C', H', W' of the latent; zeros = 64 x H/2^d x W/2^d (network.hpp)
    Architecture arch;             // --norm, --conv-bias, --latent-activation, --depth, --width
    int epochs = 5;
    int batch = 128;
    double lr = 1e-3;  // Adam
    std::uint64_t seed = 1;
    int threads = 2;                 // torch::set_num_threads; part of what makes runs bit-identical
    std::size_t train_limit = 0;     // first N training images only (0 = all); for tests
    std::size_t eval_images = 1000;  // first N test images for the PSNR after each epoch
    // The kind's recipe; negative = the kind's default (kinds.cpp).
    double sigma_train = -1, beta = -1, kl_warmup_epochs = -1, l1 = -1;
    bool progress = true;  // progress bar on stderr
};

// 2. JSON ----------------------------------------------------------------------------------------------
// A config.json without the switches' keys reads as their defaults.
nlohmann::json to_json(const TrainConfig& c);
// The switches as recorded in config.json, the manifest and characterize's results ("architecture"):
// {"norm", "conv_bias", "latent_activation", "depth" (resolved), "width"}.
nlohmann::json architecture_json(const TrainConfig& c);
// Unknown keys throw strata::Error naming `source` and the key (typos must not pass silently).
TrainConfig config_from_json(const nlohmann::json& j, const std::string& source);

// 3. The kind's recipe with this config's overrides applied; validates every value (the shapes too).
KindSpec resolve_recipe(const TrainConfig& c);
// The latent's shape: the config's, or the default for its input and depth.
Shape3 latent_of(const TrainConfig& c);
// The architecture table (weights empty) the config trains.
NetworkSpec network_of(const TrainConfig& c);

}  // namespace strata::train
