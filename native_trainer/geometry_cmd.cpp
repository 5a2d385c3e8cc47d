// geometry_cmd.cpp: `strata geometry`, the analysis of latents the user brings as .npy files.
//
// Index: 1. flags  2. reading the sets  3. running and writing the results
//
//   strata geometry --clean CLEAN.npy [--noisy SIGMA=PATH.npy ...] [analysis flags]
//                   [--landmarks M [--seed S]] --out RESULT.json [--csv DIR]
#include "commands.hpp"

#include "analysis.hpp"
#include "error.hpp"
#include "fileio.hpp"
#include "geometry_flags.hpp"
#include "npy.hpp"
#include "results_csv.hpp"
#include "results_json.hpp"
#include "sha256.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace strata::cmd {

namespace {

// 1. Flags ----------------------------------------------------------------------------------------
std::vector<FlagSpec> flag_specs() {
    std::vector<FlagSpec> specs = {
        {"--clean", "latents of the clean images: .npy, N x C x H x W, float32 or float64"},
        {"--noisy", "SIGMA=PATH.npy: latents of the same images at noise SIGMA (repeatable)"},
        {"--out", "where to write the result JSON"},
        {"--csv", "also write summary.csv and samples.csv into this folder"},
        {"--seed", "seed of the landmark draw with --landmarks (default 0)"},
        {"--quiet", "no progress on stderr", true},
    };
    for (FlagSpec& f : geometry_flag_specs()) specs.push_back(f);
    return specs;
}

// 2. Reading -----------------------------------------------------------------------------------------
struct Input {
    std::string path;
    double sigma = 0.0;
    std::string sha256;
    std::string dtype;
    LatentSet set;
};

Input read_set(const std::string& path, double sigma) {
    const std::vector<unsigned char> bytes = read_file(path);
    const NpyArray array = parse_npy(bytes.data(), bytes.size(), path);
    Input in;
    in.path = path;
    in.sigma = sigma;
    in.sha256 = sha256_hex(bytes.data(), bytes.size());
    in.dtype = array.dtype;
    in.set = latent_set_from_npy(array, path, sigma);
    return in;
}

// "0.1=noisy.npy" -> (0.1, "noisy.npy")
std::pair<double, std::string> split_noisy(const std::string& spec) {
    const std::size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
        throw Error("--noisy: expected SIGMA=PATH.npy, got '" + spec + "'");
    const double sigma = parse_number("--noisy", spec.substr(0, eq));
    if (sigma < 0.0) throw Error("--noisy: sigma must be >= 0, got '" + spec.substr(0, eq) + "'");
    return {sigma, spec.substr(eq + 1)};
}

}  // namespace

// 3. The command ----------------------------------------------------------------------------------------
int geometry(const Args& raw) {
    const ArgParser args(raw, flag_specs());
    if (args.help_requested()) {
        std::fputs(args.help_text("strata geometry --clean CLEAN.npy [--noisy SIGMA=PATH.npy ...] [options] "
                                  "--out RESULT.json [--csv DIR]")
                       .c_str(),
                   stdout);
        return 0;
    }
    if (!args.positional().empty()) throw Error("unexpected argument '" + args.positional()[0] + "'");
    GeometrySettings settings = parse_geometry_flags(args);
    const long seed = args.integer("--seed", 0);
    if (seed < 0) throw Error("--seed: must be >= 0");
    settings.landmark_seed = std::uint64_t(seed);
    const std::string out_path = args.required("--out");
    const bool quiet = args.has("--quiet");

    // Noisy sets are ordered by ascending sigma; a sigma given twice is ambiguous.
    std::vector<std::pair<double, std::string>> noisy;
    for (const std::string& spec : args.all("--noisy")) noisy.push_back(split_noisy(spec));
    std::stable_sort(noisy.begin(), noisy.end(), [](auto& a, auto& b) { return a.first < b.first; });
    for (std::size_t i = 1; i < noisy.size(); ++i)
        if (noisy[i].first == noisy[i - 1].first)
            throw Error("--noisy: sigma " + std::to_string(noisy[i].first) + " is given twice");

    std::vector<Input> inputs;
    inputs.push_back(read_set(args.required("--clean"), 0.0));
    for (const auto& [sigma, path] : noisy) inputs.push_back(read_set(path, sigma));

    std::vector<LatentSet> sets;
    for (Input& in : inputs) sets.push_back(std::move(in.set));
    const auto start = std::chrono::steady_clock::now();
    std::string last_stage;
    const GeometryResult result = analyze_geometry(sets, settings, [&](const std::string& stage, double f) {
        if (quiet || stage == last_stage) return;
        last_stage = stage;
        std::fprintf(stderr, "strata geometry: %3.0f%% %s\n", 100.0 * f, stage.c_str());
    });
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    // Everything that determines the numbers (docs/method.md section 9) goes into the settings.
    Json json = to_json(result);
    Json* s = json.find("settings");
    Json files = Json::array();
    std::vector<double> sigmas;
    for (const Input& in : inputs) {
        Json f = Json::object();
        f.set("path", in.path);
        f.set("sigma", in.sigma);
        f.set("sha256", in.sha256);
        f.set("dtype", in.dtype);
        files.push(std::move(f));
        sigmas.push_back(in.sigma);
    }
    s->set("dataset", "latents from .npy files (see inputs)");
    s->set("inputs", std::move(files));
    s->set("n", sets[0].n);
    s->set("samples", "all samples of each file, in file order");
    s->set("sigmas", Json::array_of(sigmas));
    s->set("seed", result.landmarks ? Json(static_cast<unsigned long long>(settings.landmark_seed)) : Json());
    s->set("vae_latent", Json());
    json.set("seconds", seconds);
    // The result and its CSV tables are written together: a failed write changes none of them.
    std::vector<FileContent> outputs{{out_path, json.dump(1) + "\n"}};
    if (auto dir = args.get("--csv")) {
        std::vector<CsvSet> rows;
        for (const SetResult& r : result.sets) rows.push_back({"", &r, std::nullopt, std::nullopt});
        for (FileContent& f : csv_tables(*dir, rows)) outputs.push_back(std::move(f));
    }
    write_files_atomic(outputs);
    if (!quiet) {
        for (const SetResult& r : result.sets) {
            std::fprintf(stderr, "  sigma %-5g n %-5zu strata %-3zu %-10s hilbert_dim %-4d", r.sigma, r.n,
                         r.strata.size(), r.smooth ? "smooth" : "stratified", r.hilbert_dim);
            const auto& a = r.principal_angles_deg;
            if (!a.empty()) {
                double mean = 0.0;
                for (double x : a) mean += x / double(a.size());
                std::fprintf(stderr, " angles mean %6.2f max %6.2f deg", mean, *std::max_element(a.begin(), a.end()));
            }
            std::fprintf(stderr, "\n");
        }
        std::fprintf(stderr, "strata geometry: wrote %s (%.3f s)\n", out_path.c_str(), seconds);
    }
    return 0;
}

}  // namespace strata::cmd
