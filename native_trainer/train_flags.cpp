// train_flags.cpp: see train_flags.hpp. Index: 1. the flags  2. applying them  3. --resume  4. Ctrl-C
#include "train_flags.hpp"

#include "error.hpp"
#include "network.hpp"

#include <csignal>

namespace strata::cmd {

// 1. The flags ---------------------------------------------------------------------------------------
std::vector<FlagSpec> train_setting_flags() {
    return {
        {"--data",
         "images: an IDX folder (train and test splits, plain or .gz; default Debian's Fashion-MNIST), or a "
         "folder of PNG/JPEG, a .npy or an IDX file (the last tenth evaluates; docs/images.md)"},
        {"--input", "CxHxW of the network's images (default 1x28x28); --data is converted to it"},
        {"--latent", "CxHxW of the latent (default 64 x H/2^depth x W/2^depth); H/H' = W/W' a power of two"},
        {"--norm", "batch norm after every hidden convolution: batch (default) or none"},
        {"--conv-bias", "on (default: a bias in every convolution not followed by batch norm) or off (no bias at all)"},
        {"--latent-activation",
         "activation of the last encoder block: relu (default), none or leaky-relu (slope 0.01)"},
        {"--depth", "stride-2 stages before the latent (default: as --latent gives, else 2)"},
        {"--width", "channels of the first stage; later stages have twice as many (default 32)"},
        {"--epochs", "epochs (default 5)"},
        {"--batch", "batch size (default 128)"},
        {"--lr", "Adam learning rate (default 1e-3)"},
        {"--threads", "LibTorch threads (default 2); results are bit-identical per thread count"},
        {"--train-limit", "use only the first N training images (default all)"},
        {"--eval-images", "first N test images for the PSNR after each epoch (default 1000)"},
        {"--sigma-train", "DAE input noise std (default: the kind's, 0.1 for dae)"},
        {"--beta", "KL weight of variational kinds (default: the kind's)"},
        {"--kl-warmup", "epochs over which the KL weight ramps up (default: the kind's)"},
        {"--l1", "L1 weight on the latent (default: the kind's, 1e-3 for sparse)"},
    };
}

// 2. Applying them -------------------------------------------------------------------------------------
void apply_train_flags(const ArgParser& p, train::TrainConfig& c) {
    c.data = p.text("--data", c.data);
    if (auto v = p.get("--input")) c.input = train::parse_shape(*v, "--input");
    if (auto v = p.get("--latent")) c.latent = train::parse_shape(*v, "--latent");
    c.arch.norm = p.text("--norm", c.arch.norm);
    c.arch.conv_bias = p.text("--conv-bias", c.arch.conv_bias);
    c.arch.latent_activation = p.text("--latent-activation", c.arch.latent_activation);
    c.arch.depth = int(p.integer("--depth", c.arch.depth));
    c.arch.width = int(p.integer("--width", c.arch.width));
    c.epochs = int(p.integer("--epochs", c.epochs));
    c.batch = int(p.integer("--batch", c.batch));
    c.lr = p.number("--lr", c.lr);
    c.threads = int(p.integer("--threads", c.threads));
    const long limit = p.integer("--train-limit", long(c.train_limit)),
               eval = p.integer("--eval-images", long(c.eval_images));
    if (limit < 0) throw Error("--train-limit: must be >= 0");
    if (eval < 0) throw Error("--eval-images: must be >= 0");
    c.train_limit = std::size_t(limit);
    c.eval_images = std::size_t(eval);
    c.sigma_train = p.number("--sigma-train", c.sigma_train);
    c.beta = p.number("--beta", c.beta);
    c.kl_warmup_epochs = p.number("--kl-warmup", c.kl_warmup_epochs);
    c.l1 = p.number("--l1", c.l1);
}

// 3. --resume ----------------------------------------------------------------------------------------------
const std::vector<std::string>& flags_fixed_on_resume() {
    static const std::vector<std::string> f = {"--kind",
                                               "--config",
                                               "--data",
                                               "--input",
                                               "--latent",
                                               "--batch",
                                               "--lr",
                                               "--seed",
                                               "--train-limit",
                                               "--sigma-train",
                                               "--beta",
                                               "--kl-warmup",
                                               "--l1",
                                               "--eval-images",
                                               "--norm",
                                               "--conv-bias",
                                               "--latent-activation",
                                               "--depth",
                                               "--width"};
    return f;
}

// 4. Ctrl-C ------------------------------------------------------------------------------------------------
namespace {
std::atomic<bool> g_stop{false};
extern "C" void on_sigint(int) {
    g_stop.store(true);
    std::signal(SIGINT, SIG_DFL);
}
}  // namespace

const std::atomic<bool>& stop_on_sigint() {
    std::signal(SIGINT, on_sigint);
    return g_stop;
}

}  // namespace strata::cmd
