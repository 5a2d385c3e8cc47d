// model.hpp: the autoencoder as a LibTorch module, and the losses of every kind.
//
// Index: 1. Autoencoder (built from network.hpp's table)  2. losses  3. to/from NetworkSpec
//
// Only model.cpp, train.cpp and onnx_runner.cpp include LibTorch (slow to compile: keep it to few files);
// the rest of the trainer sees plain structs.
#pragma once
#include "kinds.hpp"
#include "network.hpp"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace strata::train {

// 1. The module ----------------------------------------------------------------------------------
struct Block {
    torch::nn::Conv2d conv{nullptr};  // one of conv / convt is set
    torch::nn::ConvTranspose2d convt{nullptr};
    torch::nn::BatchNorm2d bn{nullptr};  // optional
    Activation activation = Activation::None;
    torch::Tensor forward(const torch::Tensor& x);
};

struct AutoencoderOutput {
    torch::Tensor x_hat;       // N x 1 x 28 x 28, in (0, 1)
    torch::Tensor z;           // the latent the decoder saw
    torch::Tensor mu, logvar;  // variational kinds only (undefined otherwise)
};

class AutoencoderImpl : public torch::nn::Module {
public:
    explicit AutoencoderImpl(const NetworkSpec& spec);

    // Training forward: the VAE samples z = mu + exp(logvar / 2) * e with e from torch's global
    // generator (the training loop seeds it per batch, which makes runs and resumes reproducible).
    AutoencoderOutput forward(const torch::Tensor& x);
    // Encoder trunk then heads: returns {z} or {mu, logvar}.
    std::vector<torch::Tensor> encode(const torch::Tensor& x);
    torch::Tensor decode(const torch::Tensor& z);

    const NetworkSpec& spec() const { return spec_; }
    const std::vector<Block>& encoder_blocks() const { return encoder_; }
    const std::vector<Block>& decoder_blocks() const { return decoder_; }
    const Block& mu_block() const { return mu_; }
    const Block& logvar_block() const { return logvar_; }

private:
    Block make_block(const LayerSpec& l);
    NetworkSpec spec_;  // architecture only (no weights)
    std::vector<Block> encoder_, decoder_;
    Block mu_, logvar_;
};
TORCH_MODULE(Autoencoder);

// 2. Losses ------------------------------------------------------------------------------------------
struct LossParts {
    torch::Tensor total;                     // what is minimised
    double recon = 0.0, kl = 0.0, l1 = 0.0;  // parts, for logs (kl: per image, unweighted)
};

// `x` is the clean target. For "bce-sum" the reconstruction is summed over an image's pixels and
// averaged over the batch; for "mse" it is averaged over all pixels. KL is per image (summed over
// the latent), weighted by kl_weight (beta times the warm-up ramp); L1 is mean |z| times kind.l1.
LossParts compute_loss(const KindSpec& kind, const torch::Tensor& x, const AutoencoderOutput& out, double kl_weight);

// KL divergence per latent channel (summed over H, W, averaged over the batch): collapse shows as
// channels with KL near 0.
torch::Tensor kl_per_channel(const torch::Tensor& mu, const torch::Tensor& logvar);

// 3. Weights in and out of plain structs -----------------------------------------------------------
// The trained weights (double-checked shapes) as a NetworkSpec for the ONNX writer.
NetworkSpec to_network_spec(AutoencoderImpl& model);

// A trained run folder (config.json + checkpoint.pt) as a module in eval mode (defined in train.cpp,
// next to the checkpoint format).
Autoencoder load_autoencoder(const std::string& dir);

}  // namespace strata::train
