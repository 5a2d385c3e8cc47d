// network.cpp: the architecture table (see network.hpp for the picture).
#include "network.hpp"

namespace strata::train {

NetworkSpec default_network(const std::string& kind, bool variational) {
    auto conv = [](const char* name, bool transposed, int in, int out, int k, int s, int p, bool bn, Activation a) {
        LayerSpec l;
        l.name = name;
        l.transposed = transposed;
        l.in = in, l.out = out, l.kernel = k, l.stride = s, l.pad = p;
        l.batch_norm = bn;
        l.bias = !bn;
        l.activation = a;
        return l;
    };
    NetworkSpec n;
    n.kind = kind;
    n.variational = variational;
    n.encoder = {conv("enc1", false, 1, 32, 4, 2, 1, true, Activation::Relu),
                 conv("enc2", false, 32, 64, 4, 2, 1, true, Activation::Relu),
                 conv("enc3", false, 64, 64, 3, 1, 1, true, Activation::Relu)};
    if (variational) {
        n.mu = conv("mu", false, 64, 64, 1, 1, 0, false, Activation::None);
        n.logvar = conv("logvar", false, 64, 64, 1, 1, 0, false, Activation::None);
    }
    n.decoder = {conv("dec1", true, 64, 64, 4, 2, 1, true, Activation::Relu),
                 conv("dec2", true, 64, 32, 4, 2, 1, true, Activation::Relu),
                 conv("dec3", true, 32, 1, 3, 1, 1, false, Activation::Sigmoid)};
    return n;
}

}  // namespace strata::train
