// main.cpp: `strata`, a thin dispatcher over the subcommands in commands.hpp.
//
// This program links no LibTorch: `geometry` runs here; train, export, characterize, publish and sweep
// run in strata-torch beside it (dispatch.hpp), which this process becomes with execv.
#include "commands.hpp"
#include "dispatch.hpp"

#include <cstdio>
#include <cstring>

namespace {

using strata::cmd::Command;

const Command kCommands[] = {
    {"geometry", strata::cmd::geometry, "analyse latent tensors from .npy files"},
#ifdef STRATA_HAVE_TRAINER
    {"train", nullptr, "train an autoencoder (cae, dae, vae, beta-vae, sparse)"},
    {"export", nullptr, "export a trained model to encoder.onnx and decoder.onnx"},
    {"characterize", nullptr, "run the paper's study on trained models"},
    {"publish", nullptr, "write a static site of your models and images for the page"},
    {"sweep", nullptr, "train, characterize and aggregate a grid of kinds x switches x seeds"},
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
    for (const Command& c : kCommands) {
        if (std::strcmp(argv[1], c.name) != 0) continue;
        return c.run ? strata::cmd::run_command(c, argc, argv) : strata::cmd::exec_torch_program(argc, argv);
    }
    std::fprintf(stderr, "strata: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
