// train.cpp: the training loop and its checkpoints (LibTorch).
//
// Index: 1. helpers (seeds, shuffles, tensors)  2. checkpoints  3. evaluation  4. run_training
//        5. reading a trained run  6. BLAS check
#include "train.hpp"

#include "error.hpp"
#include "fileio.hpp"
#include "idx.hpp"
#include "image_source.hpp"
#include "images.hpp"
#include "model.hpp"
#include "progress.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>

namespace strata::train {
namespace {

// 1. Helpers -------------------------------------------------------------------------------------------
// SplitMix64 finaliser: a well-mixed 64-bit seed from (seed, epoch, batch).
std::uint64_t mix(std::uint64_t seed, std::uint64_t a, std::uint64_t b) {
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (a + 1) + 0xD1B54A32D192ED03ull * (b + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (z ^ (z >> 31)) & 0x7fffffffffffffffull;  // torch seeds are used as signed in places
}

// Batch order of one epoch; our own Fisher-Yates so the order does not depend on the C++ library.
std::vector<std::int64_t> epoch_order(std::size_t n, std::uint64_t seed, int epoch) {
    std::vector<std::int64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 gen(mix(seed, std::uint64_t(epoch), 0xF15E));
    for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[gen() % i]);
    return order;
}

torch::Tensor images_tensor(const std::vector<float>& v, std::size_t first, std::size_t count, const Shape3& shape) {
    const std::size_t size = std::size_t(shape[0]) * std::size_t(shape[1]) * std::size_t(shape[2]);
    return torch::from_blob(const_cast<float*>(v.data() + first * size),
                            {std::int64_t(count), shape[0], shape[1], shape[2]}, torch::kFloat32)
        .clone();
}

// The training and evaluation images at the network's input shape. An IDX folder gives its train
// and test splits (1 x 28 x 28 as stored, other shapes converted by the images rule); any other
// source (a folder of PNG/JPEG, a .npy, an IDX file) is split: its last min(eval_images, count / 10)
// images (at least 1) evaluate, the others train.
struct TrainImages {
    torch::Tensor train, eval;
};

TrainImages load_training_images(const TrainConfig& c) {
    const std::string path = c.data.empty() ? data::default_data_dir() : c.data;
    const Shape3& s = c.input;
    if (!data::find_split_file(path, data::Split::Train, true).empty()) {
        const auto train_set = data::load_split(path, data::Split::Train, c.train_limit);
        const auto test_set = data::load_split(path, data::Split::Test, c.eval_images);
        auto floats = [&](const data::Dataset& d) {
            if (s == kDefaultInput) return data::to_unit_floats(d.images, 0, d.images.count);
            return image_set_from_idx(d.images, nullptr, d.images_path, s[0], s[1], s[2], 0).pixels;
        };
        return {images_tensor(floats(train_set), 0, train_set.images.count, s),
                images_tensor(floats(test_set), 0, test_set.images.count, s)};
    }
    data::ImageSource src = data::load_images(path, s[0], s[1], s[2], 0);
    data::warn_skipped(src);
    const std::size_t count = src.images.count;
    if (count < 2) throw Error(path + ": " + std::to_string(count) + " usable image(s); training needs at least 2");
    const std::size_t eval = std::max<std::size_t>(1, std::min(c.eval_images, count / 10));
    std::size_t train = count - eval;
    if (c.train_limit > 0) train = std::min(train, c.train_limit);
    if (c.progress)
        std::fprintf(stderr, "strata train: %s (%s): %zu images train, the last %zu evaluate\n", path.c_str(),
                     src.kind.c_str(), train, eval);
    return {images_tensor(src.images.pixels, 0, train, s), images_tensor(src.images.pixels, count - eval, eval, s)};
}

std::string dir_file(const std::string& dir, const char* name) { return dir + "/" + name; }

nlohmann::json history_json(const std::vector<EpochRecord>& h) {
    nlohmann::json a = nlohmann::json::array();
    for (const EpochRecord& r : h) {
        nlohmann::json e = {{"epoch", r.epoch},
                            {"loss", r.loss},
                            {"recon", r.recon},
                            {"kl", r.kl},
                            {"l1", r.l1},
                            {"images_per_s", r.images_per_s},
                            {"test_psnr", r.test_psnr}};
        if (r.test_psnr_noisy >= 0) e["test_psnr_noisy"] = r.test_psnr_noisy;
        if (!r.kl_per_channel.empty()) e["kl_per_channel"] = r.kl_per_channel;
        a.push_back(e);
    }
    return a;
}

std::vector<EpochRecord> history_from_json(const nlohmann::json& a) {
    std::vector<EpochRecord> h;
    for (const auto& e : a) {
        EpochRecord r;
        r.epoch = e.at("epoch");
        r.loss = e.at("loss"), r.recon = e.at("recon"), r.kl = e.at("kl"), r.l1 = e.at("l1");
        r.images_per_s = e.at("images_per_s"), r.test_psnr = e.at("test_psnr");
        if (e.contains("test_psnr_noisy")) r.test_psnr_noisy = e.at("test_psnr_noisy");
        if (e.contains("kl_per_channel")) r.kl_per_channel = e.at("kl_per_channel").get<std::vector<double>>();
        h.push_back(r);
    }
    return h;
}

void write_log(const TrainConfig& config, const std::vector<EpochRecord>& history) {
    nlohmann::json log = {{"config", to_json(config)}, {"history", history_json(history)}};
    cmd::write_file_atomic(dir_file(config.out, "training_log.json"), log.dump(2) + "\n");
}

// 2. Checkpoints ----------------------------------------------------------------------------------------
// One torch archive: the module, the Adam state, where the run stands (epoch, next batch, global
// step, the running sums of the unfinished epoch) and the history as JSON text.
struct Position {
    int epoch = 0;                                           // 0-based epoch in progress
    std::int64_t batch = 0;                                  // next batch of that epoch
    std::int64_t step = 0;                                   // optimizer steps so far
    std::vector<double> sums = std::vector<double>(6, 0.0);  // loss, recon, kl, l1, batches, seconds
};

void save_checkpoint(const std::string& path, Autoencoder& model, torch::optim::Adam& opt, const Position& pos,
                     const std::vector<EpochRecord>& history, const std::string& kind) {
    torch::serialize::OutputArchive ar, m, o;
    model->save(m);
    opt.save(o);
    ar.write("model", m);
    ar.write("optimizer", o);
    ar.write("position", torch::tensor({std::int64_t(pos.epoch), pos.batch, pos.step}, torch::kInt64));
    ar.write("sums", torch::tensor(pos.sums, torch::kFloat64));
    ar.write("history", c10::IValue(history_json(history).dump()));
    ar.write("kind", c10::IValue(kind));
    std::ostringstream ss;
    ar.save_to(ss);
    cmd::write_file_atomic(path, ss.str());
}

void load_checkpoint(const std::string& path, Autoencoder& model, torch::optim::Adam* opt, Position* pos,
                     std::vector<EpochRecord>* history, const std::string& kind) {
    torch::serialize::InputArchive ar;
    try {
        ar.load_from(path);
    } catch (const c10::Error& e) {
        throw Error(path + ": not a readable checkpoint (" + std::string(e.what_without_backtrace()).substr(0, 200) +
                    ")");
    }
    c10::IValue k;
    ar.read("kind", k);
    if (k.toStringRef() != kind)
        throw Error(path + ": checkpoint of a '" + k.toStringRef() + "' model, config says '" + kind + "'");
    torch::serialize::InputArchive m;
    ar.read("model", m);
    try {
        model->load(m);
    } catch (const c10::Error& e) {
        throw Error(path + ": checkpoint does not match the network (" +
                    std::string(e.what_without_backtrace()).substr(0, 200) + ")");
    }
    if (opt) {
        torch::serialize::InputArchive o;
        ar.read("optimizer", o);
        opt->load(o);
    }
    if (pos) {
        torch::Tensor p, s;
        ar.read("position", p);
        ar.read("sums", s);
        pos->epoch = int(p[0].item<std::int64_t>());
        pos->batch = p[1].item<std::int64_t>();
        pos->step = p[2].item<std::int64_t>();
        for (int i = 0; i < 6; ++i) pos->sums[i] = s[i].item<double>();
    }
    if (history) {
        c10::IValue h;
        ar.read("history", h);
        *history = history_from_json(nlohmann::json::parse(h.toStringRef()));
    }
}

// 3. Evaluation ----------------------------------------------------------------------------------------
// Mean PSNR of decode(encode(input)) against `clean` (VAE: decoded from mu), in batches.
double mean_psnr(Autoencoder& model, const torch::Tensor& input, const torch::Tensor& clean) {
    double sum = 0;
    const std::int64_t n = clean.size(0);
    for (std::int64_t i = 0; i < n; i += 256) {
        const std::int64_t j = std::min(n, i + 256);
        auto enc = model->encode(input.slice(0, i, j));
        torch::Tensor mse = (model->decode(enc[0]) - clean.slice(0, i, j)).pow(2).flatten(1).mean(1);
        sum += (10.0 * torch::log10(1.0 / mse.clamp_min(1e-10))).sum().item<double>();
    }
    return sum / double(n);
}

void evaluate(Autoencoder& model, const KindSpec& recipe, const torch::Tensor& test, std::uint64_t seed,
              EpochRecord& r) {
    torch::NoGradGuard no_grad;
    model->eval();
    r.test_psnr = mean_psnr(model, test, test);
    if (recipe.sigma_train > 0) {
        torch::manual_seed(std::int64_t(mix(seed, 0xE7A1, 0)));
        torch::Tensor noisy = (test + recipe.sigma_train * torch::randn_like(test)).clamp(0.0, 1.0);
        r.test_psnr_noisy = mean_psnr(model, noisy, test);
    }
    if (recipe.variational) {
        auto enc = model->encode(test);
        torch::Tensor kl = kl_per_channel(enc[0], enc[1]).contiguous();
        r.kl_per_channel.assign(kl.data_ptr<float>(), kl.data_ptr<float>() + kl.numel());
    }
    model->train();
}

}  // namespace

// 4. The run ---------------------------------------------------------------------------------------------
TrainResult run_training(const TrainConfig& config, bool resume, const std::atomic<bool>* stop) {
    const KindSpec recipe = resolve_recipe(config);
    if (config.out.empty()) throw Error("--out DIR is required");
    check_blas();
    torch::set_num_threads(config.threads);

    const TrainImages images = load_training_images(config);
    const torch::Tensor x_train = images.train;
    const torch::Tensor x_test = images.eval;
    const std::int64_t n = x_train.size(0);
    const std::int64_t steps = (n + config.batch - 1) / config.batch;

    cmd::make_directories(config.out);
    const std::string ckpt = dir_file(config.out, "checkpoint.pt");
    // A run killed while writing (SIGKILL, power loss) leaves its temporary file; the target
    // itself is the previous complete version.
    for (const char* name : {"checkpoint.pt", "config.json", "training_log.json"})
        cmd::remove_stale_temporaries(dir_file(config.out, name));
    torch::manual_seed(std::int64_t(config.seed));
    Autoencoder model(network_of(config));
    torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(config.lr));
    Position pos;
    TrainResult result;
    if (resume) {
        load_checkpoint(ckpt, model, &opt, &pos, &result.history, recipe.name);
        if (pos.batch >= steps) {
            pos.epoch += 1;
            pos.batch = 0;
            pos.sums.assign(6, 0.0);
        }
    }
    cmd::write_file_atomic(dir_file(config.out, "config.json"), to_json(config).dump(2) + "\n");
    // A kill between the checkpoint and the log of an epoch leaves the log one epoch behind: bring
    // it level, so the log always tells which epochs are done (strata sweep reads it).
    if (resume && !result.history.empty()) {
        std::size_t logged = 0;
        try {
            logged = read_history(config.out).size();
        } catch (const Error&) {}  // missing or unreadable: written anew
        if (logged < result.history.size()) write_log(config, result.history);
    }
    model->train();

    for (int epoch = pos.epoch; epoch < config.epochs; ++epoch) {
        const auto order = epoch_order(std::size_t(n), config.seed, epoch);
        const torch::Tensor order_t = torch::tensor(order, torch::kInt64);
        char label[64];
        std::snprintf(label, sizeof label, "%s epoch %d/%d", recipe.name.c_str(), epoch + 1, config.epochs);
        ProgressBar bar(label, n, config.progress);
        const auto t0 = std::chrono::steady_clock::now();
        const double seconds_before = pos.sums[5];
        for (std::int64_t b = pos.batch; b < steps; ++b) {
            torch::manual_seed(std::int64_t(mix(config.seed, std::uint64_t(epoch), std::uint64_t(b))));
            const torch::Tensor idx = order_t.slice(0, b * config.batch, std::min(n, (b + 1) * config.batch));
            const torch::Tensor x = x_train.index_select(0, idx);
            torch::Tensor input = x;
            if (recipe.sigma_train > 0) input = (x + recipe.sigma_train * torch::randn_like(x)).clamp(0.0, 1.0);
            // KL weight: beta times a linear ramp over the first kl_warmup_epochs epochs (by step).
            const double ramp = recipe.kl_warmup_epochs > 0
                                    ? std::min(1.0, double(pos.step) / (recipe.kl_warmup_epochs * double(steps)))
                                    : 1.0;
            const AutoencoderOutput out = model->forward(input);
            const LossParts loss = compute_loss(recipe, x, out, recipe.beta * ramp);
            opt.zero_grad();
            loss.total.backward();
            opt.step();
            pos.step += 1;
            pos.batch = b + 1;
            const double lv = loss.total.item<double>();
            if (!std::isfinite(lv))
                throw Error("training diverged (loss " + std::to_string(lv) + ") at epoch " +
                            std::to_string(epoch + 1) + "; try a smaller --lr");
            pos.sums[0] += lv, pos.sums[1] += loss.recon, pos.sums[2] += loss.kl, pos.sums[3] += loss.l1,
                pos.sums[4] += 1;
            pos.sums[5] = seconds_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            char extra[96];
            std::snprintf(extra, sizeof extra, "loss %.5g", pos.sums[0] / pos.sums[4]);
            bar.update(std::min(n, (b + 1) * config.batch), extra);
            if (stop && stop->load()) {
                save_checkpoint(ckpt, model, opt, pos, result.history, recipe.name);
                if (config.progress)
                    std::fprintf(stderr, "\ninterrupted: checkpoint saved to %s (resume with --resume)\n",
                                 ckpt.c_str());
                result.interrupted = true;
                return result;
            }
        }
        EpochRecord r;
        r.epoch = epoch + 1;
        r.loss = pos.sums[0] / pos.sums[4], r.recon = pos.sums[1] / pos.sums[4];
        r.kl = pos.sums[2] / pos.sums[4], r.l1 = pos.sums[3] / pos.sums[4];
        r.images_per_s = pos.sums[5] > 0 ? double(n) / pos.sums[5] : 0.0;
        evaluate(model, recipe, x_test, config.seed, r);
        result.history.push_back(r);
        char extra[160];
        std::snprintf(extra, sizeof extra, "loss %.5g  test PSNR %.2f dB%s  %.0f img/s", r.loss, r.test_psnr,
                      r.test_psnr_noisy >= 0
                          ? (" (noisy " + std::to_string(r.test_psnr_noisy).substr(0, 5) + " dB)").c_str()
                          : "",
                      r.images_per_s);
        bar.finish(extra);
        pos = Position{epoch + 1, 0, pos.step, std::vector<double>(6, 0.0)};
        try {
            save_checkpoint(ckpt, model, opt, pos, result.history, recipe.name);
        } catch (const Error& e) {
            // Training stops: going on without a checkpoint would risk hours of work. The
            // previous checkpoint (if any) is untouched, so --resume restarts from it.
            throw Error(std::string(e.what()) + " (training stopped after epoch " + std::to_string(epoch + 1) +
                        "; the previous checkpoint is kept)");
        }
        write_log(config, result.history);
    }
    return result;
}

// 5. Reading a trained run ------------------------------------------------------------------------------
TrainConfig read_run_config(const std::string& dir) {
    const std::string path = dir_file(dir, "config.json");
    const auto bytes = cmd::read_file(path);
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(bytes.begin(), bytes.end());
    } catch (const nlohmann::json::exception& e) { throw Error(path + ": " + e.what()); }
    TrainConfig c = config_from_json(j, path);
    c.out = dir;
    return c;
}

namespace {
Autoencoder load_model_dir(const std::string& dir) {
    const TrainConfig c = read_run_config(dir);
    const KindSpec recipe = resolve_recipe(c);
    Autoencoder model(network_of(c));
    load_checkpoint(dir_file(dir, "checkpoint.pt"), model, nullptr, nullptr, nullptr, recipe.name);
    model->eval();
    return model;
}
}  // namespace

Autoencoder load_autoencoder(const std::string& dir) { return load_model_dir(dir); }

NetworkSpec load_trained_network(const std::string& dir) {
    Autoencoder model = load_model_dir(dir);
    return to_network_spec(*model);
}

std::vector<float> trained_parameters(const std::string& dir) {
    Autoencoder model = load_model_dir(dir);
    std::vector<float> out;
    for (const auto& t : model->parameters()) {
        torch::Tensor c = t.detach().contiguous();
        out.insert(out.end(), c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    }
    for (const auto& t : model->buffers()) {
        torch::Tensor c = t.detach().to(torch::kFloat32).contiguous();
        out.insert(out.end(), c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    }
    return out;
}

std::vector<EpochRecord> read_history(const std::string& dir) {
    const std::string path = dir_file(dir, "training_log.json");
    const auto bytes = cmd::read_file(path);
    try {
        return history_from_json(nlohmann::json::parse(bytes.begin(), bytes.end()).at("history"));
    } catch (const nlohmann::json::exception& e) { throw Error(path + ": " + e.what()); }
}

// 6. BLAS check ----------------------------------------------------------------------------------------
std::string check_blas() {
    // The dynamic loader's view: which libblas.so.3 is mapped into this process.
    std::ifstream maps("/proc/self/maps");
    std::string line, warning;
    while (std::getline(maps, line)) {
        if (line.find("openblas-pthread") != std::string::npos)
            warning =
                "the BLAS is libopenblas0-pthread, whose threads fight LibTorch's OpenMP (about 2x slower "
                "training); install libopenblas0-openmp";
        else if (line.find("/blas/libblas.so") != std::string::npos)
            warning = "the BLAS is the reference libblas (about 8x slower training); install libopenblas0-openmp";
        if (!warning.empty()) break;
    }
    if (!warning.empty()) std::fprintf(stderr, "strata train: warning: %s\n", warning.c_str());
    return warning;
}

}  // namespace strata::train
