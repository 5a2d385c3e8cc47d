// test_train.cpp: model shapes per kind, losses on tiny known inputs, determinism,
// checkpoint/resume equivalence (2 epochs vs 1 + resume 1, and a Ctrl-C stop mid-epoch), and the
// `strata train` command line.
#include "commands.hpp"
#include "fixtures.hpp"
#include "model.hpp"
#include "train.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using namespace strata::train;
using fixtures::error_of;

TEST_SUITE("train") {
    TEST_CASE("every kind has the paper's shapes: 1x28x28 in, 64x7x7 latent, 1x28x28 in (0, 1) out") {
        for (const KindSpec& k : all_kinds()) {
            CAPTURE(k.name);
            torch::manual_seed(0);
            Autoencoder m(default_network(k.name, k.variational));
            const auto out = m->forward(torch::rand({3, 1, 28, 28}));
            CHECK(out.x_hat.sizes() == torch::IntArrayRef({3, 1, 28, 28}));
            CHECK(out.z.sizes() == torch::IntArrayRef({3, 64, 7, 7}));
            CHECK(out.x_hat.min().item<float>() > 0.0f);
            CHECK(out.x_hat.max().item<float>() < 1.0f);
            CHECK(out.mu.defined() == k.variational);
            // The architecture of docs/trainer.md (and of bench/trainer/pytorch_reference.py).
            std::int64_t params = 0;
            for (const auto& p : m->parameters()) params += p.numel();
            CHECK(params == (k.variational ? 177569 : 169249));
            if (k.variational) {
                CHECK(out.logvar.sizes() == torch::IntArrayRef({3, 64, 7, 7}));
                CHECK(m->encode(torch::rand({2, 1, 28, 28})).size() == 2);
            } else {
                // CAE/DAE/sparse latent: the last block's post-ReLU output.
                CHECK(out.z.min().item<float>() >= 0.0f);
                CHECK(m->encode(torch::rand({2, 1, 28, 28})).size() == 1);
            }
        }
    }

    TEST_CASE("loss values on tiny known inputs") {
        AutoencoderOutput out;
        const torch::Tensor x = torch::zeros({2, 1, 2, 2});
        out.x_hat = torch::full({2, 1, 2, 2}, 0.5);
        out.z = torch::tensor({-1.0f, 1.0f, 2.0f, 0.0f}).view({1, 4, 1, 1});
        // MSE averaged over pixels: (0.5)^2.
        KindSpec cae = find_kind("cae");
        CHECK(compute_loss(cae, x, out, 0).total.item<double>() == doctest::Approx(0.25));
        // Sparse: + l1 * mean|z| = 0.25 + 0.5 * 1.
        KindSpec sparse = find_kind("sparse");
        sparse.l1 = 0.5;
        const LossParts ps = compute_loss(sparse, x, out, 0);
        CHECK(ps.l1 == doctest::Approx(1.0));
        CHECK(ps.total.item<double>() == doctest::Approx(0.75));
        // BCE summed over an image's 4 pixels, averaged over the 2 images: 4 ln 2.
        KindSpec vae = find_kind("vae");
        out.mu = torch::zeros({2, 3, 1, 1});
        out.logvar = torch::zeros({2, 3, 1, 1});
        out.mu[0][1][0][0] = 2.0;                // KL of that element 0.5 * 4 = 2, per image mean 1
        out.logvar[1][0][0][0] = std::log(3.0);  // KL 0.5 (3 - 1 - ln 3), per image mean half of it
        const double kl = 1.0 + 0.25 * (3.0 - 1.0 - std::log(3.0));
        const LossParts pv = compute_loss(vae, x, out, 2.0);
        CHECK(pv.recon == doctest::Approx(4.0 * std::log(2.0)));
        CHECK(pv.kl == doctest::Approx(kl));
        CHECK(pv.total.item<double>() == doctest::Approx(4.0 * std::log(2.0) + 2.0 * kl));
        const auto per_channel = kl_per_channel(out.mu, out.logvar);
        CHECK(per_channel[1].item<double>() == doctest::Approx(1.0));
        CHECK(per_channel[2].item<double>() == doctest::Approx(0.0));
    }

    TEST_CASE("determinism: same seed and threads give the same weights, another seed does not") {
        const std::string a = fixtures::temp_dir("det_a"), b = fixtures::temp_dir("det_b"),
                          c = fixtures::temp_dir("det_c");
        run_training(fixtures::tiny_config("dae", a, 1), false);
        run_training(fixtures::tiny_config("dae", b, 1), false);
        auto other = fixtures::tiny_config("dae", c, 1);
        other.seed = 4;
        run_training(other, false);
        const auto pa = trained_parameters(a), pb = trained_parameters(b), pc = trained_parameters(c);
        CHECK(pa.size() > 100000);
        CHECK(pa == pb);
        CHECK(pa != pc);
    }

    TEST_CASE("checkpoint/resume: 2 epochs == 1 epoch + resume 1 == Ctrl-C after 1 batch + resume") {
        for (const std::string kind : {"vae", "dae"}) {  // both random paths: VAE sampling and DAE noise
            CAPTURE(kind);
            const std::string full = fixtures::temp_dir("full"), split = fixtures::temp_dir("split"),
                              stopped = fixtures::temp_dir("stopped");
            const TrainResult rf = run_training(fixtures::tiny_config(kind, full, 2), false);
            CHECK(!rf.interrupted);
            CHECK(rf.history.size() == 2);

            run_training(fixtures::tiny_config(kind, split, 1), false);
            const TrainResult rs = run_training(fixtures::tiny_config(kind, split, 2), true);
            CHECK(rs.history.size() == 2);
            CHECK(trained_parameters(split) == trained_parameters(full));
            CHECK(rs.history[1].loss == rf.history[1].loss);

            std::atomic<bool> stop{true};  // polled after every batch: stops after the first one
            const TrainResult ri = run_training(fixtures::tiny_config(kind, stopped, 2), false, &stop);
            CHECK(ri.interrupted);
            CHECK(ri.history.empty());
            CHECK(trained_parameters(stopped) != trained_parameters(full));
            run_training(fixtures::tiny_config(kind, stopped, 2), true);
            CHECK(trained_parameters(stopped) == trained_parameters(full));
            CHECK(read_history(stopped).size() == 2);
            CHECK(read_history(stopped)[0].loss == doctest::Approx(rf.history[0].loss).epsilon(1e-12));
        }
    }

    // A kill after an epoch's checkpoint but before its log leaves the log behind; --resume (and
    // strata sweep, which reads the log to know which epochs are done) brings it level.
    TEST_CASE("checkpoint/resume: a log behind the checkpoint is brought level by --resume") {
        const std::string dir = fixtures::temp_dir("log_behind");
        run_training(fixtures::tiny_config("cae", dir, 1), false);
        const auto history = read_history(dir);
        REQUIRE(history.size() == 1);
        std::filesystem::remove(dir + "/training_log.json");
        const TrainResult r = run_training(fixtures::tiny_config("cae", dir, 1), true);
        CHECK(r.history.size() == 1);
        REQUIRE(read_history(dir).size() == 1);
        CHECK(read_history(dir)[0].loss == history[0].loss);
        CHECK(read_history(dir)[0].test_psnr == history[0].test_psnr);
    }

    TEST_CASE("strata train: flags, resolved config, resume from config.json, errors") {
        const std::string dir = fixtures::temp_dir("cli");
        const auto& data = fixtures::tiny_data();
        CHECK(strata::cmd::train({"--kind", "sparse", "--out", dir, "--data", data, "--epochs", "1", "--batch", "64",
                                  "--threads", "1", "--l1", "0.01", "--quiet"}) == 0);
        const TrainConfig c = read_run_config(dir);
        CHECK(c.kind == "sparse");
        CHECK(c.l1 == doctest::Approx(0.01));
        CHECK(c.batch == 64);
        const auto h = read_history(dir);
        REQUIRE(h.size() == 1);
        CHECK(h[0].test_psnr > 5.0);
        CHECK(h[0].l1 > 0.0);
        CHECK(strata::cmd::train({"--out", dir, "--resume", "--epochs", "2", "--quiet"}) == 0);
        CHECK(read_history(dir).size() == 2);
        CHECK(error_of([&] {
                  strata::cmd::train({"--out", dir, "--resume", "--lr", "1", "--quiet"});
              }).find("--lr cannot change on --resume") == 0);
        CHECK(error_of([&] {
                  strata::cmd::train({"--kind", "gan", "--out", dir});
              }).find("unknown model kind 'gan'") == 0);
        CHECK(error_of([&] {
                  strata::cmd::train({"--kind", "cae", "--out", dir + "/x", "--data", "/nonexistent"});
              }).find("/nonexistent: no such file or folder") == 0);
        // A config file with the same keys.
        const std::string cfg = dir + "/my.json";
        std::ofstream(cfg)
            << R"({"kind": "dae", "sigma_train": 0.2, "epochs": 1, "batch": 128, "threads": 1, "data": ")" << data
            << R"("})";
        const std::string dir2 = fixtures::temp_dir("cli2");
        CHECK(strata::cmd::train({"--config", cfg, "--out", dir2, "--quiet"}) == 0);
        CHECK(read_run_config(dir2).sigma_train == doctest::Approx(0.2));
        CHECK(read_history(dir2)[0].test_psnr_noisy > 0.0);
    }

}  // TEST_SUITE
