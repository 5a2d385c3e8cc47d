// test_model_plan.cpp: reading an ONNX file's inputs and outputs (onnx_io) and deciding how a
// user's model is run (model_plan): what real exports look like, and every refusal's message.
#include "error.hpp"
#include "model_plan.hpp"
#include "onnx_bytes.hpp"
#include "onnx_io.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

using namespace strata;
namespace ox = test::onnx;

namespace {

OnnxIo read(const std::string& bytes) {
    return read_onnx_io(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), "m.onnx");
}

// The message of what `f` throws as strata::Error ("" when it does not throw).
template <class F>
std::string error_of(F f) {
    try {
        f();
    } catch (const Error& e) { return e.what(); }
    return "";
}

// An encoder file: input `in` and the given outputs.
std::string encoder(const std::string& in, const std::vector<ox::Dim>& in_dims, std::vector<ox::Bytes> outputs,
                    int elem_type = 1) {
    ox::Graph g;
    g.inputs.push_back(ox::value_info(in, in_dims, elem_type));
    g.outputs = std::move(outputs);
    return ox::model(g);
}

EncoderPlan plan(const std::string& bytes, const ModelSettings& s = {}) {
    return plan_encoder(read(bytes), s, "m.onnx");
}

}  // namespace

TEST_SUITE("model plan") {
    TEST_CASE("onnx_io: inputs, outputs, shapes, symbolic sizes, metadata; weights listed as inputs are not inputs") {
        ox::Graph g;
        g.initializers.push_back(ox::initializer("conv.weight"));
        g.inputs.push_back(ox::value_info("conv.weight", {3}));  // as old exports list the weights
        g.inputs.push_back(ox::value_info("pixels", {"batch", 3, 32, 32}));
        g.outputs.push_back(ox::value_info("code", {"batch", 64, 8, 8}));
        g.outputs.push_back(ox::value_info("aux", {1, 10}, 11, /*shaped=*/false));
        g.metadata = {{"kind", "cae"}, {"producer", "test"}};
        const OnnxIo io = read(ox::model(g));
        REQUIRE(io.inputs.size() == 1);
        CHECK(io.inputs[0].name == "pixels");
        CHECK(io.inputs[0].elem_type == 1);
        CHECK(io.inputs[0].dims == std::vector<std::int64_t>{-1, 3, 32, 32});
        CHECK(io.inputs[0].dim_params[0] == "batch");
        CHECK(shape_text(io.inputs[0]) == "batch x 3 x 32 x 32");
        REQUIRE(io.outputs.size() == 2);
        CHECK(io.outputs[1].elem_type == 11);
        CHECK_FALSE(io.outputs[1].has_shape);
        CHECK(shape_text(io.outputs[1]) == "(shape not given)");
        CHECK(elem_type_name(11) == "float64");
        CHECK(io.metadata_value("kind") == "cae");
        CHECK(io.metadata_value("absent").empty());
        CHECK(io.output("code") == &io.outputs[0]);
    }

    TEST_CASE("onnx_io: every truncation, a bad wire type, an overlong number: an error naming the file") {
        const std::string good = encoder("x", {1, 1, 28, 28}, {ox::value_info("z", {1, 64, 7, 7})});
        int refused = 0;
        for (std::size_t n = 0; n < good.size(); ++n) {
            const std::string cut = good.substr(0, n);
            const std::string e = error_of([&] { read(cut); });
            // A cut at a field boundary before the graph reads as a model without a graph: refused too.
            CHECK_MESSAGE(e.rfind("m.onnx: ", 0) == 0, "prefix of " << n << " bytes: '" << e << "'");
            refused += !e.empty();
        }
        CHECK(refused == int(good.size()));
        CHECK(error_of([] { read("\x0b"); }).find("wire type 3") != std::string::npos);
        CHECK(error_of([] { read(std::string(11, '\xff')); }).find("does not fit in 64 bits") != std::string::npos);
        CHECK(error_of([] { read("\x3a\x05\x12\x01"); }).find("past the end") != std::string::npos);
        ox::Graph g;
        ox::Bytes seq_type, v;
        ox::bytes_field(seq_type, 4, "");  // TypeProto.sequence_type
        ox::bytes_field(v, 1, "x");
        ox::bytes_field(v, 2, seq_type);
        g.inputs.push_back(v);
        CHECK(error_of([&] { read(ox::model(g)); }).find("'x' is not a tensor") != std::string::npos);
        CHECK(error_of([] { read(""); }) == "m.onnx: empty file (not an ONNX model)");
        // Two outputs (or inputs) of one name: not valid ONNX, and the latent could not be chosen by name.
        const std::string twice =
            encoder("x", {1, 1, 28, 28}, {ox::value_info("z", {1, 8, 7, 7}), ox::value_info("z", {1, 8, 7, 7})});
        CHECK(error_of([&] { read(twice); }) == "m.onnx: two graph outputs named 'z' (not a valid ONNX graph)");
    }

    TEST_CASE("encoder: torch.onnx.export's fixed batch of 1, RGB 32 x 32, any names") {
        const EncoderPlan p = plan(encoder("input.1", {1, 3, 32, 32}, {ox::value_info("17", {1, 64, 8, 8})}));
        CHECK(p.input == "input.1");
        CHECK(p.image.channels == 3);
        CHECK(p.image.height == 32);
        CHECK(p.image.width == 32);
        CHECK(p.image.size() == 3 * 32 * 32);
        CHECK(p.batch == 1);
        CHECK(p.latent == "17");
        CHECK_FALSE(p.variational());
        CHECK(p.latent_rule == "the only output");
        CHECK(p.latent_dims == std::vector<std::int64_t>{1, 64, 8, 8});
        CHECK(run_batch_size(p.batch, 100) == 1);
        CHECK(run_batch_size(0, 100) == 100);
        CHECK(run_batch_size(16, 100) == 16);
    }

    TEST_CASE("encoder: dynamic batch; a variational encoder by its output names, or by the user's choice") {
        const EncoderPlan d = plan(encoder("x", {"N", 1, 28, 28}, {ox::value_info("z", {"N", 64, 7, 7})}));
        CHECK(d.batch == 0);
        const auto mu_logvar = encoder(
            "x", {"N", 1, 28, 28}, {ox::value_info("logvar", {"N", 64, 7, 7}), ox::value_info("mu", {"N", 64, 7, 7})});
        const EncoderPlan v = plan(mu_logvar);
        CHECK(v.variational());
        CHECK(v.latent == "mu");
        CHECK(v.logvar == "logvar");
        // Two outputs of one shape under other names: no guess.
        const auto two =
            encoder("img", {1, 3, 64, 64}, {ox::value_info("a", {1, 8, 16, 16}), ox::value_info("b", {1, 8, 16, 16})});
        const std::string e = error_of([&] { plan(two); });
        CHECK(e.find("m.onnx: outputs 'a' and 'b' have the same 4-D shape") == 0);
        CHECK(e.find("--latent-output") != std::string::npos);
        ModelSettings s;
        s.latent_output = "b";
        const EncoderPlan chosen = plan(two, s);
        CHECK(chosen.latent == "b");
        CHECK(chosen.logvar == "a");
        CHECK(chosen.latent_rule == "the output 'b', as chosen");
        s.latent_output = "c";
        CHECK(error_of([&] { plan(two, s); }).find("no output named 'c' (the outputs: 'a' (1 x 8 x 16 x 16)") !=
              std::string::npos);
        // Among outputs of different ranks, the only 4-D one.
        const auto extra =
            encoder("x", {1, 1, 28, 28}, {ox::value_info("logits", {1, 10}), ox::value_info("feat", {1, 32, 7, 7})});
        CHECK(plan(extra).latent == "feat");
        CHECK(plan(extra).latent_rule == "the only 4-D output");
    }

    TEST_CASE("encoder: what the method cannot use is refused with what it needs") {
        auto msg = [](const std::string& bytes, ModelSettings s = {}) { return error_of([&] { plan(bytes, s); }); };
        const auto z = [](std::vector<ox::Dim> d) { return std::vector<ox::Bytes>{ox::value_info("z", d)}; };
        CHECK(msg(encoder("x", {1, 1, 28, 28}, z({1, 128}))) ==
              "m.onnx: output 'z' is 1 x 128; the method needs a latent tensor N x C x H x W (each latent gives one "
              "covariance per tensor mode; a flat or other-rank latent has no such modes: export the feature map "
              "before any flattening)");
        CHECK(msg(encoder("x", {1, 1, 28, 28}, z({1, 64, 49}))).find("output 'z' is 1 x 64 x 49; the method needs") ==
              8);
        CHECK(msg(encoder("x", {1, 1, 28, 28}, z({1, 2, 8, 7, 7}))).find("1 x 2 x 8 x 7 x 7; the method needs") !=
              std::string::npos);
        CHECK(msg(encoder("x", {1, 784}, z({1, 64, 7, 7}))) ==
              "m.onnx: input 'x' is 1 x 784; the encoder must take images N x C x H x W (C = 1 or 3)");
        CHECK(msg(encoder("x", {1, 4, 32, 32}, z({1, 8, 8, 8})))
                  .find("has 4 channels; images with 1 (gray) or 3 (RGB)") != std::string::npos);
        CHECK(msg(encoder("x", {1, 3, 300, 300}, z({1, 8, 8, 8}))).find("300 x 300 pixels; sides from 8 to 256") !=
              std::string::npos);
        CHECK(msg(encoder("x", {1, 3, 4, 32}, z({1, 8, 8, 8}))).find("4 x 32 pixels") != std::string::npos);
        CHECK(msg(encoder("x", {1, 3, 32, 32}, z({1, 8, 8, 8}), /*uint8*/ 2)) ==
              "m.onnx: input 'x' is uint8; float32 pixels are needed (export the model in float32)");
        CHECK(msg(encoder("x", {0, 3, 32, 32}, z({1, 8, 8, 8}))).find("batch size of 0") != std::string::npos);
        ox::Graph two_inputs;
        two_inputs.inputs = {ox::value_info("x", {1, 1, 28, 28}), ox::value_info("t", {1})};
        two_inputs.outputs = z({1, 64, 7, 7});
        CHECK(msg(ox::model(two_inputs)).find("the encoder has 2 inputs ('x' (1 x 1 x 28 x 28), 't' (1))") == 8);
        ox::Graph no_outputs;
        no_outputs.inputs = {ox::value_info("x", {1, 1, 28, 28})};
        CHECK(msg(ox::model(no_outputs)) == "m.onnx: the encoder has no outputs");
        const auto many =
            encoder("x", {1, 1, 28, 28}, {ox::value_info("a", {1, 8, 7, 7}), ox::value_info("b", {1, 4, 7, 7})});
        CHECK(msg(many).find("say which is the latent") != std::string::npos);
    }

    TEST_CASE("encoder: sizes the file leaves open come from model.json's input, which must agree with the file") {
        const auto open = encoder("x", {"N", 1, "H", "W"}, {ox::value_info("z", {"N", 64, "h", "w"})});
        CHECK(error_of([&] { plan(open); }).find("not fixed in the file; give them in model.json as \"input\"") !=
              std::string::npos);
        ModelSettings s;
        s.input = std::array<int, 3>{1, 28, 28};
        const EncoderPlan p = plan(open, s);
        CHECK(p.image.height == 28);
        CHECK(p.image.channels == 1);
        s.input = std::array<int, 3>{3, 28, 28};
        CHECK(error_of([&] { plan(open, s); }) ==
              "m.onnx: input 'x' is N x 1 x H x W, model.json's \"input\" says 3 x 28 x 28");
        ox::Graph unshaped;
        unshaped.inputs = {ox::value_info("x", {}, 1, /*shaped=*/false)};
        unshaped.outputs = {ox::value_info("z", {}, 1, false)};
        CHECK(error_of([&] { plan(ox::model(unshaped)); }).find("has no declared shape") != std::string::npos);
        s.input = std::array<int, 3>{3, 32, 32};
        CHECK(plan(ox::model(unshaped), s).batch == 0);
        CHECK(plan(ox::model(unshaped), s).latent_dims.empty());
    }

    TEST_CASE("decoder: one input of the latent's shape, one output of the input's shape") {
        const EncoderPlan e = plan(encoder("x", {1, 3, 32, 32}, {ox::value_info("z", {1, 64, 8, 8})}));
        auto dec = [](std::vector<ox::Dim> in, std::vector<ox::Dim> out) {
            ox::Graph g;
            g.inputs = {ox::value_info("latent", in)};
            g.outputs = {ox::value_info("recon", out)};
            return read(ox::model(g));
        };
        const DecoderPlan d = plan_decoder(dec({1, 64, 8, 8}, {1, 3, 32, 32}), e, "d.onnx");
        CHECK(d.input == "latent");
        CHECK(d.output == "recon");
        CHECK(d.batch == 1);
        CHECK(plan_decoder(dec({"B", 64, 8, 8}, {"B", 3, 32, 32}), e, "d.onnx").batch == 0);
        CHECK(
            error_of([&] {
                plan_decoder(dec({1, 64, 8, 8}, {1, 1, 32, 32}), e, "d.onnx");
            }) ==
            "d.onnx: output 'recon' is 1 x 1 x 32 x 32; the reconstruction must have the encoder's input shape N x 3 x "
            "32 x 32");
        CHECK(error_of([&] {
                  plan_decoder(dec({1, 32, 8, 8}, {1, 3, 32, 32}), e, "d.onnx");
              }).find("input 'latent' is 1 x 32 x 8 x 8, the encoder's latent is N x 64 x 8 x 8") != std::string::npos);
        CHECK(error_of([&] {
                  plan_decoder(dec({1, 4096}, {1, 3, 32, 32}), e, "d.onnx");
              }).find("must take the latent") != std::string::npos);
    }

    TEST_CASE("the latent a run gave: 4-D with one latent per image, or a message") {
        CHECK(latent_shape_of({5, 64, 8, 8}, 5, "m.onnx", "z") == std::array<int, 3>{64, 8, 8});
        CHECK(error_of([] {
                  latent_shape_of({5, 128}, 5, "m.onnx", "z");
              }).find("m.onnx: output 'z' is 5 x 128 (2-D); the method needs") == 0);
        CHECK(error_of([] {
                  latent_shape_of({1, 64, 8, 8}, 5, "m.onnx", "z");
              }).find("for a batch of 5 images") != std::string::npos);
        CHECK(error_of([] { latent_shape_of({}, 5, "m.onnx", "z"); }).find("a scalar (0-D)") != std::string::npos);
    }

    TEST_CASE("model.json: normalisation per channel (torchvision's Normalize) and back; refusals") {
        const ModelSettings s = read_model_json(
            R"({"kind": "vae", "mean": [0.5, 0.25, 0.0], "std": [0.25, 0.5, 2.0], "latent_output": "m"})",
            "model.json");
        CHECK(s.kind == "vae");
        CHECK(s.latent_output == "m");
        const ImageShape shape{3, 1, 2};
        float x[12] = {0.5f, 1.0f, 0.25f, 0.75f, 0.0f, 1.0f, /* second image */ 0, 0, 0, 0, 0, 0};
        to_model_pixels(x, 2, shape, s);
        // (x - mean) / std, worked out by hand.
        const float want[12] = {0.0f, 2.0f, 0.0f, 1.0f, 0.0f, 0.5f, -2.0f, -2.0f, -0.5f, -0.5f, 0.0f, 0.0f};
        for (int i = 0; i < 12; ++i) CHECK(x[i] == doctest::Approx(want[i]).epsilon(1e-7));
        from_model_pixels(x, 2, shape, s);
        CHECK(x[1] == doctest::Approx(1.0).epsilon(1e-7));
        CHECK(x[6] == doctest::Approx(0.0).epsilon(1e-7));
        const ModelSettings one = read_model_json(R"({"mean": 0.5, "std": 0.5})", "model.json");
        float g[2] = {0.0f, 1.0f};
        to_model_pixels(g, 1, ImageShape{1, 1, 2}, one);
        CHECK(g[0] == -1.0f);
        CHECK(g[1] == 1.0f);
        float untouched[2] = {0.3f, 0.7f};
        to_model_pixels(untouched, 1, ImageShape{1, 1, 2}, ModelSettings{});
        CHECK(untouched[0] == 0.3f);
        auto msg = [](const char* text) { return error_of([&] { read_model_json(text, "model.json"); }); };
        CHECK(msg(R"({"stdev": [1]})") ==
              "model.json: unknown key \"stdev\" (known: kind, mean, std, latent_output, input, architecture; "
              "docs/images.md)");
        CHECK(msg(R"({"mean": [0.5]})") == "model.json: give both \"mean\" and \"std\", or neither");
        CHECK(msg(R"({"mean": [0.5], "std": [0]})") == "model.json: \"std\" values must be positive");
        CHECK(msg(R"({"mean": [0.5, 0.5], "std": [1, 1]})").find("1 or 3 values") != std::string::npos);
        CHECK(msg(R"({"input": [3, 32]})").find("\"input\" must be [C, H, W]") != std::string::npos);
        CHECK(msg("[1]") == "model.json: expected a JSON object");
        CHECK(msg("{").find("model.json: line 1") == 0);
        // Three means on a gray model: refused when the plan is made.
        ModelSettings rgb = read_model_json(R"({"mean": [0.5, 0.5, 0.5], "std": [1, 1, 1]})", "model.json");
        CHECK(error_of([&] {
                  plan(encoder("x", {1, 1, 28, 28}, {ox::value_info("z", {1, 8, 7, 7})}), rgb);
              }).find("have 3 values, the input has 1 channel(s)") != std::string::npos);
        CHECK(to_json(rgb).dump() == R"({"mean":[0.5,0.5,0.5],"std":[1,1,1]})");
    }

    TEST_CASE("model.json: the architecture a trainer records is kept and written back; bad ones are named") {
        const char* text = R"({"kind": "cae", "architecture": {"norm": "none", "conv_bias": "on", )"
                           R"("latent_activation": "leaky-relu", "depth": 2, "width": 16}})";
        const ModelSettings s = read_model_json(text, "model.json");
        REQUIRE(s.architecture.is_object());
        CHECK(s.architecture.find("norm")->string() == "none");
        CHECK(s.architecture.find("width")->integer() == 16);
        CHECK(to_json(s).dump() == R"({"kind":"cae","architecture":{"norm":"none","conv_bias":"on",)"
                                   R"("latent_activation":"leaky-relu","depth":2,"width":16}})");
        CHECK(read_model_json(R"({"architecture": {}})", "m.json").architecture.is_object());
        CHECK(read_model_json(R"({"kind": "ae"})", "m.json").architecture.is_null());
        // The results' normalisation: the declared settings without the architecture; null without mean/std.
        CHECK(normalisation_json(s).is_null());
        const ModelSettings normed = read_model_json(
            R"({"kind": "ae", "mean": [0.25], "std": [0.5], "architecture": {"norm": "batch"}})", "model.json");
        CHECK(normalisation_json(normed).dump() == R"({"kind":"ae","mean":[0.25],"std":[0.5]})");
        auto msg = [](const char* t) { return error_of([&] { read_model_json(t, "model.json"); }); };
        CHECK(msg(R"({"architecture": [1]})") == "model.json: \"architecture\" must be an object");
        CHECK(msg(R"({"architecture": {"layers": 3}})") ==
              "model.json: \"architecture\": unknown key \"layers\" (known: norm, conv_bias, latent_activation, "
              "depth, width)");
        CHECK(msg(R"({"architecture": {"depth": 0}})") ==
              "model.json: \"architecture\": \"depth\" must be a whole number from 1 to 4096");
        CHECK(msg(R"({"architecture": {"width": 2.5}})").find("\"width\" must be a whole number") != std::string::npos);
        CHECK(msg(R"({"architecture": {"norm": 1}})") ==
              "model.json: \"architecture\": \"norm\" must be a text of 1 to 32 characters");
    }
}
