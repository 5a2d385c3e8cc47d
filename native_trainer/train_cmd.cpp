// train_cmd.cpp: `strata train`. Index: 1. flags  2. the command
#include "args.hpp"
#include "commands.hpp"
#include "error.hpp"
#include "fileio.hpp"
#include "train.hpp"
#include "train_flags.hpp"

#include <csignal>
#include <cstdio>

namespace strata::cmd {
namespace {

// 1. Flags -----------------------------------------------------------------------------------------
std::vector<FlagSpec> train_flags() {
    std::vector<FlagSpec> f = {
        {"--kind", "cae | dae | vae | beta-vae | sparse (default cae)"},
        {"--out", "run folder: config.json, checkpoint.pt, training_log.json (required)"},
        {"--config", "JSON file with the same keys as DIR/config.json; flags override it"},
        {"--seed", "seed of weights, batch order and noise (default 1)"},
    };
    for (FlagSpec& s : train_setting_flags()) f.push_back(s);
    f.push_back({"--resume", "continue DIR/checkpoint.pt with DIR/config.json (--epochs may extend it)", true});
    f.push_back({"--quiet", "no progress bar", true});
    return f;
}

}  // namespace

// 2. The command ------------------------------------------------------------------------------------
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
        for (const std::string& f : flags_fixed_on_resume())
            if (p.has(f)) throw Error(f + " cannot change on --resume (the run's config.json is used)");
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
        c.seed = std::uint64_t(p.integer("--seed", long(c.seed)));
        apply_train_flags(p, c);
    }
    c.out = out;
    c.progress = !p.has("--quiet");
    train::resolve_recipe(c);  // validate before loading data

    const std::atomic<bool>& stop = stop_on_sigint();
    const train::TrainResult r = train::run_training(c, resume, &stop);
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
