// config.cpp: TrainConfig <-> JSON. Index: 1. to_json  2. from JSON  3. resolve_recipe, latent_of, network_of
#include "config.hpp"

#include "error.hpp"

namespace strata::train {

// 1. To JSON -----------------------------------------------------------------------------------------
nlohmann::json to_json(const TrainConfig& c) {
    const KindSpec r = resolve_recipe(c);
    return {
        {"kind", c.kind},
        {"data", c.data},
        {"input", c.input},
        {"latent", latent_of(c)},
        {"epochs", c.epochs},
        {"batch", c.batch},
        {"lr", c.lr},
        {"seed", c.seed},
        {"threads", c.threads},
        {"train_limit", c.train_limit},
        {"eval_images", c.eval_images},
        {"sigma_train", r.sigma_train},
        {"beta", r.beta},
        {"kl_warmup_epochs", r.kl_warmup_epochs},
        {"l1", r.l1},
        {"recon_loss", r.recon},
        {"variational", r.variational},
        {"optimizer", "adam"},
        {"norm", c.arch.norm},
        {"conv_bias", c.arch.conv_bias},
        {"latent_activation", c.arch.latent_activation},
        {"depth", network_of(c).arch.depth},
        {"width", c.arch.width},
    };
}

nlohmann::json architecture_json(const TrainConfig& c) {
    return {{"norm", c.arch.norm},
            {"conv_bias", c.arch.conv_bias},
            {"latent_activation", c.arch.latent_activation},
            {"depth", network_of(c).arch.depth},
            {"width", c.arch.width}};
}

// 2. From JSON -----------------------------------------------------------------------------------------
TrainConfig config_from_json(const nlohmann::json& j, const std::string& source) {
    if (!j.is_object()) throw Error(source + ": a training config must be a JSON object");
    TrainConfig c;
    try {
        for (auto it = j.begin(); it != j.end(); ++it) {
            const std::string& k = it.key();
            const auto& v = it.value();
            if (k == "kind") c.kind = v.get<std::string>();
            else if (k == "data") c.data = v.get<std::string>();
            else if (k == "input") c.input = v.get<Shape3>();
            else if (k == "latent") c.latent = v.get<Shape3>();
            else if (k == "epochs") c.epochs = v.get<int>();
            else if (k == "batch") c.batch = v.get<int>();
            else if (k == "lr") c.lr = v.get<double>();
            else if (k == "seed") c.seed = v.get<std::uint64_t>();
            else if (k == "threads") c.threads = v.get<int>();
            else if (k == "train_limit") c.train_limit = v.get<std::size_t>();
            else if (k == "eval_images") c.eval_images = v.get<std::size_t>();
            else if (k == "sigma_train") c.sigma_train = v.get<double>();
            else if (k == "beta") c.beta = v.get<double>();
            else if (k == "kl_warmup_epochs") c.kl_warmup_epochs = v.get<double>();
            else if (k == "l1") c.l1 = v.get<double>();
            else if (k == "norm") c.arch.norm = v.get<std::string>();
            else if (k == "conv_bias") c.arch.conv_bias = v.get<std::string>();
            else if (k == "latent_activation") c.arch.latent_activation = v.get<std::string>();
            else if (k == "depth") c.arch.depth = v.get<int>();
            else if (k == "width") c.arch.width = v.get<int>();
            else if (k == "recon_loss" || k == "variational" || k == "optimizer") {
            }  // derived, written for readers
            else
                throw Error(source + ": unknown key '" + k + "'");
        }
    } catch (const nlohmann::json::exception& e) { throw Error(source + ": " + e.what()); }
    return c;
}

// 3. Resolve -----------------------------------------------------------------------------------------
KindSpec resolve_recipe(const TrainConfig& c) {
    KindSpec r = find_kind(c.kind);
    if (c.sigma_train >= 0) r.sigma_train = c.sigma_train;
    if (c.beta >= 0) r.beta = c.beta;
    if (c.kl_warmup_epochs >= 0) r.kl_warmup_epochs = c.kl_warmup_epochs;
    if (c.l1 >= 0) r.l1 = c.l1;
    if (c.epochs < 1) throw Error("--epochs must be at least 1");
    if (c.batch < 1) throw Error("--batch must be at least 1");
    if (!(c.lr > 0)) throw Error("--lr must be positive");
    if (c.threads < 1) throw Error("--threads must be at least 1");
    if (r.sigma_train > 1) throw Error("--sigma-train must be in [0, 1]");
    if (c.eval_images < 1) throw Error("--eval-images must be at least 1");
    network_of(c);  // throws when the switches or the shapes do not fit
    return r;
}

Shape3 latent_of(const TrainConfig& c) {
    validate(c.arch);
    return c.latent[0] > 0 ? c.latent : default_latent(c.input, c.arch.depth);
}

NetworkSpec network_of(const TrainConfig& c) {
    const KindSpec& k = find_kind(c.kind);
    return default_network(k.name, k.variational, c.input, latent_of(c), c.arch);
}

}  // namespace strata::train
