// model.cpp: the LibTorch autoencoder. Index: 1. blocks  2. the module  3. losses  4. export to plain structs
#include "model.hpp"

#include "error.hpp"

namespace strata::train {

// 1. Blocks ----------------------------------------------------------------------------------------
torch::Tensor Block::forward(const torch::Tensor& x) {
    torch::Tensor y = conv ? conv->forward(x) : convt->forward(x);
    if (bn) y = bn->forward(y);
    switch (activation) {
        case Activation::Relu: return torch::relu(y);
        case Activation::LeakyRelu: return torch::leaky_relu(y, kLeakyReluSlope);
        case Activation::Sigmoid: return torch::sigmoid(y);
        case Activation::None: return y;
    }
    return y;
}

// 2. The module --------------------------------------------------------------------------------------
AutoencoderImpl::AutoencoderImpl(const NetworkSpec& spec) : spec_(spec) {
    // Registration order fixes the order parameters are created in, hence the initial weights
    // for a given seed: encoder, heads, decoder.
    for (const LayerSpec& l : spec_.encoder) encoder_.push_back(make_block(l));
    if (spec_.variational) {
        mu_ = make_block(spec_.mu);
        logvar_ = make_block(spec_.logvar);
    }
    for (const LayerSpec& l : spec_.decoder) decoder_.push_back(make_block(l));
}

Block AutoencoderImpl::make_block(const LayerSpec& l) {
    Block b;
    b.activation = l.activation;
    if (l.transposed) {
        b.convt = register_module(
            l.name + "_conv",
            torch::nn::ConvTranspose2d(
                torch::nn::ConvTranspose2dOptions(l.in, l.out, l.kernel).stride(l.stride).padding(l.pad).bias(l.bias)));
    } else {
        b.conv = register_module(
            l.name + "_conv",
            torch::nn::Conv2d(
                torch::nn::Conv2dOptions(l.in, l.out, l.kernel).stride(l.stride).padding(l.pad).bias(l.bias)));
    }
    if (l.batch_norm)
        b.bn =
            register_module(l.name + "_bn", torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(l.out).eps(l.bn_eps)));
    return b;
}

std::vector<torch::Tensor> AutoencoderImpl::encode(const torch::Tensor& x) {
    torch::Tensor h = x;
    for (Block& b : encoder_) h = b.forward(h);
    if (!spec_.variational) return {h};
    return {mu_.forward(h), logvar_.forward(h)};
}

torch::Tensor AutoencoderImpl::decode(const torch::Tensor& z) {
    torch::Tensor y = z;
    for (Block& b : decoder_) y = b.forward(y);
    return y;
}

AutoencoderOutput AutoencoderImpl::forward(const torch::Tensor& x) {
    AutoencoderOutput out;
    auto enc = encode(x);
    if (spec_.variational) {
        out.mu = enc[0];
        out.logvar = enc[1];
        out.z = out.mu + torch::exp(0.5 * out.logvar) * torch::randn_like(out.mu);
    } else {
        out.z = enc[0];
    }
    out.x_hat = decode(out.z);
    return out;
}

// 3. Losses --------------------------------------------------------------------------------------------
torch::Tensor kl_per_channel(const torch::Tensor& mu, const torch::Tensor& logvar) {
    // KL(N(mu, exp(logvar)) || N(0, 1)) per element = 0.5 (mu^2 + exp(logvar) - 1 - logvar).
    auto kl = 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar);
    return kl.sum({2, 3}).mean(0);
}

LossParts compute_loss(const KindSpec& kind, const torch::Tensor& x, const AutoencoderOutput& out, double kl_weight) {
    LossParts p;
    const double n = double(x.size(0));
    torch::Tensor recon;
    if (kind.recon == "bce-sum") {
        recon = torch::binary_cross_entropy(out.x_hat, x, {}, torch::Reduction::Sum) / n;
    } else if (kind.recon == "mse") {
        recon = torch::mse_loss(out.x_hat, x);
    } else {
        throw Error("kind " + kind.name + ": unknown reconstruction loss '" + kind.recon + "'");
    }
    p.total = recon;
    p.recon = recon.item<double>();
    if (kind.variational) {
        torch::Tensor kl = kl_per_channel(out.mu, out.logvar).sum();
        p.kl = kl.item<double>();
        p.total = p.total + kl_weight * kl;
    }
    if (kind.l1 > 0.0) {
        torch::Tensor l1 = out.z.abs().mean();
        p.l1 = l1.item<double>();
        p.total = p.total + kind.l1 * l1;
    }
    return p;
}

// 4. Export to plain structs -------------------------------------------------------------------------
namespace {

std::vector<float> to_vector(const torch::Tensor& t) {
    torch::Tensor c = t.detach().to(torch::kFloat32).contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

void fill(LayerSpec& l, const Block& b) {
    const torch::Tensor w = b.conv ? b.conv->weight : b.convt->weight;
    const torch::Tensor bias = b.conv ? b.conv->bias : b.convt->bias;
    l.weight = to_vector(w);
    if (bias.defined()) l.bias_values = to_vector(bias);
    if (b.bn) {
        l.bn_gamma = to_vector(b.bn->weight);
        l.bn_beta = to_vector(b.bn->bias);
        l.bn_mean = to_vector(b.bn->running_mean);
        l.bn_var = to_vector(b.bn->running_var);
        l.bn_eps = b.bn->options.eps();
    }
}

}  // namespace

NetworkSpec to_network_spec(AutoencoderImpl& model) {
    NetworkSpec s = model.spec();
    for (std::size_t i = 0; i < s.encoder.size(); ++i) fill(s.encoder[i], model.encoder_blocks()[i]);
    for (std::size_t i = 0; i < s.decoder.size(); ++i) fill(s.decoder[i], model.decoder_blocks()[i]);
    if (s.variational) {
        fill(s.mu, model.mu_block());
        fill(s.logvar, model.logvar_block());
    }
    return s;
}

}  // namespace strata::train
