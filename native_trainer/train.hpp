// train.hpp: the training loop, its checkpoints and the trained model's weights (torch-free API).
//
// Index: 1. records  2. run_training  3. reading a trained run  4. environment checks
//
// A run folder holds: config.json (the resolved TrainConfig), checkpoint.pt (model, Adam state,
// position in the run, history; rewritten atomically after every epoch and on Ctrl-C) and
// training_log.json (the per-epoch history, human-readable).
//
// Reproducibility: the weights are initialised after torch::manual_seed(seed); the batch order of
// epoch e is a Fisher-Yates shuffle driven by mt19937_64(seed, e); torch's generator is reseeded
// from (seed, epoch, batch) before every batch (DAE noise, VAE sampling). So a run is a pure
// function of (config, thread count, BLAS), and resuming from any checkpoint, even one written by
// Ctrl-C in the middle of an epoch, continues bit for bit.
#pragma once
#include "config.hpp"
#include "network.hpp"

#include <atomic>
#include <string>
#include <vector>

namespace strata::train {

// 1. Per-epoch record --------------------------------------------------------------------------------
struct EpochRecord {
    int epoch = 0;                               // 1-based
    double loss = 0, recon = 0, kl = 0, l1 = 0;  // training means over the epoch's batches
    double images_per_s = 0;
    double test_psnr = 0;                // clean test images (VAE: decoded from mu), dB
    double test_psnr_noisy = -1;         // DAE: inputs with noise sigma_train (else -1)
    std::vector<double> kl_per_channel;  // variational: on the eval images, nats per channel
};

struct TrainResult {
    bool interrupted = false;          // stopped by the stop flag (checkpoint saved)
    std::vector<EpochRecord> history;  // every finished epoch of the run, resumed ones included
};

// 2. Trains (or with `resume`, continues DIR/checkpoint.pt). `stop` is polled after every batch;
// when it becomes true a checkpoint is written and the function returns with interrupted = true.
// Throws strata::Error for bad data or a checkpoint that does not match the config.
TrainResult run_training(const TrainConfig& config, bool resume, const std::atomic<bool>* stop = nullptr);

// 3. A trained run ---------------------------------------------------------------------------------
TrainConfig read_run_config(const std::string& dir);            // DIR/config.json
NetworkSpec load_trained_network(const std::string& dir);       // config + checkpoint -> weights
std::vector<float> trained_parameters(const std::string& dir);  // every parameter and buffer, flat
std::vector<EpochRecord> read_history(const std::string& dir);  // DIR/training_log.json

// 4. Warns on stderr when the BLAS LibTorch loaded is known to be slow here (reference BLAS, or
// libopenblas0-pthread whose threads fight torch's OpenMP). Returns the warning ("" when none).
std::string check_blas();

}  // namespace strata::train
