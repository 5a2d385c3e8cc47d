// kinds.cpp: the table of kinds. Index: 1. the kinds  2. lookup
//
// Why these defaults (docs/trainer.md has the measurements):
//  - cae/dae/sparse: per-pixel MSE, as in the paper's CAE/DAE; the DAE sees y = clip(x + 0.1 e, 0, 1)
//    and is asked for the clean x.
//  - vae: a Bernoulli decoder (BCE summed over the 784 pixels of an image) against the KL of the
//    64x7x7 latent. With beta = 1 this VAE collapses to the mean image (13 dB, pilot in
//    docs/trainer.md) because the latent has 4x more dimensions than the image; so our "vae" is a
//    beta-VAE with beta = 0.03 < 1 (pilot: 23.4 dB after 2 half epochs; beta 0.1 gave 21.0), named as such here and in the manifest, with a KL warm-up.
//  - beta-vae: the disentangling variant (beta > 1), beyond the paper.
#include "kinds.hpp"

#include "error.hpp"

namespace strata::train {

// 1. The kinds ---------------------------------------------------------------------------------
const std::vector<KindSpec>& all_kinds() {
    static const std::vector<KindSpec> kinds = {
        {"cae", "convolutional autoencoder, per-pixel MSE", false, "mse", 0.0, 0.0, 0.0, 0.0},
        {"dae", "denoising autoencoder: input clip(x + sigma_train e, 0, 1), target x, MSE", false, "mse", 0.1, 0.0,
         0.0, 0.0},
        {"vae", "variational autoencoder: summed BCE + beta KL, beta = 0.03 < 1, KL warm-up 1 epoch", true, "bce-sum",
         0.0, 0.03, 1.0, 0.0},
        {"beta-vae", "beta-VAE: summed BCE + beta KL with beta = 4, KL warm-up 1 epoch", true, "bce-sum", 0.0, 4.0, 1.0,
         0.0},
        {"sparse", "sparse autoencoder: MSE + l1 * mean|z| with l1 = 1e-3", false, "mse", 0.0, 0.0, 0.0, 1e-3},
    };
    return kinds;
}

// 2. Lookup ------------------------------------------------------------------------------------
const KindSpec& find_kind(const std::string& name) {
    std::string known;
    for (const KindSpec& k : all_kinds()) {
        if (k.name == name) return k;
        known += (known.empty() ? "" : ", ") + k.name;
    }
    throw Error("unknown model kind '" + name + "' (known: " + known + ")");
}

}  // namespace strata::train
