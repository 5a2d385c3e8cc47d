// fuzz_onnx.cpp: libFuzzer target of the native ONNX interpreter (native_trainer/onnx_runner.cpp).
//
// Feeds: the input as the bytes of an .onnx file to OnnxModel::from_bytes (protobuf parse, the
// ONNX checker, initializers, supported ops and attributes). When it loads and every graph input
// declares a small static shape (symbolic dimensions taken as 1, at most 64 per dimension and
// 4096 values per input), the model also runs once on zeros of those shapes, so the
// interpreter's shape and size checks are fuzzed too.
// Checks: every failure is a strata::Error starting with the file's name: a c10::Error, a
// protobuf/ONNX exception or std::out_of_range escaping, an abort, a sanitizer report or a leak is
// a bug in onnx_runner.cpp; run() returns every declared output with size == product(shape).
#include "fuzz_check.hpp"
#include "onnx_runner.hpp"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <iostream>
#include <map>
#include <streambuf>

namespace {

const std::string kName = "fuzz.onnx";

struct NullBuffer : std::streambuf {
    int overflow(int c) override { return traits_type::not_eof(c); }
};

// Zero inputs of the shapes the graph declares, or false when one is missing or too large.
bool zero_inputs(const std::string& bytes, const strata::onnxrt::OnnxModel& model,
                 std::map<std::string, strata::onnxrt::FloatTensor>& out) {
    onnx::ModelProto m;
    if (!m.ParseFromString(bytes)) return false;
    for (const std::string& name : model.input_names()) {
        const onnx::ValueInfoProto* info = nullptr;
        for (const auto& v : m.graph().input())
            if (v.name() == name) info = &v;
        if (!info || !info->type().has_tensor_type() || !info->type().tensor_type().has_shape()) return false;
        strata::onnxrt::FloatTensor t;
        std::int64_t count = 1;
        for (const auto& d : info->type().tensor_type().shape().dim()) {
            const std::int64_t n = d.has_dim_value() ? d.dim_value() : 1;
            if (n < 0 || n > 64) return false;
            t.shape.push_back(n);
            count *= n;
            if (count > 4096) return false;
        }
        t.data.assign(std::size_t(count), 0.0f);
        out[name] = std::move(t);
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    // The ONNX checker writes warnings (e.g. about experimental ops) to std::cerr: discard them,
    // they would flood the log at thousands of inputs a second. Sanitizer and libFuzzer reports
    // do not go through std::cerr.
    static NullBuffer sink;
    std::cerr.rdbuf(&sink);
    strata::onnxrt::set_threads(1);
    strata::onnxrt::set_tensor_limit(std::int64_t(1) << 22);  // 16 MiB per tensor: bounded work and memory
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    try {
        const auto model = strata::onnxrt::OnnxModel::from_bytes(bytes, kName);
        std::map<std::string, strata::onnxrt::FloatTensor> inputs;
        if (!zero_inputs(bytes, model, inputs)) return 0;
        const auto outputs = model.run(inputs);
        fuzz::check(outputs.size() <= model.output_names().size(), "run() returned undeclared outputs");
        for (const auto& [name, t] : outputs) {
            std::int64_t count = 1;
            for (auto d : t.shape) count *= d;
            fuzz::check(count == std::int64_t(t.data.size()), "an output's size differs from its shape");
        }
    } catch (const strata::Error& e) { fuzz::check_names(e, kName); }
    return 0;
}
