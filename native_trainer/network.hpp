// network.hpp: the layers of the default autoencoder, as plain data (torch-free).
//
// Index: 1. LayerSpec  2. Architecture (the switches)  3. NetworkSpec  4. default_network()
//
// One table describes the network; model.cpp builds the LibTorch modules from it, and after
// training fills in the weights so onnx_export.cpp can write ONNX without LibTorch. Our stand-in
// for the paper's unpublished SCTC block (docs/trainer.md):
//   encoder  Conv 1->32 k4 s2 p1, BN, ReLU        28 -> 14
//            Conv 32->64 k4 s2 p1, BN, ReLU       14 -> 7
//            Conv 64->64 k3 s1 p1, BN, ReLU        7 -> 7    = latent z (CAE, DAE, sparse)
//   VAE      mu = Conv 64->64 k1, logvar = Conv 64->64 k1 on the last block's output
//   decoder  ConvT 64->64 k4 s2 p1, BN, ReLU       7 -> 14
//            ConvT 64->32 k4 s2 p1, BN, ReLU      14 -> 28
//            ConvT 32->1 k3 s1 p1, Sigmoid        28 -> 28   = x_hat
// Convolutions followed by batch norm have no bias (the BN shift plays its role).
//
// Other shapes (`strata train --input CxHxW [--latent CxHxW]`): s stride-2 stages take H x W to
// the latent's H' x W' = H / 2^s x W / 2^s (s >= 1, the same for both sides), with 32, 64, 64, ...
// channels, then the k3 s1 block gives the latent's channels; the decoder mirrors it and ends in
// the input's channels. The default latent is 64 x H/4 x W/4, so 1 x 28 x 28 is the table above.
//
// Switches (`strata train --norm --conv-bias --latent-activation --depth --width`, Architecture
// below; their defaults give the table above): batch norm after every hidden convolution or none;
// a bias in every convolution not followed by batch norm (a bias before batch norm is cancelled by
// its mean) or in none at all; the activation of the last encoder block (the latent z, or for
// variational kinds the features mu and logvar are computed from); the number s of stride-2 stages
// (which with --input fixes the latent's H' and W'); the channels of the first stage, W, with 2 W
// in the later ones (default 32, hence 32, 64, 64, ...).
#pragma once
#include <array>
#include <string>
#include <vector>

namespace strata::train {

enum class Activation { None, Relu, LeakyRelu, Sigmoid };
constexpr float kLeakyReluSlope = 0.01f;  // LibTorch's default negative slope; ONNX LeakyRelu's alpha

// 1. One convolution block -----------------------------------------------------------------------
struct LayerSpec {
    std::string name;         // "enc1", "mu", ... (names of initializers in the ONNX files)
    bool transposed = false;  // ConvTranspose (weight [in, out, k, k]) or Conv (weight [out, in, k, k])
    int in = 0, out = 0, kernel = 1, stride = 1, pad = 0;
    bool bias = false;
    bool batch_norm = false;
    Activation activation = Activation::None;

    // Filled in from a trained model (empty in the architecture table).
    std::vector<float> weight, bias_values;
    std::vector<float> bn_gamma, bn_beta, bn_mean, bn_var;
    double bn_eps = 1e-5;
};

// 2. The architecture switches ---------------------------------------------------------------------
struct Architecture {
    std::string norm = "batch";              // "batch" | "none"
    std::string conv_bias = "on";            // "on" | "off"
    std::string latent_activation = "relu";  // "relu" | "none" | "leaky-relu"
    int depth = 0;                           // stride-2 stages before the latent; 0 = as the latent's shape gives
    int width = 32;                          // channels of the first stage
    bool operator==(const Architecture& o) const {
        return norm == o.norm && conv_bias == o.conv_bias && latent_activation == o.latent_activation &&
               depth == o.depth && width == o.width;
    }
};
// Throws strata::Error naming the flag (--norm, ...) and the accepted values.
void validate(const Architecture& a);

// 3. A whole network -------------------------------------------------------------------------------
struct NetworkSpec {
    std::string kind;  // the KindSpec name
    bool variational = false;
    std::vector<LayerSpec> encoder;  // x -> z (or -> h before the heads)
    LayerSpec mu, logvar;            // variational only
    std::vector<LayerSpec> decoder;  // z -> x_hat
    int input_c = 1, input_h = 28, input_w = 28;
    int latent_c = 64, latent_h = 7, latent_w = 7;
    Architecture arch;  // the switches it was built with (depth resolved)
};

// 4. The architecture of every kind (weights empty), for images C x H x W and a latent C' x H' x W'.
// Throws strata::Error when the shapes do not fit the rule above (naming --input, --latent, --depth).
using Shape3 = std::array<int, 3>;
constexpr Shape3 kDefaultInput{1, 28, 28};
NetworkSpec default_network(const std::string& kind, bool variational, const Shape3& input = kDefaultInput,
                            const Shape3& latent = {64, 7, 7}, const Architecture& arch = {});
// 64 x H/2^d x W/2^d with d = depth (2 when depth is 0); an error when H or W is not a multiple of 2^d.
Shape3 default_latent(const Shape3& input, int depth = 0);
// "3x32x32" -> {3, 32, 32}; throws strata::Error naming `flag`.
Shape3 parse_shape(const std::string& text, const std::string& flag);

}  // namespace strata::train
