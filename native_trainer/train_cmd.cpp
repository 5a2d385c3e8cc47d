// train_cmd.cpp: `strata train`. Index: 1. flags  2. Ctrl-C  3. the command
#include "args.hpp"
#include "commands.hpp"
#include "error.hpp"
#include "fileio.hpp"
#include "train.hpp"

#include <csignal>
#include <cstdio>

namespace strata::cmd {
namespace {

// 1. Flags -----------------------------------------------------------------------------------------
std::vector<FlagSpec> train_flags() {
    return {
        {"--kind", "cae | dae | vae | beta-vae | sparse (default cae)"},
        {"--out", "run folder: config.json, checkpoint.pt, training_log.json (required)"},
        {"--config", "JSON file with the same keys as DIR/config.json; flags override it"},
        {"--data",
         "images: an IDX folder (train and test splits, plain or .gz; default Debian's Fashion-MNIST), or a "
         "folder of PNG/JPEG, a .npy or an IDX file (the last tenth evaluates; docs/images.md)"},
        {"--input", "CxHxW of the network's images (default 1x28x28); --data is converted to it"},
        {"--latent", "CxHxW of the latent (default 64 x H/4 x W/4); H/H' = W/W' a power of two"},
        {"--epochs", "epochs (default 5)"},
        {"--batch", "batch size (default 128)"},
        {"--lr", "Adam learning rate (default 1e-3)"},
        {"--seed", "seed of weights, batch order and noise (default 1)"},
        {"--threads", "LibTorch threads (default 2); results are bit-identical per thread count"},
        {"--train-limit", "use only the first N training images (default all)"},
        {"--eval-images", "first N test images for the PSNR after each epoch (default 1000)"},
        {"--sigma-train", "DAE input noise std (default: the kind's, 0.1 for dae)"},
        {"--beta", "KL weight of variational kinds (default: the kind's)"},
        {"--kl-warmup", "epochs over which the KL weight ramps up (default: the kind's)"},
        {"--l1", "L1 weight on the latent (default: the kind's, 1e-3 for sparse)"},
        {"--resume", "continue DIR/checkpoint.pt with DIR/config.json (--epochs may extend it)", true},
        {"--quiet", "no progress bar", true},
    };
}

// 2. Ctrl-C: the first one asks the loop to save and stop; a second one kills as usual.
std::atomic<bool> g_stop{false};
extern "C" void on_sigint(int) {
    g_stop.store(true);
    std::signal(SIGINT, SIG_DFL);
}

}  // namespace

// 3. The command ------------------------------------------------------------------------------------
int train(const Args& args) {
    ArgParser p(args, train_flags());
    if (p.help_requested()) {
        std::fputs(p.help_text("strata train --kind KIND --out DIR [options]").c_str(), stdout);
        return 0;
    }
    const std::string out = p.required("--out");
    const bool resume = p.has("--resume");
    train::TrainConfig c;
    if (resume) {
        c = train::read_run_config(out);
        for (const char* f : {"--kind", "--config", "--data", "--input", "--latent", "--batch", "--lr", "--seed",
                              "--train-limit", "--sigma-train", "--beta", "--kl-warmup", "--l1", "--eval-images"})
            if (p.has(f)) throw Error(std::string(f) + " cannot change on --resume (the run's config.json is used)");
        c.epochs = int(p.integer("--epochs", c.epochs));
        const int threads = int(p.integer("--threads", c.threads));
        if (threads != c.threads)
            std::fprintf(stderr,
                         "strata train: warning: resuming with %d threads instead of %d; the weights will "
                         "not be bit-identical to an uninterrupted run\n",
                         threads, c.threads);
        c.threads = threads;
    } else {
        if (auto cfg = p.get("--config")) {
            const auto bytes = read_file(*cfg);
            nlohmann::json j;
            try {
                j = nlohmann::json::parse(bytes.begin(), bytes.end());
            } catch (const nlohmann::json::exception& e) { throw Error(*cfg + ": " + e.what()); }
            c = train::config_from_json(j, *cfg);
        }
        c.kind = p.text("--kind", c.kind);
        c.data = p.text("--data", c.data);
        if (auto v = p.get("--input")) c.input = train::parse_shape(*v, "--input");
        if (auto v = p.get("--latent")) c.latent = train::parse_shape(*v, "--latent");
        c.epochs = int(p.integer("--epochs", c.epochs));
        c.batch = int(p.integer("--batch", c.batch));
        c.lr = p.number("--lr", c.lr);
        c.seed = std::uint64_t(p.integer("--seed", long(c.seed)));
        c.threads = int(p.integer("--threads", c.threads));
        c.train_limit = std::size_t(p.integer("--train-limit", long(c.train_limit)));
        c.eval_images = std::size_t(p.integer("--eval-images", long(c.eval_images)));
        c.sigma_train = p.number("--sigma-train", c.sigma_train);
        c.beta = p.number("--beta", c.beta);
        c.kl_warmup_epochs = p.number("--kl-warmup", c.kl_warmup_epochs);
        c.l1 = p.number("--l1", c.l1);
    }
    c.out = out;
    c.progress = !p.has("--quiet");
    train::resolve_recipe(c);  // validate before loading data

    std::signal(SIGINT, on_sigint);
    const train::TrainResult r = train::run_training(c, resume, &g_stop);
    std::signal(SIGINT, SIG_DFL);
    if (r.interrupted) return 130;
    if (!r.history.empty()) {
        const auto& last = r.history.back();
        std::printf("%s: %d epochs, final loss %.6g, clean test PSNR %.2f dB -> %s/checkpoint.pt\n", c.kind.c_str(),
                    last.epoch, last.loss, last.test_psnr, out.c_str());
    }
    return 0;
}

}  // namespace strata::cmd
