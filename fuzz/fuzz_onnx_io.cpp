// fuzz_onnx_io.cpp: libFuzzer target of the model-shape reader (wasm/core/onnx_io.cpp) and the
// decisions made from it (wasm/core/model_plan.cpp).
//
// Feeds: the input as an ONNX file's bytes to read_onnx_io, then to plan_encoder (no settings, then
// the first output chosen as the latent) and plan_decoder against that plan and against a fixed
// 3 x 32 x 32 -> 64 x 8 x 8 encoder plan.
// Checks: every failure is a strata::Error starting with the file's name; a read file has one
// dimension name per dimension; an accepted encoder has 1 or 3 channels, sides within the limits,
// a batch >= 0 and a latent that is one of the outputs (its log-variance too, and not the same).
#include "fuzz_check.hpp"
#include "model_plan.hpp"
#include "onnx_io.hpp"

#include <cstdint>

namespace {
const std::string kName = "fuzz.onnx";

void check_info(const strata::TensorInfo& t) {
    fuzz::check(t.dims.size() == t.dim_params.size(), "one dimension name per dimension");
    for (auto d : t.dims) fuzz::check(d >= -1, "a dimension below -1");
    fuzz::check(t.has_shape || t.dims.empty(), "dimensions without a shape");
}

void check_plan(const strata::EncoderPlan& p, const strata::OnnxIo& io) {
    fuzz::check(p.image.channels == 1 || p.image.channels == 3, "channels other than 1 or 3");
    fuzz::check(p.image.height >= strata::kMinImageSide && p.image.height <= strata::kMaxImageSide &&
                    p.image.width >= strata::kMinImageSide && p.image.width <= strata::kMaxImageSide,
                "a side outside the limits");
    fuzz::check(p.batch >= 0, "a negative batch");
    fuzz::check(io.output(p.latent) != nullptr, "the latent is not an output");
    fuzz::check(!p.variational() || (io.output(p.logvar) && p.logvar != p.latent), "a bad log-variance output");
    fuzz::check(p.latent_dims.empty() || p.latent_dims.size() == 4, "declared latent dims not 4-D");
}

template <class F>
void expect_named(F f) {
    try {
        f();
    } catch (const strata::Error& e) { fuzz::check_names(e, kName); }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace strata;
    try {
        const OnnxIo io = read_onnx_io(data, size, kName);
        for (const TensorInfo& t : io.inputs) check_info(t);
        for (const TensorInfo& t : io.outputs) check_info(t);
        ModelSettings chosen;
        if (!io.outputs.empty()) chosen.latent_output = io.outputs[0].name;
        for (const ModelSettings& s : {ModelSettings{}, chosen})
            expect_named([&] {
                const EncoderPlan p = plan_encoder(io, s, kName);
                check_plan(p, io);
                expect_named([&] { plan_decoder(io, p, kName); });
            });
        EncoderPlan fixed;
        fixed.image = {3, 32, 32};
        fixed.latent_dims = {1, 64, 8, 8};
        expect_named([&] { plan_decoder(io, fixed, kName); });
    } catch (const Error& e) { fuzz::check_names(e, kName); }
    return 0;
}
