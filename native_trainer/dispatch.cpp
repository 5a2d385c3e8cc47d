// dispatch.cpp: run_command and exec_torch_program (dispatch.hpp).
#include "dispatch.hpp"

#include "error.hpp"

#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

namespace strata::cmd {

int run_command(const Command& c, int argc, char** argv) {
    std::signal(SIGXFSZ, SIG_IGN);
    try {
        return c.run(Args(argv + 2, argv + argc));
    } catch (const Error& e) {
        std::fprintf(stderr, "strata %s: error: %s\n", c.name, e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "strata %s: internal error: %s\n", c.name, e.what());
        return 3;
    }
}

int exec_torch_program(int argc, char** argv) {
    // The folder of this executable, not of argv[0] (which may be a bare name found on PATH).
    std::vector<char> buf(4096);
    const ssize_t len = readlink("/proc/self/exe", buf.data(), buf.size() - 1);
    std::string path = len > 0 ? std::string(buf.data(), std::size_t(len)) : std::string();
    const std::size_t slash = path.rfind('/');
    if (slash == std::string::npos) {
        std::fprintf(stderr, "strata %s: error: cannot find this program's folder (/proc/self/exe) to run %s\n",
                     argv[1], kTorchProgram);
        return 1;
    }
    path = path.substr(0, slash + 1) + kTorchProgram;
    std::vector<char*> args(argv, argv + argc);
    args[0] = path.data();
    args.push_back(nullptr);
    std::fflush(nullptr);
    execv(path.c_str(), args.data());
    const int err = errno;
    std::fprintf(stderr,
                 "strata %s: error: this command runs in %s (the LibTorch part of strata), which cannot be started: %s "
                 "(build it with `cmake --build build/native --target strata-torch`)\n",
                 argv[1], path.c_str(), std::strerror(err));
    return 1;
}

}  // namespace strata::cmd
