// train_flags.hpp: the flags that set a training run's TrainConfig, shared by `strata train` and
// `strata sweep` (torch-free).
//
// Index: 1. the flags  2. applying them  3. what --resume keeps  4. Ctrl-C
#pragma once
#include "args.hpp"
#include "config.hpp"

#include <atomic>
#include <string>
#include <vector>

namespace strata::cmd {

// 1. --data --input --latent --norm --conv-bias --latent-activation --depth --width --epochs --batch
// --lr --threads --train-limit --eval-images --sigma-train --beta --kl-warmup --l1 (not --kind,
// --seed, --out: the caller has its own).
std::vector<FlagSpec> train_setting_flags();

// 2. Overrides the fields of `c` whose flags are given (values checked by train::resolve_recipe).
void apply_train_flags(const ArgParser& p, train::TrainConfig& c);

// 3. The flags a resumed run cannot change (its config.json holds them).
const std::vector<std::string>& flags_fixed_on_resume();

// 4. Installs the SIGINT handler and returns its flag (for train::run_training's `stop`): the first
// Ctrl-C sets it, so training saves a checkpoint and returns; a second one kills as usual.
const std::atomic<bool>& stop_on_sigint();

}  // namespace strata::cmd
