// model_plan.cpp: Index: 1. model.json  2. the encoder  3. the decoder  4. run-time latent shape
//                 5. normalisation  6. batches
#include "model_plan.hpp"

#include "error.hpp"

#include <algorithm>
#include <cmath>

namespace strata {

namespace {

std::string quoted_names(const std::vector<TensorInfo>& v) {
    std::string s;
    for (const TensorInfo& t : v) s += (s.empty() ? "'" : ", '") + t.name + "' (" + shape_text(t) + ")";
    return s.empty() ? "none" : s;
}

bool same_known_dims(const TensorInfo& a, const TensorInfo& b) {
    if (!a.has_shape || !b.has_shape || a.dims.size() != b.dims.size()) return false;
    for (std::size_t i = 1; i < a.dims.size(); ++i)  // the batch dimension aside
        if (a.dims[i] < 0 || a.dims[i] != b.dims[i]) return false;
    return true;
}

bool is_4d(const TensorInfo& t) { return t.has_shape && t.dims.size() == 4; }

const char* const kLatentNeed =
    "the method needs a latent tensor N x C x H x W (each latent gives one covariance per tensor mode; a flat or "
    "other-rank latent has no such modes: export the feature map before any flattening)";

}  // namespace

// 1. model.json -------------------------------------------------------------------------------------------------
// "architecture": the switches a trainer records (docs/own-model.md). Checked for shape only: the
// words are the trainer's, and a model from elsewhere may use its own.
Json parse_architecture(const Json& v, const std::string& name) {
    if (!v.is_object()) throw Error(name + ": \"architecture\" must be an object");
    for (const auto& [key, x] : v.members()) {
        if (key == "norm" || key == "conv_bias" || key == "latent_activation") {
            if (!x.is_string() || x.string().empty() || x.string().size() > 32)
                throw Error(name + ": \"architecture\": \"" + key + "\" must be a text of 1 to 32 characters");
        } else if (key == "depth" || key == "width") {
            if (!x.is_integer() || x.integer() < 1 || x.integer() > 4096)
                throw Error(name + ": \"architecture\": \"" + key + "\" must be a whole number from 1 to 4096");
        } else {
            throw Error(name + ": \"architecture\": unknown key \"" + key +
                        "\" (known: norm, conv_bias, latent_activation, depth, width)");
        }
    }
    return v;
}

ModelSettings parse_model_settings(const Json& j, const std::string& name) {
    if (!j.is_object()) throw Error(name + ": expected a JSON object");
    ModelSettings s;
    auto numbers = [&](const Json& v, const char* key) {
        std::vector<double> out;
        if (v.is_number()) out.push_back(v.number());
        else if (v.is_array())
            for (const Json& x : v.items()) {
                if (!x.is_number()) throw Error(name + ": \"" + key + "\" must be a number or a list of numbers");
                out.push_back(x.number());
            }
        else throw Error(name + ": \"" + key + "\" must be a number or a list of numbers");
        if (out.size() != 1 && out.size() != 3)
            throw Error(name + ": \"" + key + "\" must have 1 or 3 values (one per channel), it has " +
                        std::to_string(out.size()));
        for (double x : out)
            if (!std::isfinite(x) || std::abs(x) > 1e6)
                throw Error(name + ": \"" + key + "\" has a value that is not a finite number of sensible size");
        return out;
    };
    for (const auto& [key, v] : j.members()) {
        if (key == "kind") {
            if (!v.is_string()) throw Error(name + ": \"kind\" must be a string");
            s.kind = v.string();
        } else if (key == "mean") {
            s.mean = numbers(v, "mean");
        } else if (key == "std") {
            s.std = numbers(v, "std");
            for (double x : s.std)
                if (!(x > 0)) throw Error(name + ": \"std\" values must be positive");
        } else if (key == "latent_output") {
            if (!v.is_string() || v.string().empty())
                throw Error(name + ": \"latent_output\" must be an output's name");
            s.latent_output = v.string();
        } else if (key == "input") {
            const bool ok = v.is_array() && v.items().size() == 3 &&
                            std::all_of(v.items().begin(), v.items().end(), [](const Json& x) {
                                return x.is_integer() && x.integer() > 0 && x.integer() <= 4096;
                            });
            if (!ok) throw Error(name + ": \"input\" must be [C, H, W], three positive whole numbers");
            s.input = std::array<int, 3>{int(v.items()[0].integer()), int(v.items()[1].integer()),
                                         int(v.items()[2].integer())};
        } else if (key == "architecture") {
            s.architecture = parse_architecture(v, name);
        } else {
            throw Error(name + ": unknown key \"" + key +
                        "\" (known: kind, mean, std, latent_output, input, architecture; docs/images.md)");
        }
    }
    if (s.mean.empty() != s.std.empty()) throw Error(name + ": give both \"mean\" and \"std\", or neither");
    return s;
}

ModelSettings read_model_json(std::string_view text, const std::string& name) {
    return parse_model_settings(Json::parse(text, name), name);
}

Json to_json(const ModelSettings& s) {
    Json j = Json::object();
    if (!s.kind.empty()) j.set("kind", s.kind);
    if (!s.mean.empty()) {
        j.set("mean", Json::array_of(s.mean));
        j.set("std", Json::array_of(s.std));
    }
    if (!s.latent_output.empty()) j.set("latent_output", s.latent_output);
    if (s.input) j.set("input", Json::array_of(std::vector<int>(s.input->begin(), s.input->end())));
    if (!s.architecture.is_null()) j.set("architecture", s.architecture);
    return j;
}

// 2. The encoder ----------------------------------------------------------------------------------------------------
EncoderPlan plan_encoder(const OnnxIo& io, const ModelSettings& settings, const std::string& file) {
    EncoderPlan p;
    if (io.inputs.size() != 1)
        throw Error(file + ": the encoder has " + std::to_string(io.inputs.size()) + " inputs (" +
                    quoted_names(io.inputs) + "); one image input N x C x H x W is needed");
    const TensorInfo& in = io.inputs[0];
    p.input = in.name;
    if (in.elem_type != 0 && in.elem_type != 1)
        throw Error(file + ": input '" + in.name + "' is " + elem_type_name(in.elem_type) +
                    "; float32 pixels are needed (export the model in float32)");
    if (in.has_shape && in.dims.size() != 4)
        throw Error(file + ": input '" + in.name + "' is " + shape_text(in) +
                    "; the encoder must take images N x C x H x W (C = 1 or 3)");
    if (!in.has_shape && !settings.input)
        throw Error(file + ": input '" + in.name +
                    "' has no declared shape; give it in model.json as \"input\": [C, H, W]");
    std::array<std::int64_t, 3> chw{-1, -1, -1};
    if (in.has_shape) {
        if (in.dims[0] == 0) throw Error(file + ": input '" + in.name + "' has a batch size of 0");
        p.batch = std::max<std::int64_t>(in.dims[0], 0);
        for (int i = 0; i < 3; ++i) chw[i] = in.dims[1 + i];
    }
    if (settings.input)
        for (int i = 0; i < 3; ++i) {
            const int want = (*settings.input)[i];
            if (chw[i] >= 0 && chw[i] != want)
                throw Error(file + ": input '" + in.name + "' is " + shape_text(in) + ", model.json's \"input\" says " +
                            std::to_string((*settings.input)[0]) + " x " + std::to_string((*settings.input)[1]) +
                            " x " + std::to_string((*settings.input)[2]));
            chw[i] = want;
        }
    if (chw[0] < 0 || chw[1] < 0 || chw[2] < 0)
        throw Error(file + ": input '" + in.name + "' is " + shape_text(in) +
                    ": its channels and size are not fixed in the file; give them in model.json as \"input\": "
                    "[C, H, W]");
    if (chw[0] != 1 && chw[0] != 3)
        throw Error(file + ": input '" + in.name + "' has " + std::to_string(chw[0]) +
                    " channels; images with 1 (gray) or 3 (RGB) channels are needed");
    if (chw[1] < kMinImageSide || chw[1] > kMaxImageSide || chw[2] < kMinImageSide || chw[2] > kMaxImageSide)
        throw Error(file + ": input '" + in.name + "' is " + std::to_string(chw[1]) + " x " + std::to_string(chw[2]) +
                    " pixels; sides from " + std::to_string(kMinImageSide) + " to " + std::to_string(kMaxImageSide) +
                    " are supported");
    p.image = {int(chw[0]), int(chw[1]), int(chw[2])};
    if (!settings.mean.empty() && settings.mean.size() != 1 && int(settings.mean.size()) != p.image.channels)
        throw Error(file + ": model.json's \"mean\" and \"std\" have " + std::to_string(settings.mean.size()) +
                    " values, the input has " + std::to_string(p.image.channels) + " channel(s)");
    if (settings.std.size() != settings.mean.size())
        throw Error(file + ": model.json's \"mean\" and \"std\" have different lengths");

    // Which output is the latent.
    if (io.outputs.empty()) throw Error(file + ": the encoder has no outputs");
    const TensorInfo* latent = nullptr;
    const TensorInfo* logvar = nullptr;
    if (!settings.latent_output.empty()) {
        latent = io.output(settings.latent_output);
        if (!latent)
            throw Error(file + ": no output named '" + settings.latent_output +
                        "' (the outputs: " + quoted_names(io.outputs) + ")");
        for (const TensorInfo& t : io.outputs)
            if (&t != latent && is_4d(t) && same_known_dims(t, *latent)) {
                if (logvar)
                    throw Error(file + ": outputs '" + logvar->name + "' and '" + t.name +
                                "' both have the shape of '" + latent->name +
                                "'; which is the log-variance is unclear");
                logvar = &t;
            }
        p.latent_rule = "the output '" + latent->name + "', as chosen";
    } else if (io.output("mu") && io.output("logvar")) {
        latent = io.output("mu");
        logvar = io.output("logvar");
        p.latent_rule = "the outputs named 'mu' and 'logvar' (a variational encoder)";
    } else if (io.outputs.size() == 1) {
        latent = &io.outputs[0];
        p.latent_rule = "the only output";
    } else {
        std::vector<const TensorInfo*> four;
        for (const TensorInfo& t : io.outputs)
            if (is_4d(t)) four.push_back(&t);
        if (four.size() == 2 && same_known_dims(*four[0], *four[1]))
            throw Error(file + ": outputs '" + four[0]->name + "' and '" + four[1]->name +
                        "' have the same 4-D shape (a variational encoder's mean and log-variance?); say which is "
                        "the latent (the mean): \"latent_output\" in model.json, or --latent-output NAME");
        if (four.size() != 1)
            throw Error(file + ": the encoder has " + std::to_string(io.outputs.size()) + " outputs (" +
                        quoted_names(io.outputs) +
                        "); say which is the latent: \"latent_output\" in model.json, or "
                        "--latent-output NAME");
        latent = four[0];
        p.latent_rule = "the only 4-D output";
    }
    if (latent->elem_type != 0 && latent->elem_type != 1)
        throw Error(file + ": output '" + latent->name + "' is " + elem_type_name(latent->elem_type) +
                    "; a float32 latent is needed");
    if (latent->has_shape && latent->dims.size() != 4)
        throw Error(file + ": output '" + latent->name + "' is " + shape_text(*latent) + "; " + kLatentNeed);
    p.latent = latent->name;
    if (logvar) p.logvar = logvar->name;
    if (latent->has_shape) p.latent_dims = latent->dims;
    return p;
}

Json to_json(const EncoderPlan& p) {
    Json j = Json::object();
    j.set("input_name", p.input);
    j.set("input", Json::array_of(std::vector<int>{p.image.channels, p.image.height, p.image.width}));
    j.set("batch", p.batch > 0 ? Json(p.batch) : Json("any"));
    j.set("latent_output", p.latent);
    j.set("logvar_output", p.variational() ? Json(p.logvar) : Json());
    j.set("latent_rule", p.latent_rule);
    return j;
}

// 3. The decoder -------------------------------------------------------------------------------------------------------
DecoderPlan plan_decoder(const OnnxIo& io, const EncoderPlan& e, const std::string& file) {
    DecoderPlan p;
    if (io.inputs.size() != 1)
        throw Error(file + ": the decoder has " + std::to_string(io.inputs.size()) + " inputs (" +
                    quoted_names(io.inputs) + "); one input, the latent, is needed");
    if (io.outputs.size() != 1)
        throw Error(file + ": the decoder has " + std::to_string(io.outputs.size()) + " outputs (" +
                    quoted_names(io.outputs) + "); one output, the reconstructed image, is needed");
    const TensorInfo& in = io.inputs[0];
    const TensorInfo& out = io.outputs[0];
    p.input = in.name;
    p.output = out.name;
    if (in.has_shape && in.dims.size() != 4)
        throw Error(file + ": input '" + in.name + "' is " + shape_text(in) +
                    "; the decoder must take the latent N x C x H x W");
    if (in.has_shape && in.dims[0] == 0) throw Error(file + ": input '" + in.name + "' has a batch size of 0");
    if (in.has_shape) p.batch = std::max<std::int64_t>(in.dims[0], 0);
    if (in.has_shape && e.latent_dims.size() == 4)
        for (int i = 1; i < 4; ++i)
            if (in.dims[i] >= 0 && e.latent_dims[i] >= 0 && in.dims[i] != e.latent_dims[i])
                throw Error(file + ": input '" + in.name + "' is " + shape_text(in) + ", the encoder's latent is N x " +
                            std::to_string(e.latent_dims[1]) + " x " + std::to_string(e.latent_dims[2]) + " x " +
                            std::to_string(e.latent_dims[3]));
    if (out.has_shape) {
        const std::int64_t want[3] = {e.image.channels, e.image.height, e.image.width};
        bool ok = out.dims.size() == 4;
        for (int i = 1; ok && i < 4; ++i) ok = out.dims[i] < 0 || out.dims[i] == want[i - 1];
        if (!ok)
            throw Error(file + ": output '" + out.name + "' is " + shape_text(out) +
                        "; the reconstruction must have the encoder's input shape N x " + std::to_string(want[0]) +
                        " x " + std::to_string(want[1]) + " x " + std::to_string(want[2]));
    }
    return p;
}

// 4. The latent a run gave ------------------------------------------------------------------------------------------------
std::array<int, 3> latent_shape_of(const std::vector<std::int64_t>& shape, std::size_t n, const std::string& file,
                                   const std::string& output) {
    std::string text;
    for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? " x " : "") + std::to_string(shape[i]);
    if (shape.size() != 4)
        throw Error(file + ": output '" + output + "' is " + (text.empty() ? "a scalar" : text) + " (" +
                    std::to_string(shape.size()) + "-D); " + kLatentNeed);
    if (shape[0] != std::int64_t(n))
        throw Error(file + ": output '" + output + "' is " + text + " for a batch of " + std::to_string(n) +
                    " images; one latent per image is needed");
    for (int i = 1; i < 4; ++i)
        if (shape[i] < 1 || shape[i] > (1 << 20))
            throw Error(file + ": output '" + output + "' is " + text + "; every latent side must be at least 1");
    return {int(shape[1]), int(shape[2]), int(shape[3])};
}

// 5. Normalisation ------------------------------------------------------------------------------------------------------------
namespace {
template <class F>
void per_channel(float* x, std::size_t count, const ImageShape& shape, const ModelSettings& s, F f) {
    if (s.mean.empty()) return;
    const std::size_t plane = std::size_t(shape.height) * std::size_t(shape.width);
    for (std::size_t i = 0; i < count; ++i)
        for (int c = 0; c < shape.channels; ++c) {
            const std::size_t k = s.mean.size() == 1 ? 0 : std::size_t(c);
            float* p = x + (i * std::size_t(shape.channels) + std::size_t(c)) * plane;
            for (std::size_t j = 0; j < plane; ++j) p[j] = f(p[j], s.mean[k], s.std[k]);
        }
}
}  // namespace

void to_model_pixels(float* x, std::size_t count, const ImageShape& shape, const ModelSettings& s) {
    per_channel(x, count, shape, s, [](float v, double m, double d) { return float((double(v) - m) / d); });
}

void from_model_pixels(float* x, std::size_t count, const ImageShape& shape, const ModelSettings& s) {
    per_channel(x, count, shape, s, [](float v, double m, double d) { return float(double(v) * d + m); });
}

Json normalisation_json(const ModelSettings& s) {
    if (s.mean.empty()) return Json();
    ModelSettings declared = s;
    declared.architecture = Json();
    return to_json(declared);
}

// 6. Batches ------------------------------------------------------------------------------------------------------------------
std::size_t run_batch_size(std::int64_t fixed, std::size_t preferred) {
    return fixed > 0 ? std::size_t(fixed) : std::max<std::size_t>(preferred, 1);
}

}  // namespace strata
