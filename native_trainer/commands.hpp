// commands.hpp: the subcommands of `strata`, one function each, called by main.cpp.
//
// Each takes the arguments after its name and returns the process exit code. Errors the user can
// cause are thrown as strata::Error and printed by main() as one line.
#pragma once
#include <string>
#include <vector>

namespace strata::cmd {

using Args = std::vector<std::string>;

int geometry(const Args& args);  // geometry_cmd.cpp
#ifdef STRATA_HAVE_TRAINER
int train(const Args& args);         // train_cmd.cpp
int export_onnx(const Args& args);   // export_cmd.cpp
int characterize(const Args& args);  // characterize_cmd.cpp
int publish(const Args& args);       // publish_cmd.cpp
int sweep(const Args& args);         // sweep_cmd.cpp
#endif

}  // namespace strata::cmd
