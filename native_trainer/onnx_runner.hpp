// onnx_runner.hpp: runs an ONNX file natively, node by node, with LibTorch ops (torch-free API).
//
// Index: 1. FloatTensor  2. OnnxModel (load + validate, run)
//
// Why: `strata characterize` must compute latents from exactly the files the page runs in ONNX
// Runtime Web, and Debian has no ONNX Runtime. The files are small feed-forward graphs, so an
// interpreter over the op set our exporter emits is enough: Conv, ConvTranspose, Relu, Sigmoid,
// plus what torch.onnx.export writes for common convolutional autoencoders in eval mode
// (LeakyRelu, BatchNormalization, ConvTranspose's output_padding, Identity, nn.Upsample's Resize
// by scales, nearest or bilinear, with its Constant) and Add, Mul, Exp, Tanh (a sampling step or
// a residual). Float32 tensors only. Loading validates everything before running:
// protobuf parse, onnx::checker, supported ops and attributes; each failure throws strata::Error
// naming the file.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace onnx {
class ModelProto;
}

namespace strata::onnxrt {

// 1. A dense float32 tensor in C order -------------------------------------------------------------
struct FloatTensor {
    std::vector<std::int64_t> shape;
    std::vector<float> data;
};

// 2. A loaded model ---------------------------------------------------------------------------------
class OnnxModel {
public:
    static OnnxModel load(const std::string& path);
    static OnnxModel from_bytes(const std::string& bytes, const std::string& name);
    OnnxModel(OnnxModel&&) noexcept;
    OnnxModel& operator=(OnnxModel&&) noexcept;
    ~OnnxModel();

    const std::string& name() const;
    const std::vector<std::string>& input_names() const;  // graph inputs that are not initializers
    const std::vector<std::string>& output_names() const;
    std::string metadata(const std::string& key) const;  // "" when absent (e.g. "kind")

    // Runs the graph. Inputs by name; returns every graph output by name. Throws strata::Error on a
    // missing input or a shape the graph cannot take (naming the node).
    std::map<std::string, FloatTensor> run(const std::map<std::string, FloatTensor>& inputs) const;

private:
    OnnxModel();
    static OnnxModel from_checked(const onnx::ModelProto& m, const std::string& name);
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace strata::onnxrt

namespace strata::onnxrt {
// LibTorch's intra-op threads for run() (LibTorch starts with 1 here).
void set_threads(int threads);
// The most elements any one tensor may have (initializers at load; a node's output and a
// convolution's unfolded input at run time, checked before LibTorch allocates): default 2^28
// (1 GiB of float32), far above the largest tensor of `characterize` (batches of 100: 100 x 32 x
// 14 x 14); the fuzz target lowers it.
void set_tensor_limit(std::int64_t elements);
}  // namespace strata::onnxrt
