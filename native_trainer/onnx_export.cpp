// onnx_export.cpp: NetworkSpec -> ONNX. Index: 1. folding  2. protobuf helpers  3. graphs  4. checks  5. files (and model.json)
#include "onnx_export.hpp"

#include "error.hpp"
#include "fileio.hpp"
#include "model_plan.hpp"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <cmath>

namespace strata::train {

// 1. Folding -----------------------------------------------------------------------------------------
// y = gamma (conv(x) + b - mean) / sqrt(var + eps) + beta  ==  conv'(x) + b' with
// W'[o] = W[o] s_o, b'_o = (b_o - mean_o) s_o + beta_o, s_o = gamma_o / sqrt(var_o + eps).
LayerSpec fold_batch_norm(const LayerSpec& layer) {
    LayerSpec f = layer;
    if (!layer.batch_norm) return f;
    const int out = layer.out, in = layer.in, kk = layer.kernel * layer.kernel;
    if (layer.weight.size() != std::size_t(out) * in * kk || layer.bn_gamma.size() != std::size_t(out))
        throw Error("layer " + layer.name + ": weights do not match the architecture");
    std::vector<double> s(out);
    f.bias_values.assign(out, 0.0f);
    for (int o = 0; o < out; ++o) {
        s[o] = double(layer.bn_gamma[o]) / std::sqrt(double(layer.bn_var[o]) + layer.bn_eps);
        const double b = layer.bias_values.empty() ? 0.0 : double(layer.bias_values[o]);
        f.bias_values[o] = float((b - double(layer.bn_mean[o])) * s[o] + double(layer.bn_beta[o]));
    }
    for (int a = 0; a < (layer.transposed ? in : out); ++a)
        for (int b = 0; b < (layer.transposed ? out : in); ++b)
            for (int k = 0; k < kk; ++k) {
                const std::size_t i = (std::size_t(a) * (layer.transposed ? out : in) + b) * kk + k;
                f.weight[i] = float(double(layer.weight[i]) * s[layer.transposed ? b : a]);
            }
    f.batch_norm = false;
    f.bias = true;
    f.bn_gamma.clear(), f.bn_beta.clear(), f.bn_mean.clear(), f.bn_var.clear();
    return f;
}

// 2. Protobuf helpers ----------------------------------------------------------------------------------
namespace {

void add_initializer(onnx::GraphProto& g, const std::string& name, const std::vector<std::int64_t>& dims,
                     const std::vector<float>& values) {
    onnx::TensorProto* t = g.add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (auto d : dims) t->add_dims(d);
    // raw_data is little-endian float32, as the ONNX spec fixes; this machine is little-endian.
    t->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
}

void add_ints(onnx::NodeProto& n, const char* name, std::vector<std::int64_t> v) {
    onnx::AttributeProto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (auto x : v) a->add_ints(x);
}

void add_value(google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>* list, const std::string& name, int c, int h,
               int w) {
    onnx::ValueInfoProto* v = list->Add();
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    auto* shape = tt->mutable_shape();
    shape->add_dim()->set_dim_param("N");
    shape->add_dim()->set_dim_value(c);
    shape->add_dim()->set_dim_value(h);
    shape->add_dim()->set_dim_value(w);
}

// Appends one block (conv + activation); returns the name of its output.
std::string add_block(onnx::GraphProto& g, const LayerSpec& raw, const std::string& input, const std::string& output) {
    const LayerSpec l = fold_batch_norm(raw);
    const std::int64_t k = l.kernel;
    add_initializer(
        g, l.name + ".weight",
        l.transposed ? std::vector<std::int64_t>{l.in, l.out, k, k} : std::vector<std::int64_t>{l.out, l.in, k, k},
        l.weight);
    std::vector<std::string> inputs = {input, l.name + ".weight"};
    if (l.bias) {
        add_initializer(g, l.name + ".bias", {l.out}, l.bias_values);
        inputs.push_back(l.name + ".bias");
    }
    const std::string conv_out = l.activation == Activation::None ? output : l.name + ".conv";
    onnx::NodeProto* n = g.add_node();
    n->set_name(l.name);
    n->set_op_type(l.transposed ? "ConvTranspose" : "Conv");
    for (const auto& i : inputs) n->add_input(i);
    n->add_output(conv_out);
    add_ints(*n, "kernel_shape", {k, k});
    add_ints(*n, "strides", {l.stride, l.stride});
    add_ints(*n, "pads", {l.pad, l.pad, l.pad, l.pad});
    add_ints(*n, "dilations", {1, 1});
    if (l.activation != Activation::None) {
        onnx::NodeProto* a = g.add_node();
        a->set_name(l.name + ".act");
        a->set_op_type(l.activation == Activation::Relu        ? "Relu"
                       : l.activation == Activation::LeakyRelu ? "LeakyRelu"
                                                               : "Sigmoid");
        a->add_input(conv_out);
        a->add_output(output);
        if (l.activation == Activation::LeakyRelu) {
            onnx::AttributeProto* alpha = a->add_attribute();
            alpha->set_name("alpha");
            alpha->set_type(onnx::AttributeProto::FLOAT);
            alpha->set_f(kLeakyReluSlope);
        }
    }
    return output;
}

onnx::ModelProto new_model(const NetworkSpec& net, const std::string& part) {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.set_producer_name("strata");
    m.set_producer_version("0.1");
    m.set_model_version(1);
    m.set_doc_string("Strata " + net.kind + " " + part + " (batch norm folded); see models/README.md");
    auto* op = m.add_opset_import();
    op->set_domain("");
    op->set_version(13);
    auto* meta = m.add_metadata_props();
    meta->set_key("kind");
    meta->set_value(net.kind);
    m.mutable_graph()->set_name("strata_" + net.kind + "_" + part);
    return m;
}

std::string serialise(const onnx::ModelProto& m) {
    std::string s;
    if (!m.SerializeToString(&s)) throw Error("cannot serialise the ONNX model " + m.graph().name());
    return s;
}

}  // namespace

// 3. Graphs ---------------------------------------------------------------------------------------------
std::string encoder_onnx_bytes(const NetworkSpec& net) {
    onnx::ModelProto m = new_model(net, "encoder");
    onnx::GraphProto& g = *m.mutable_graph();
    add_value(g.mutable_input(), "x", net.input_c, net.input_h, net.input_w);
    std::string cur = "x";
    for (std::size_t i = 0; i < net.encoder.size(); ++i) {
        const bool last = i + 1 == net.encoder.size();
        cur = add_block(g, net.encoder[i], cur, last && !net.variational ? "z" : net.encoder[i].name + ".out");
    }
    if (net.variational) {
        add_block(g, net.mu, cur, "mu");
        add_block(g, net.logvar, cur, "logvar");
        add_value(g.mutable_output(), "mu", net.latent_c, net.latent_h, net.latent_w);
        add_value(g.mutable_output(), "logvar", net.latent_c, net.latent_h, net.latent_w);
    } else {
        add_value(g.mutable_output(), "z", net.latent_c, net.latent_h, net.latent_w);
    }
    return serialise(m);
}

std::string decoder_onnx_bytes(const NetworkSpec& net) {
    onnx::ModelProto m = new_model(net, "decoder");
    onnx::GraphProto& g = *m.mutable_graph();
    add_value(g.mutable_input(), "z", net.latent_c, net.latent_h, net.latent_w);
    std::string cur = "z";
    for (std::size_t i = 0; i < net.decoder.size(); ++i) {
        const bool last = i + 1 == net.decoder.size();
        cur = add_block(g, net.decoder[i], cur, last ? "x_hat" : net.decoder[i].name + ".out");
    }
    add_value(g.mutable_output(), "x_hat", net.input_c, net.input_h, net.input_w);
    return serialise(m);
}

// 4. Checks -------------------------------------------------------------------------------------------------
void check_onnx_bytes(const std::string& bytes, const std::string& name) {
    onnx::ModelProto m;
    if (!m.ParseFromString(bytes)) throw Error(name + ": not a valid ONNX file (corrupt or truncated protobuf)");
    try {
        onnx::checker::check_model(m);
        // Strict: type checks on, node-level inference errors thrown, inferred shapes must agree
        // with the declared outputs.
        onnx::shape_inference::InferShapes(m, onnx::OpSchemaRegistry::Instance(),
                                           onnx::ShapeInferenceOptions(true, 1, false));
    } catch (const std::exception& e) { throw Error(name + ": fails the ONNX checker: " + e.what()); }
}

// 5. Files ---------------------------------------------------------------------------------------------------
std::string model_json_text(const NetworkSpec& net) {
    ModelSettings s;
    s.kind = net.kind;
    s.architecture = Json::object();
    s.architecture.set("norm", net.arch.norm);
    s.architecture.set("conv_bias", net.arch.conv_bias);
    s.architecture.set("latent_activation", net.arch.latent_activation);
    s.architecture.set("depth", net.arch.depth);
    s.architecture.set("width", net.arch.width);
    return to_json(s).dump(1) + "\n";
}

void write_onnx_files(const NetworkSpec& net, const std::string& dir) {
    const std::string enc = encoder_onnx_bytes(net), dec = decoder_onnx_bytes(net);
    check_onnx_bytes(enc, dir + "/encoder.onnx");
    check_onnx_bytes(dec, dir + "/decoder.onnx");
    // All or none: a failed write never leaves a new encoder beside an old decoder or model.json.
    cmd::write_files_atomic(
        {{dir + "/encoder.onnx", enc}, {dir + "/decoder.onnx", dec}, {dir + "/model.json", model_json_text(net)}});
}

}  // namespace strata::train
