// main.cpp: `strata`, a thin dispatcher over the subcommands in commands.hpp.
#include "commands.hpp"
#include "error.hpp"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

namespace {

struct Command {
    const char* name;
    int (*run)(const strata::cmd::Args&);
    const char* summary;
};

const Command kCommands[] = {
    {"geometry", strata::cmd::geometry, "analyse latent tensors from .npy files"},
#ifdef STRATA_HAVE_TRAINER
    {"train", strata::cmd::train, "train an autoencoder (cae, dae, vae, beta-vae, sparse)"},
    {"export", strata::cmd::export_onnx, "export a trained model to encoder.onnx and decoder.onnx"},
    {"characterize", strata::cmd::characterize, "run the paper's study on trained models"},
    {"publish", strata::cmd::publish, "write a static site of your models and images for the page"},
#endif
};

void usage(std::FILE* out) {
    std::fprintf(out, "usage: strata <command> [options]   (strata <command> --help for its options)\n\ncommands:\n");
    for (const Command& c : kCommands) std::fprintf(out, "  %-14s %s\n", c.name, c.summary);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    // A file-size limit (ulimit -f) makes write() fail with EFBIG instead of killing the process
    // with SIGXFSZ, so write_file_atomic removes its temporary file and reports the error.
    std::signal(SIGXFSZ, SIG_IGN);
    for (const Command& c : kCommands) {
        if (std::strcmp(argv[1], c.name) != 0) continue;
        try {
            return c.run(strata::cmd::Args(argv + 2, argv + argc));
        } catch (const strata::Error& e) {
            std::fprintf(stderr, "strata %s: error: %s\n", c.name, e.what());
            return 1;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "strata %s: internal error: %s\n", c.name, e.what());
            return 3;
        }
    }
    std::fprintf(stderr, "strata: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
