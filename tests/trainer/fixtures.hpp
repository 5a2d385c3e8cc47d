// fixtures.hpp: shared helpers of the LibTorch trainer tests.
//
// Index: 1. temporary folders  2. a tiny IDX dataset  3. tiny trained runs (trained once per process)
#pragma once
#include "compare.hpp"
#include "error_of.hpp"
#include "train.hpp"

#include <string>
#include <vector>

namespace fixtures {

// 1. A fresh folder under /tmp.
std::string temp_dir(const std::string& tag);

// 2. A folder with the first 256 training and 64 test images of Fashion-MNIST as plain IDX files.
const std::string& tiny_data();

// A config for a quick run on tiny_data(): batch 32, 1 thread, no progress bar.
strata::train::TrainConfig tiny_config(const std::string& kind, const std::string& out, int epochs);

// 3. Folders of a trained and exported tiny run (1 epoch), built on first use.
const std::string& tiny_run(const std::string& kind);

// The first `count` test images of tiny_data() as floats.
std::vector<float> test_images(std::size_t count);

}  // namespace fixtures
