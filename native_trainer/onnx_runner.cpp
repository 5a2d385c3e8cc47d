// onnx_runner.cpp: the ONNX interpreter. Index: 1. loading and validation  2. the ops  3. running
//
// A file is untrusted input (fuzz/fuzz_onnx.cpp feeds it arbitrary bytes): every failure, at load
// or run time, is a strata::Error naming the file; nothing else escapes (no c10::Error, no
// std::out_of_range), and no node may allocate more than the tensor limit (set_tensor_limit).
#include "onnx_runner.hpp"

#include "error.hpp"
#include "fileio.hpp"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <set>

namespace strata::onnxrt {

struct Node {
    std::string name, op;
    std::vector<std::string> inputs, outputs;
    std::vector<std::int64_t> strides{1, 1}, pads{0, 0}, dilations{1, 1}, output_padding{0, 0};
    std::int64_t group = 1;
    double alpha = 0.01;    // LeakyRelu's slope for x < 0
    double epsilon = 1e-5;  // BatchNormalization's variance offset
    // Resize: ONNX's defaults; which combinations run is checked at load.
    std::string mode = "nearest", coordinates = "half_pixel", nearest_mode = "round_prefer_floor";
    torch::Tensor value;  // Constant's tensor
};

struct OnnxModel::Impl {
    std::string name;
    std::vector<std::string> inputs, outputs;
    std::map<std::string, std::string> metadata;
    std::map<std::string, torch::Tensor> initializers;
    std::vector<Node> nodes;
};

OnnxModel::OnnxModel() : impl_(std::make_unique<Impl>()) {}
OnnxModel::OnnxModel(OnnxModel&&) noexcept = default;
OnnxModel& OnnxModel::operator=(OnnxModel&&) noexcept = default;
OnnxModel::~OnnxModel() = default;
const std::string& OnnxModel::name() const { return impl_->name; }
const std::vector<std::string>& OnnxModel::input_names() const { return impl_->inputs; }
const std::vector<std::string>& OnnxModel::output_names() const { return impl_->outputs; }
std::string OnnxModel::metadata(const std::string& key) const {
    auto it = impl_->metadata.find(key);
    return it == impl_->metadata.end() ? "" : it->second;
}

// 1. Loading and validation ------------------------------------------------------------------------
namespace {

// The most elements one tensor (a node's output, an initializer, a convolution's unfolded input)
// may have; see set_tensor_limit.
std::atomic<std::int64_t> g_tensor_limit{std::int64_t(1) << 28};

// Attribute bounds: far beyond any real model of this size, small enough that no size computation
// (ours or LibTorch's) can overflow.
constexpr std::int64_t kMaxStride = 1 << 12, kMaxPad = 1 << 12, kMaxGroup = 1 << 16;

const std::set<std::string> kSupported = {
    "Conv", "ConvTranspose", "Relu",     "LeakyRelu", "Sigmoid",           "Tanh", "Add", "Mul",
    "Exp",  "Identity",      "Constant", "Resize",    "BatchNormalization"};

torch::Tensor initializer_tensor(const onnx::TensorProto& t, const std::string& file) {
    if (t.data_type() != onnx::TensorProto::FLOAT)
        throw Error(file + ": initializer '" + t.name() + "' is not float32 (only float32 models are supported)");
    if (t.has_data_location() && t.data_location() == onnx::TensorProto::EXTERNAL)
        throw Error(file + ": initializer '" + t.name() + "' uses external data (not supported)");
    std::vector<std::int64_t> dims(t.dims().begin(), t.dims().end());
    // Checked product: negative or huge dimensions are errors, not a wrapped (undefined) count.
    std::int64_t count = 1;
    bool zero = false;
    for (auto d : dims) {
        if (d < 0)
            throw Error(file + ": initializer '" + t.name() + "' has a negative dimension (" + std::to_string(d) + ")");
        zero = zero || d == 0;
        if (d > g_tensor_limit.load() || (!zero && count > g_tensor_limit.load() / d))
            throw Error(file + ": initializer '" + t.name() + "' is too large (more than " +
                        std::to_string(g_tensor_limit.load()) + " values)");
        count *= d;
    }
    torch::Tensor out = torch::empty(dims, torch::kFloat32);
    if (!t.raw_data().empty()) {
        if (std::int64_t(t.raw_data().size()) != count * 4)
            throw Error(file + ": initializer '" + t.name() + "' has " + std::to_string(t.raw_data().size()) +
                        " bytes, its shape needs " + std::to_string(count * 4));
        if (count > 0) std::memcpy(out.data_ptr<float>(), t.raw_data().data(), t.raw_data().size());
    } else {
        if (t.float_data_size() != count)
            throw Error(file + ": initializer '" + t.name() + "' has the wrong number of values");
        // An empty tensor has no storage (a null data pointer, which memcpy must not be given even
        // for 0 bytes: fuzz/regressions/onnx/empty-initializer-*).
        if (count > 0) std::memcpy(out.data_ptr<float>(), t.float_data().data(), std::size_t(count) * 4);
    }
    return out;
}

std::vector<std::int64_t> ints(const onnx::AttributeProto& a) { return {a.ints().begin(), a.ints().end()}; }

Node parse_node(const onnx::NodeProto& n, const std::string& file) {
    Node node;
    node.name = n.name().empty() ? n.op_type() : n.name();
    node.op = n.op_type();
    if (!n.domain().empty() && n.domain() != "ai.onnx")
        throw Error(file + ": node '" + node.name + "' is from domain '" + n.domain() +
                    "' (only the default ONNX domain is supported)");
    if (!kSupported.count(node.op)) {
        std::string list;
        for (const auto& s : kSupported) list += (list.empty() ? "" : ", ") + s;
        throw Error(file + ": unsupported op '" + node.op + "' in node '" + node.name + "' (supported: " + list + ")");
    }
    node.inputs.assign(n.input().begin(), n.input().end());
    node.outputs.assign(n.output().begin(), n.output().end());
    const bool conv = node.op == "Conv" || node.op == "ConvTranspose";
    const bool bn = node.op == "BatchNormalization", resize = node.op == "Resize";
    const std::size_t arity = node.op == "Constant"                    ? 0
                              : conv                                   ? 2
                              : bn                                     ? 5
                              : resize                                 ? 3
                              : (node.op == "Add" || node.op == "Mul") ? 2
                                                                       : 1;
    if (node.inputs.size() < arity || node.inputs.size() > (conv ? 3u : arity))
        throw Error(file + ": node '" + node.name + "' (" + node.op + ") has " + std::to_string(node.inputs.size()) +
                    " inputs, expected " + std::to_string(arity) + (conv ? " or 3" : "") +
                    (resize ? " (Resize runs by scales; export with scale_factor rather than size)" : ""));
    for (std::size_t i = 0; i < node.inputs.size(); ++i)
        // Optional: a convolution's bias; Resize's roi (unused by the modes that run).
        if (node.inputs[i].empty() && !(conv && i == 2) && !(resize && i == 1))
            throw Error(
                file + ": node '" + node.name + "' leaves out its required input " + std::to_string(i + 1) +
                (resize && i == 2 ? " (Resize runs by scales; export with scale_factor rather than size)" : ""));
    if (node.outputs.size() != 1 || node.outputs[0].empty())
        throw Error(file + ": node '" + node.name + "' must have exactly one named output");
    for (const auto& a : n.attribute()) {
        const std::string& k = a.name();
        if (k == "strides" && conv) node.strides = ints(a);
        else if (k == "dilations" && conv) node.dilations = ints(a);
        else if (k == "group" && conv) node.group = a.i();
        else if (k == "output_padding" && node.op == "ConvTranspose") node.output_padding = ints(a);
        else if (k == "alpha" && node.op == "LeakyRelu") node.alpha = a.f();
        else if (k == "value" && node.op == "Constant") node.value = initializer_tensor(a.t(), file);
        else if (k == "mode" && resize) node.mode = a.s();
        else if (k == "coordinate_transformation_mode" && resize) node.coordinates = a.s();
        else if (k == "nearest_mode" && resize) node.nearest_mode = a.s();
        else if ((k == "cubic_coeff_a" || k == "extrapolation_value") && resize) {
        }  // used by modes that do not run here
        else if (k == "exclude_outside" && resize) {
            if (a.i() != 0)
                throw Error(file + ": node '" + node.name + "': Resize with exclude_outside is not supported");
        } else if (k == "epsilon" && bn) node.epsilon = a.f();
        else if (k == "momentum" && bn) {
        }  // used in training only
        else if (k == "training_mode" && bn) {
            if (a.i() != 0)
                throw Error(file + ": node '" + node.name +
                            "': BatchNormalization in training mode (export the model in eval mode)");
        } else if (k == "kernel_shape" && conv) {
        }  // implied by the weight
        else if (k == "pads" && conv) {
            auto p = ints(a);
            if (p.size() != 4 || p[0] != p[2] || p[1] != p[3])
                throw Error(file + ": node '" + node.name + "': only symmetric 2-D pads are supported");
            node.pads = {p[0], p[1]};
        } else if (k == "auto_pad" && conv) {
            if (a.s() != "NOTSET")
                throw Error(file + ": node '" + node.name + "': auto_pad " + a.s() + " is not supported");
        } else {
            throw Error(file + ": node '" + node.name + "': attribute '" + k + "' of " + node.op + " is not supported");
        }
    }
    auto in_range = [&](const char* what, const std::vector<std::int64_t>& v, std::int64_t lo, std::int64_t hi) {
        if (v.size() != 2) throw Error(file + ": node '" + node.name + "': " + what + " must have 2 values (2-D only)");
        for (auto x : v)
            if (x < lo || x > hi)
                throw Error(file + ": node '" + node.name + "': " + what + " " + std::to_string(x) + " is outside [" +
                            std::to_string(lo) + ", " + std::to_string(hi) + "]");
    };
    in_range("strides", node.strides, 1, kMaxStride);
    in_range("dilations", node.dilations, 1, kMaxStride);
    in_range("pads", node.pads, 0, kMaxPad);
    in_range("output_padding", node.output_padding, 0, kMaxStride);
    for (int d = 0; d < 2; ++d)
        if (node.output_padding[d] >= node.strides[d] && node.output_padding[d] >= node.dilations[d])
            throw Error(file + ": node '" + node.name +
                        "': output_padding must be smaller than the stride or the dilation");
    if (node.op == "Constant" && !node.value.defined())
        throw Error(file + ": node '" + node.name + "': a Constant without a float32 'value' tensor");
    // The two Resize forms torch.onnx.export writes for nn.Upsample: nearest, and bilinear.
    const bool nearest = node.mode == "nearest" && node.coordinates == "asymmetric" && node.nearest_mode == "floor";
    const bool linear =
        node.mode == "linear" && (node.coordinates == "half_pixel" || node.coordinates == "pytorch_half_pixel" ||
                                  node.coordinates == "align_corners");
    if (resize && !nearest && !linear)
        throw Error(file + ": node '" + node.name + "': Resize with mode " + node.mode +
                    ", coordinate_transformation_mode " + node.coordinates + " and nearest_mode " + node.nearest_mode +
                    " is not supported (nearest/asymmetric/floor and linear/half_pixel are)");
    if (!std::isfinite(node.alpha) || !(node.epsilon >= 0 && node.epsilon < 1))
        throw Error(file + ": node '" + node.name + "': alpha or epsilon is not a sensible number");
    if (node.group < 1 || node.group > kMaxGroup)
        throw Error(file + ": node '" + node.name + "': group " + std::to_string(node.group) + " is outside [1, " +
                    std::to_string(kMaxGroup) + "]");
    return node;
}

}  // namespace

OnnxModel OnnxModel::load(const std::string& path) {
    const auto bytes = cmd::read_file(path);
    return from_bytes(std::string(bytes.begin(), bytes.end()), path);
}

OnnxModel OnnxModel::from_bytes(const std::string& bytes, const std::string& file) {
    onnx::ModelProto m;
    if (bytes.empty() || !m.ParseFromString(bytes))
        throw Error(file + ": not a valid ONNX file (corrupt or truncated protobuf)");
    try {
        onnx::checker::check_model(m);
    } catch (const std::exception& e) { throw Error(file + ": fails the ONNX checker: " + e.what()); }
    try {
        return from_checked(m, file);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {  // e.g. a c10::Error of LibTorch: still the file's error
        throw Error(file + ": cannot load: " + std::string(e.what()).substr(0, 300));
    }
}

OnnxModel OnnxModel::from_checked(const onnx::ModelProto& m, const std::string& file) {
    OnnxModel model;
    Impl& im = *model.impl_;
    im.name = file;
    for (const auto& p : m.metadata_props()) im.metadata[p.key()] = p.value();
    const auto& g = m.graph();
    for (const auto& t : g.initializer()) im.initializers[t.name()] = initializer_tensor(t, file);
    for (const auto& v : g.input())
        if (!im.initializers.count(v.name())) im.inputs.push_back(v.name());
    for (const auto& v : g.output()) im.outputs.push_back(v.name());
    for (const auto& n : g.node()) im.nodes.push_back(parse_node(n, file));
    // Every name read must exist by then, and every graph output must be produced (the checker
    // does not insist on the latter: fuzz/regressions/onnx/output-not-produced-*).
    std::set<std::string> known(im.inputs.begin(), im.inputs.end());
    for (const auto& [name, t] : im.initializers) known.insert(name);
    for (const Node& n : im.nodes) {
        for (const std::string& i : n.inputs)
            if (!i.empty() && !known.count(i))
                throw Error(file + ": node '" + n.name + "' reads '" + i + "', which nothing before it produces");
        known.insert(n.outputs[0]);
    }
    for (const std::string& o : im.outputs)
        if (!known.count(o)) throw Error(file + ": graph output '" + o + "' is produced by no node");
    return model;
}

// 2. The ops ---------------------------------------------------------------------------------------------
namespace {

// Throws when a tensor of `elements` values (computed in double, so it cannot overflow) would
// exceed the tensor limit.
void check_size(const Node& n, const char* what, double elements) {
    if (elements > double(g_tensor_limit.load())) {
        char count[32];
        std::snprintf(count, sizeof count, "%.0f", elements);
        throw Error("node '" + n.name + "' (" + n.op + "): its " + what + " would have " + count +
                    " values, more than the limit of " + std::to_string(g_tensor_limit.load()));
    }
}

torch::Tensor run_node(const Node& n, const std::vector<torch::Tensor>& in) {
    auto need = [&](std::size_t k) {
        if (in.size() < k) throw Error("node '" + n.name + "' (" + n.op + ") needs " + std::to_string(k) + " inputs");
    };
    if (n.op == "Conv" || n.op == "ConvTranspose") {
        need(2);
        if (in[0].dim() != 4)
            throw Error("node '" + n.name + "': expected a 4-D input, got " + std::to_string(in[0].dim()) + "-D");
        if (in[1].dim() != 4)
            throw Error("node '" + n.name + "': expected a 4-D weight, got " + std::to_string(in[1].dim()) + "-D");
        // Output and unfolded-input sizes before LibTorch allocates them (strides, pads and
        // dilations are bounded at load, so a bad file cannot ask for terabytes).
        const bool conv = n.op == "Conv";
        const auto x = in[0].sizes(), w = in[1].sizes();
        const double channels_out = conv ? double(w[0]) : double(w[1]) * double(n.group);
        double out = double(x[0]) * channels_out,
               cols = double(conv ? x[1] : channels_out) * double(w[2]) * double(w[3]);
        for (int d = 0; d < 2; ++d) {
            const double size = double(x[2 + d]), k = double(w[2 + d]), s = double(n.strides[d]), p = double(n.pads[d]),
                         dil = double(n.dilations[d]);
            const double o = conv ? std::floor((size + 2 * p - dil * (k - 1) - 1) / s) + 1
                                  : (size - 1) * s - 2 * p + dil * (k - 1) + 1 + double(n.output_padding[d]);
            if (o < 1)
                throw Error("node '" + n.name + "' (" + n.op +
                            "): the output would be empty (kernel larger than the padded input?)");
            out *= o;
            cols *= conv ? o : size;
        }
        check_size(n, "output", out);
        check_size(n, "unfolded input", cols);
        const torch::Tensor bias = in.size() > 2 ? in[2] : torch::Tensor();
        if (n.op == "Conv") return torch::conv2d(in[0], in[1], bias, n.strides, n.pads, n.dilations, n.group);
        return torch::conv_transpose2d(in[0], in[1], bias, n.strides, n.pads, n.output_padding, n.group, n.dilations);
    }
    if (n.op == "BatchNormalization") {
        // Inference form: y = (x - mean) / sqrt(var + epsilon) * scale + B, per channel (dimension 1).
        need(5);
        if (in[0].dim() < 2) throw Error("node '" + n.name + "': expected an input N x C x ...");
        for (int i = 1; i < 5; ++i)
            if (in[i].dim() != 1 || in[i].size(0) != in[0].size(1))
                throw Error("node '" + n.name + "': scale, B, mean and var must have one value per channel");
        return torch::batch_norm(in[0], in[1], in[2], in[3], in[4], /*training=*/false, /*momentum=*/0.0, n.epsilon,
                                 /*cudnn_enabled=*/false);
    }
    if (n.op == "Constant") return n.value;
    need(1);
    if (n.op == "Resize") {
        // Output size floor(in * scale) on the two spatial dimensions; batch and channels unscaled.
        need(3);
        if (in[0].dim() != 4) throw Error("node '" + n.name + "': expected a 4-D input");
        if (in[2].dim() != 1 || in[2].numel() != 4)
            throw Error("node '" + n.name + "': scales must be 4 values (N, C, H, W)");
        const torch::Tensor sc = in[2].to(torch::kFloat64).contiguous();
        const double* s = sc.data_ptr<double>();
        if (s[0] != 1.0 || s[1] != 1.0 || !(s[2] > 0 && s[2] <= kMaxStride) || !(s[3] > 0 && s[3] <= kMaxStride))
            throw Error("node '" + n.name + "': only the spatial dimensions may be scaled, by 0 to 4096");
        const std::vector<std::int64_t> size{std::int64_t(std::floor(double(in[0].size(2)) * s[2])),
                                             std::int64_t(std::floor(double(in[0].size(3)) * s[3]))};
        if (size[0] < 1 || size[1] < 1) throw Error("node '" + n.name + "': the output would be empty");
        check_size(n, "output", double(in[0].size(0)) * double(in[0].size(1)) * double(size[0]) * double(size[1]));
        if (n.mode == "nearest") return torch::upsample_nearest2d(in[0], size);
        return torch::upsample_bilinear2d(in[0], size, /*align_corners=*/n.coordinates == "align_corners");
    }
    if (n.op == "Relu") return torch::relu(in[0]);
    if (n.op == "LeakyRelu") return torch::leaky_relu(in[0], n.alpha);
    if (n.op == "Sigmoid") return torch::sigmoid(in[0]);
    if (n.op == "Exp") return torch::exp(in[0]);
    if (n.op == "Tanh") return torch::tanh(in[0]);
    if (n.op == "Identity") return in[0];
    need(2);
    if (!in[0].defined() || !in[1].defined()) throw Error("node '" + n.name + "': an input is missing");
    double out = 1;
    for (auto d : at::infer_size(in[0].sizes(), in[1].sizes())) out *= double(d);
    check_size(n, "output", out);
    if (n.op == "Add") return in[0] + in[1];
    if (n.op == "Mul") return in[0] * in[1];
    throw Error("node '" + n.name + "': unsupported op " + n.op);
}

}  // namespace

// 3. Running -----------------------------------------------------------------------------------------------
std::map<std::string, FloatTensor> OnnxModel::run(const std::map<std::string, FloatTensor>& inputs) const {
    torch::NoGradGuard no_grad;
    std::map<std::string, torch::Tensor> values = impl_->initializers;
    for (const std::string& name : impl_->inputs) {
        auto it = inputs.find(name);
        if (it == inputs.end()) throw Error(impl_->name + ": missing input '" + name + "'");
        std::int64_t count = 1;
        for (auto d : it->second.shape) {
            if (d < 0 || (d > 0 && count > std::numeric_limits<std::int64_t>::max() / d))
                throw Error(impl_->name + ": input '" + name + "' has a bad shape");
            count *= d;
        }
        if (count != std::int64_t(it->second.data.size()))
            throw Error(impl_->name + ": input '" + name + "' has " + std::to_string(it->second.data.size()) +
                        " values, its shape needs " + std::to_string(count));
        values[name] = torch::from_blob(const_cast<float*>(it->second.data.data()), it->second.shape, torch::kFloat32);
    }
    for (const Node& n : impl_->nodes) {
        std::vector<torch::Tensor> in;
        for (const std::string& i : n.inputs) {
            if (i.empty()) {
                in.emplace_back();
                continue;
            }  // optional input left out
            auto it = values.find(i);
            if (it == values.end())
                throw Error(impl_->name + ": node '" + n.name + "' reads '" + i + "', which nothing produced");
            in.push_back(it->second);
        }
        try {
            values[n.outputs.at(0)] = run_node(n, in);
        } catch (const c10::Error& e) {
            throw Error(impl_->name + ": node '" + n.name + "' (" + n.op +
                        ") failed: " + std::string(e.what_without_backtrace()).substr(0, 300));
        } catch (const Error& e) {
            throw Error(impl_->name + ": " + e.what());
        } catch (const std::exception& e) {  // std::bad_alloc and the like: still the file's error
            throw Error(impl_->name + ": node '" + n.name + "' (" + n.op +
                        ") failed: " + std::string(e.what()).substr(0, 300));
        }
    }
    std::map<std::string, FloatTensor> out;
    for (const std::string& name : impl_->outputs) {
        const auto it = values.find(name);
        if (it == values.end() || !it->second.defined())
            throw Error(impl_->name + ": graph output '" + name + "' was not computed");
        const torch::Tensor t = it->second.contiguous();
        FloatTensor f;
        f.shape.assign(t.sizes().begin(), t.sizes().end());
        f.data.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
        out[name] = std::move(f);
    }
    return out;
}

}  // namespace strata::onnxrt

namespace strata::onnxrt {
void set_threads(int threads) { torch::set_num_threads(threads > 0 ? threads : 1); }
void set_tensor_limit(std::int64_t elements) { g_tensor_limit = elements > 0 ? elements : 1; }
}  // namespace strata::onnxrt
