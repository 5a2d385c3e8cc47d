// torch_main.cpp: `strata-torch`, the subcommands of `strata` that need LibTorch (dispatch.hpp).
//
// `strata train ...` execs `strata-torch train ...`; run directly it behaves the same way.
#include "commands.hpp"
#include "dispatch.hpp"

#include <cstdio>
#include <cstring>

namespace {

using strata::cmd::Command;

const Command kCommands[] = {
    {"train", strata::cmd::train, ""},
    {"export", strata::cmd::export_onnx, ""},
    {"characterize", strata::cmd::characterize, ""},
    {"publish", strata::cmd::publish, ""},
    {"sweep", strata::cmd::sweep, ""},
};

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 2)
        for (const Command& c : kCommands)
            if (!std::strcmp(argv[1], c.name)) return strata::cmd::run_command(c, argc, argv);
    std::fprintf(stderr,
                 "strata-torch: runs `strata train`, `export`, `characterize`, `publish` and `sweep` for strata; "
                 "see `strata --help`\n");
    return 2;
}
