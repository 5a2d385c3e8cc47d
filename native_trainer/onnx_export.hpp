// onnx_export.hpp: a trained NetworkSpec as two checked ONNX files (torch-free; Debian's libonnx).
//
// Index: 1. batch-norm folding  2. building the graphs  3. checking  4. writing a run's files
//
// LibTorch has no C++ exporter, so the graphs are written directly with ONNX's protobuf classes:
// ir_version 8, opset 13, a symbolic batch dimension "N", batch norm folded into the convolutions
// (in double precision), one initializer per weight and bias (a convolution without a bias, after
// --conv-bias off, has no bias input). The op set is Conv, ConvTranspose, Relu, LeakyRelu (alpha
// 0.01) and Sigmoid; onnx_runner.cpp executes exactly these (and a few more).
//   encoder.onnx  x [N,1,28,28] -> z [N,64,7,7]                (cae, dae, sparse)
//                 x [N,1,28,28] -> mu, logvar [N,64,7,7]      (vae, beta-vae)
//   decoder.onnx  z [N,64,7,7]  -> x_hat [N,1,28,28]
#pragma once
#include "network.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace strata::train {

// 1. Folds a layer's batch norm into its weight and bias (no-op without batch norm): for Conv
// (weight [out, in, k, k]) output channel o is dim 0, for ConvTranspose ([in, out, k, k]) dim 1.
LayerSpec fold_batch_norm(const LayerSpec& layer);

// 2. Serialised ModelProtos; `name` goes into the graph name and metadata.
std::string encoder_onnx_bytes(const NetworkSpec& net);
std::string decoder_onnx_bytes(const NetworkSpec& net);

// 3. Runs onnx::checker::check_model and strict shape inference on serialised bytes; throws
// strata::Error naming `name` and the checker's message.
void check_onnx_bytes(const std::string& bytes, const std::string& name);

// 4. Writes DIR/encoder.onnx, DIR/decoder.onnx (checked first) and DIR/model.json, atomically together.
// model.json names the kind and the architecture switches (depth resolved), in the core's model.json
// format (model_plan.hpp), so characterize, publish and the page read them beside the files.
void write_onnx_files(const NetworkSpec& net, const std::string& dir);
std::string model_json_text(const NetworkSpec& net);

}  // namespace strata::train
