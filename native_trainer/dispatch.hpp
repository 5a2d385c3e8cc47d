// dispatch.hpp: running one subcommand of `strata` as a process (shared by its two programs).
//
// Index: 1. Command  2. run_command  3. the LibTorch program beside this one
//
// `strata` itself links no LibTorch, so `strata geometry` and `strata --help` start at once. The
// commands that need LibTorch (train, export, characterize, publish: characterize and publish run
// or check the ONNX files with onnx_runner, which uses LibTorch ops and libonnx) live in a second
// program, `strata-torch`, in the same folder; `strata` replaces itself with it (execv: the same
// process id, arguments, streams and signals), so `strata train ...` behaves as before.
#pragma once
#include "commands.hpp"

namespace strata::cmd {

// 1. One subcommand: `run` is null when it runs in strata-torch --------------------------------------
struct Command {
    const char* name;
    int (*run)(const Args&);
    const char* summary;
};

// 2. Runs `c` on argv[2..argc) and returns the exit code: a strata::Error is printed as
// "strata NAME: error: ..." (1), any other exception as an internal error (3). A file-size limit
// (ulimit -f) makes write() fail with EFBIG instead of killing the process with SIGXFSZ, so
// write_file_atomic removes its temporary file and reports the error.
int run_command(const Command& c, int argc, char** argv);

// 3. Replaces this process with kTorchProgram (found beside /proc/self/exe) running
// `argv[1] argv[2..]`. Returns only on failure, with exit code 1 after a message naming the path.
constexpr const char* kTorchProgram = "strata-torch";
int exec_torch_program(int argc, char** argv);

}  // namespace strata::cmd
