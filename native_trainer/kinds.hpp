// kinds.hpp: the named autoencoder kinds `strata train --kind` knows (torch-free).
//
// Index: 1. KindSpec  2. lookup
//
// Every kind shares one network (model.hpp) and one training loop (train.hpp); a kind is only the
// recipe that differs: whether the encoder has mu/logvar heads, the noise on the training input,
// the reconstruction loss and the extra terms. So a kind is data, and adding one is one entry in
// kinds.cpp (plus a loss term in model.cpp if it needs a new one).
#pragma once
#include <string>
#include <vector>

namespace strata::train {

// 1. The recipe of one kind --------------------------------------------------------------------
struct KindSpec {
    std::string name;               // "cae", "dae", "vae", "beta-vae", "sparse"
    std::string summary;            // one line for --help and the manifest
    bool variational = false;       // encoder outputs mu and logvar; loss has a KL term
    std::string recon;              // "mse" (mean over pixels) or "bce-sum" (summed over an image's pixels)
    double sigma_train = 0.0;       // std of the Gaussian noise added to training inputs (then clipped)
    double beta = 0.0;              // KL weight (variational kinds)
    double kl_warmup_epochs = 0.0;  // KL weight ramps linearly from 0 to beta over this many epochs
    double l1 = 0.0;                // weight of mean |z| (sparse AE)
};

// 2. Lookup ------------------------------------------------------------------------------------
const std::vector<KindSpec>& all_kinds();
// Throws strata::Error listing the known kinds when `name` is not one of them.
const KindSpec& find_kind(const std::string& name);

}  // namespace strata::train
