// network.cpp: the architecture table (see network.hpp for the picture and the rule for other shapes).
#include "network.hpp"

#include "error.hpp"

#include <cstdlib>

namespace strata::train {

namespace {
std::string text(const Shape3& s) {
    return std::to_string(s[0]) + "x" + std::to_string(s[1]) + "x" + std::to_string(s[2]);
}
}  // namespace

Shape3 parse_shape(const std::string& t, const std::string& flag) {
    Shape3 s{};
    std::size_t at = 0;
    for (int i = 0; i < 3; ++i) {
        const std::size_t end = i < 2 ? t.find('x', at) : t.size();
        const std::string part = end == std::string::npos ? "" : t.substr(at, end - at);
        char* stop = nullptr;
        const long v = part.empty() ? 0 : std::strtol(part.c_str(), &stop, 10);
        if (part.empty() || *stop != '\0' || v < 1 || v > 4096)
            throw Error(flag + ": expected CxHxW with positive sizes (e.g. 3x32x32), got '" + t + "'");
        s[std::size_t(i)] = int(v);
        at = end + 1;
    }
    return s;
}

void validate(const Architecture& a) {
    if (a.norm != "batch" && a.norm != "none") throw Error("--norm: expected batch or none, got '" + a.norm + "'");
    if (a.conv_bias != "on" && a.conv_bias != "off")
        throw Error("--conv-bias: expected on or off, got '" + a.conv_bias + "'");
    if (a.latent_activation != "relu" && a.latent_activation != "none" && a.latent_activation != "leaky-relu")
        throw Error("--latent-activation: expected relu, none or leaky-relu, got '" + a.latent_activation + "'");
    if (a.depth < 0 || a.depth > 7)
        throw Error("--depth: expected 1 to 7 stride-2 stages, got " + std::to_string(a.depth));
    if (a.width < 1 || a.width > 512)
        throw Error("--width: expected 1 to 512 channels, got " + std::to_string(a.width));
}

Shape3 default_latent(const Shape3& input, int depth) {
    const int d = depth > 0 ? depth : 2, f = 1 << d;
    if (input[1] % f || input[2] % f)
        throw Error("--input " + text(input) + ": H and W are not multiples of " + std::to_string(f) + " (" +
                    std::to_string(d) + " stride-2 stages); give the latent with --latent CxHxW" +
                    (depth > 0 ? " or another --depth" : ""));
    return {64, input[1] / f, input[2] / f};
}

NetworkSpec default_network(const std::string& kind, bool variational, const Shape3& input, const Shape3& latent,
                            const Architecture& arch) {
    validate(arch);
    const bool norm = arch.norm == "batch", bias = arch.conv_bias == "on";
    // `bn`: the block is a hidden one, followed by batch norm when --norm batch.
    auto conv = [&](const std::string& name, bool transposed, int in, int out, int k, int s, int p, bool bn,
                    Activation a) {
        LayerSpec l;
        l.name = name;
        l.transposed = transposed;
        l.in = in, l.out = out, l.kernel = k, l.stride = s, l.pad = p;
        l.batch_norm = bn && norm;
        l.bias = !l.batch_norm && bias;
        l.activation = a;
        return l;
    };
    if (input[0] != 1 && input[0] != 3) throw Error("--input " + text(input) + ": 1 or 3 channels");
    if (input[1] < 8 || input[1] > 256 || input[2] < 8 || input[2] > 256)
        throw Error("--input " + text(input) + ": sides from 8 to 256");
    // The number of stride-2 stages: H / H' = W / W' = 2^s.
    int stages = 0;
    while (stages < 8 && (latent[1] << stages) < input[1]) ++stages;
    if (stages < 1 || (latent[1] << stages) != input[1] || (latent[2] << stages) != input[2])
        throw Error("--latent " + text(latent) + ": its H and W must be --input's (" + text(input) +
                    ") divided by the same power of two, at least 2");
    if (arch.depth > 0 && stages != arch.depth)
        throw Error("--depth " + std::to_string(arch.depth) + ": the latent " + text(latent) + " is " +
                    std::to_string(stages) + " stride-2 stage(s) from --input " + text(input) +
                    " (H / H' = 2^depth); drop --latent or give one of H / " + std::to_string(1 << arch.depth) +
                    " x W / " + std::to_string(1 << arch.depth));
    std::vector<int> width;  // channels after each stride-2 stage: W, 2 W, 2 W, ... (32, 64, 64, ... by default)
    for (int i = 0; i < stages; ++i) width.push_back(i == 0 ? arch.width : 2 * arch.width);
    const Activation latent_act = arch.latent_activation == "relu"         ? Activation::Relu
                                  : arch.latent_activation == "leaky-relu" ? Activation::LeakyRelu
                                                                           : Activation::None;
    NetworkSpec n;
    n.kind = kind;
    n.variational = variational;
    n.arch = arch;
    n.arch.depth = stages;
    n.input_c = input[0], n.input_h = input[1], n.input_w = input[2];
    n.latent_c = latent[0], n.latent_h = latent[1], n.latent_w = latent[2];
    for (int i = 0; i < stages; ++i)
        n.encoder.push_back(conv("enc" + std::to_string(i + 1), false, i == 0 ? input[0] : width[i - 1], width[i], 4, 2,
                                 1, true, Activation::Relu));
    n.encoder.push_back(
        conv("enc" + std::to_string(stages + 1), false, width.back(), latent[0], 3, 1, 1, true, latent_act));
    if (variational) {
        n.mu = conv("mu", false, latent[0], latent[0], 1, 1, 0, false, Activation::None);
        n.logvar = conv("logvar", false, latent[0], latent[0], 1, 1, 0, false, Activation::None);
    }
    for (int j = 0; j < stages; ++j)
        n.decoder.push_back(conv("dec" + std::to_string(j + 1), true, j == 0 ? latent[0] : width[stages - j],
                                 width[stages - 1 - j], 4, 2, 1, true, Activation::Relu));
    n.decoder.push_back(
        conv("dec" + std::to_string(stages + 1), true, width[0], input[0], 3, 1, 1, false, Activation::Sigmoid));
    return n;
}

}  // namespace strata::train
