// sweep_cmd.cpp: `strata sweep`, a grid of kinds x architecture switches x seeds: each run trained,
// exported and characterized on the same images and noise, then aggregated over seeds per grid cell.
//
// Index: 1. flags  2. the grid (axes, cells, runs, names)  3. settings and resuming  4. one run
//        5. aggregation (sweep.json, sweep.csv)  6. the Markdown table  7. the command
//
//   strata sweep --kinds cae,dae --grid norm=batch,none latent-activation=relu,none --seeds 1,2,3
//                --out DIR [train flags] [--n N --sigmas LIST --noise-seed S ... geometry flags]
//   strata sweep --table DIR/sweep.json
//
// DIR/runs/<name>/ holds one run (config.json, checkpoint.pt, training_log.json, encoder.onnx,
// decoder.onnx and results.json, characterize's result for that model alone); <name> is the kind,
// then axis-value for every grid axis, then s<seed> (e.g. cae_norm-none_s2). Every file is written
// atomically, so a killed sweep run again with the same command recognises what is finished by its
// files: a run whose training_log.json has every epoch is not trained again, a half-trained one
// continues from its last checkpoint (the same code path as `strata train --resume`), an existing
// results.json is not recomputed. DIR/sweep_settings.json fixes what the sweep is; a rerun with other
// settings is refused. docs/trainer.md defines the aggregates and docs/study.md the claims.
#include "args.hpp"
#include "characterize.hpp"
#include "commands.hpp"
#include "error.hpp"
#include "fileio.hpp"
#include "geometry_flags.hpp"
#include "onnx_export.hpp"
#include "train.hpp"
#include "train_flags.hpp"

#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <sstream>

namespace strata::cmd {
namespace {

using nlohmann::json;

// 1. Flags ---------------------------------------------------------------------------------------------
std::vector<FlagSpec> sweep_flags() {
    std::vector<FlagSpec> f = {
        {"--kinds", "comma-separated kinds, e.g. cae,dae (default cae)"},
        {"--grid",
         "axes of the grid, each SWITCH=V1,V2,... (norm, conv-bias, latent-activation, depth, width); several "
         "may follow one --grid"},
        {"--seeds", "comma-separated training seeds (default 1,2,3)"},
        {"--out", "the sweep folder: runs/, sweep.json, sweep.csv (required unless --table)"},
        {"--table", "print the Markdown tables of this sweep.json and exit"},
        {"--n", "characterize: first N test images (default 300)"},
        {"--sigmas", "characterize: noise levels starting with 0 (default 0,0.05,0.1,0.15,0.2,0.25,0.3)"},
        {"--noise-seed", "characterize: seed of the noise and of VAE sampling (default 0)"},
        {"--vae-latent", "characterize: sample (default) or mean"},
        {"--images", "characterize: these images instead of the test split of --data"},
        {"--torch-threads", "characterize: LibTorch threads for the encoders and decoders (default 1)"},
        {"--analysis-threads", "characterize: worker threads of the analysis, 0 = all cores (default 0)"},
        {"--quiet", "no progress on stderr", true},
    };
    for (FlagSpec& s : train_setting_flags()) f.push_back(s);
    for (FlagSpec& g : geometry_flag_specs())
        if (g.name != "--threads") f.push_back(g);  // --threads is the trainer's here
    return f;
}

std::vector<std::string> split_list(const std::string& text, const std::string& flag) {
    std::vector<std::string> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty()) out.push_back(item);
    if (out.empty()) throw Error(flag + ": an empty list");
    for (std::size_t i = 0; i < out.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (out[i] == out[j]) throw Error(flag + ": '" + out[i] + "' is listed twice");
    return out;
}

// --grid takes every following argument up to the next flag: pulled out before ArgParser sees them.
std::vector<std::string> take_grid(Args& args) {
    std::vector<std::string> axes;
    Args rest;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i].rfind("--grid=", 0) == 0) {
            axes.push_back(args[i].substr(7));
        } else if (args[i] == "--grid") {
            const std::size_t first = axes.size();
            while (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) axes.push_back(args[++i]);
            if (axes.size() == first) throw Error("--grid: expected SWITCH=V1,V2,... after it");
        } else {
            rest.push_back(args[i]);
        }
    }
    args = rest;
    return axes;
}

// 2. The grid -----------------------------------------------------------------------------------------------
struct Axis {
    std::string name;  // the train flag without "--": norm, conv-bias, latent-activation, depth, width
    std::vector<std::string> values;
};

const std::vector<std::string> kSwitches = {"norm", "conv-bias", "latent-activation", "depth", "width"};

void set_switch(train::Architecture& a, const std::string& name, const std::string& value) {
    auto integer = [&]() {
        char* end = nullptr;
        const long v = std::strtol(value.c_str(), &end, 10);
        if (value.empty() || *end != '\0' || v < 0 || v > 100000)
            throw Error("--grid " + name + ": '" + value + "' is not a whole number");
        return int(v);
    };
    if (name == "norm") a.norm = value;
    else if (name == "conv-bias") a.conv_bias = value;
    else if (name == "latent-activation") a.latent_activation = value;
    else if (name == "depth") a.depth = integer();
    else if (name == "width") a.width = integer();
}

Axis parse_axis(const std::string& text) {
    const std::size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0) throw Error("--grid: expected SWITCH=V1,V2,..., got '" + text + "'");
    Axis a;
    a.name = text.substr(0, eq);
    if (std::find(kSwitches.begin(), kSwitches.end(), a.name) == kSwitches.end())
        throw Error("--grid: unknown switch '" + a.name +
                    "' (known: norm, conv-bias, latent-activation, depth, width)");
    a.values = split_list(text.substr(eq + 1), "--grid " + a.name);
    for (const std::string& v : a.values) {
        if (!is_plain_name(v) || v.find('_') != std::string::npos)
            throw Error("--grid " + a.name + ": '" + v + "' cannot be part of a run's name");
        train::Architecture probe;
        set_switch(probe, a.name, v);
        train::validate(probe);  // names the switch's flag and the values it takes
    }
    return a;
}

struct Run {
    std::string name, cell, kind;
    std::vector<std::pair<std::string, std::string>> switches;  // grid axis -> value
    std::uint64_t seed = 0;
    train::TrainConfig config;
};

struct Cell {
    std::string name, kind;
    std::vector<std::pair<std::string, std::string>> switches;
    std::vector<std::size_t> runs;  // indices into the run list, in seed order
};

// Kinds outermost, then the axes in the order given (the last varies fastest), then seeds.
void build_grid(const std::vector<std::string>& kinds, const std::vector<Axis>& axes,
                const std::vector<std::uint64_t>& seeds, const train::TrainConfig& base, std::vector<Cell>& cells,
                std::vector<Run>& runs) {
    for (const std::string& kind : kinds) {
        std::vector<std::size_t> at(axes.size(), 0);
        while (true) {
            Cell cell;
            cell.kind = kind;
            cell.name = kind;
            train::TrainConfig c = base;
            c.kind = kind;
            for (std::size_t i = 0; i < axes.size(); ++i) {
                const std::string& v = axes[i].values[at[i]];
                cell.switches.emplace_back(axes[i].name, v);
                cell.name += "_" + axes[i].name + "-" + v;
                set_switch(c.arch, axes[i].name, v);
            }
            for (std::uint64_t seed : seeds) {
                Run r;
                r.kind = kind;
                r.cell = cell.name;
                r.switches = cell.switches;
                r.seed = seed;
                r.name = cell.name + "_s" + std::to_string(seed);
                if (r.name.size() > 64) throw Error("run name '" + r.name + "' is longer than 64 characters");
                r.config = c;
                r.config.seed = seed;
                train::resolve_recipe(r.config);  // every run checked before any training
                cell.runs.push_back(runs.size());
                runs.push_back(r);
            }
            cells.push_back(cell);
            std::size_t k = axes.size();
            while (k > 0 && ++at[k - 1] == axes[k - 1].values.size()) at[--k] = 0;
            if (k == 0) break;
        }
    }
}

// 3. Settings and resuming ----------------------------------------------------------------------------
bool is_file(const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

json read_json_file(const std::string& path) {
    const auto bytes = read_file(path);
    try {
        return json::parse(bytes.begin(), bytes.end());
    } catch (const json::exception& e) { throw Error(path + ": " + e.what()); }
}

// Everything that determines the sweep's numbers: every run's resolved config and the study settings.
json sweep_settings(const std::vector<Run>& runs, const std::vector<Axis>& axes, const study::StudySettings& s) {
    json jr = json::array();
    for (const Run& r : runs) jr.push_back({{"name", r.name}, {"config", train::to_json(r.config)}});
    json grid = json::object();
    for (const Axis& a : axes) grid[a.name] = a.values;
    return {{"format", "strata-sweep-settings-1"},
            {"grid", grid},
            {"runs", jr},
            {"characterize",
             {{"data", s.data_dir},
              {"images", s.images},
              {"n", s.n},
              {"sigmas", s.sigmas},
              {"seed", s.seed},
              {"vae_latent", s.vae_latent},
              {"geometry", json::parse(strata::to_json(s.geometry, s.geometry.bandwidth.value_or(0.0)).dump())}}}};
}

// 4. One run ---------------------------------------------------------------------------------------------
std::size_t epochs_done(const std::string& dir) {
    if (!is_file(dir + "/training_log.json") || !is_file(dir + "/checkpoint.pt")) return 0;
    return train::read_history(dir).size();
}

// Trains (or continues), exports and characterizes one run as far as its files say it is not done.
// Returns false when Ctrl-C stopped the training (its checkpoint saved).
bool do_run(const Run& r, const std::string& dir, const study::StudySettings& s, bool quiet, std::string& what) {
    train::TrainConfig c = r.config;
    c.out = dir;
    c.progress = !quiet;
    const std::size_t done = epochs_done(dir);
    bool trained = false;
    if (done >= std::size_t(c.epochs)) {
        what = "already trained";
    } else {
        const bool resume = is_file(dir + "/checkpoint.pt") && is_file(dir + "/config.json");
        what = resume ? "resumed from its checkpoint" : "trained";
        if (!quiet && resume)
            std::fprintf(stderr, "strata sweep: %s: resuming from its checkpoint (%zu of %d epochs done)\n",
                         r.name.c_str(), done, c.epochs);
        const train::TrainResult t = train::run_training(c, resume, &stop_on_sigint());
        if (t.interrupted) return false;
        trained = true;
    }
    if (trained || !is_file(dir + "/encoder.onnx") || !is_file(dir + "/decoder.onnx"))
        train::write_onnx_files(train::load_trained_network(dir), dir);
    const std::string results = dir + "/results.json";
    if (trained || !is_file(results)) {
        const study::StudyResult sr = study::run_study(study::find_models(dir), s, true);
        write_file_atomic(results, sr.json.dump(1) + "\n");
        what += ", characterized";
    } else {
        what += ", already characterized";
    }
    return true;
}

// 5. Aggregation -------------------------------------------------------------------------------------------
// Statistics over seeds of one number; values that are null (not measured) are left out.
json stats(const std::vector<std::optional<double>>& values) {
    std::vector<double> v;
    for (const auto& x : values)
        if (x) v.push_back(*x);
    if (v.empty()) return nullptr;
    double sum = 0;
    for (double x : v) sum += x;
    const double mean = sum / double(v.size());
    double ss = 0;
    for (double x : v) ss += (x - mean) * (x - mean);
    json j = {{"mean", mean},
              {"min", *std::min_element(v.begin(), v.end())},
              {"max", *std::max_element(v.begin(), v.end())},
              {"n", v.size()}};
    j["std"] = v.size() > 1 ? json(std::sqrt(ss / double(v.size() - 1))) : json(nullptr);
    return j;
}

// One set's numbers (docs/trainer.md, "strata sweep"): null where the set does not have them.
std::map<std::string, std::optional<double>> set_metrics(const json& set) {
    std::map<std::string, std::optional<double>> m;
    m["strata"] = double(set.at("strata").size());
    const json& ranks = set.at("ranks");
    for (int mode = 0; mode < 3; ++mode) {
        double lo = INFINITY, hi = -INFINITY;
        for (const json& row : ranks) {
            lo = std::min(lo, row.at(mode).get<double>());
            hi = std::max(hi, row.at(mode).get<double>());
        }
        m["rank_min_mode" + std::to_string(mode + 1)] = ranks.empty() ? std::nullopt : std::optional<double>(lo);
        m["rank_max_mode" + std::to_string(mode + 1)] = ranks.empty() ? std::nullopt : std::optional<double>(hi);
    }
    m["hilbert_dim"] = set.at("hilbert_dim").get<double>();
    m["mean_angle_deg"] = std::nullopt;
    if (set.contains("principal_angles_deg") && !set.at("principal_angles_deg").empty()) {
        double sum = 0;
        for (const json& a : set.at("principal_angles_deg")) sum += a.get<double>();
        m["mean_angle_deg"] = sum / double(set.at("principal_angles_deg").size());
    }
    m["psnr_db"] =
        set.at("psnr_mean").is_null() ? std::nullopt : std::optional<double>(set.at("psnr_mean").get<double>());
    return m;
}

const std::vector<std::string> kMetrics = {"strata",         "rank_min_mode1", "rank_max_mode1", "rank_min_mode2",
                                           "rank_max_mode2", "rank_min_mode3", "rank_max_mode3", "hilbert_dim",
                                           "mean_angle_deg", "psnr_db"};

// The paper's claims (docs/study.md, "Sweeps"), per run: true (held), false (not held) or null (not
// applicable to this kind, or not measurable with these sigmas).
const std::vector<std::pair<std::string, std::string>> kClaims = {
    {"clean_stratified", "non-variational kinds: the clean set is stratified (more than one rank triple)"},
    {"sigma_0.1_stratified", "non-variational kinds: the set at sigma 0.1 is stratified"},
    {"vae_smooth", "variational kinds: every set (every sigma) is smooth (one rank triple)"},
    {"angles_grow",
     "non-variational kinds: the mean principal angle never decreases from one noise level to the next and the "
     "last is larger than the first (at least two noisy sets)"},
    {"psnr_drops", "non-variational kinds: PSNR strictly decreases with sigma"},
};

std::map<std::string, json> run_claims(const json& model) {
    const bool variational = model.at("variational").get<bool>();
    const json& sets = model.at("sets");
    std::map<std::string, json> c;
    for (const auto& [name, text] : kClaims) c[name] = nullptr;
    if (variational) {
        bool all = true;
        for (const json& s : sets) all = all && s.at("smooth").get<bool>();
        c["vae_smooth"] = all;
        return c;
    }
    c["clean_stratified"] = !sets.at(0).at("smooth").get<bool>();
    for (const json& s : sets)
        if (std::abs(s.at("sigma").get<double>() - 0.1) < 1e-12)
            c["sigma_0.1_stratified"] = !s.at("smooth").get<bool>();
    std::vector<double> angles;
    for (std::size_t i = 1; i < sets.size(); ++i) {
        const auto m = set_metrics(sets.at(i));
        if (m.at("mean_angle_deg")) angles.push_back(*m.at("mean_angle_deg"));
    }
    if (angles.size() >= 2 && angles.size() + 1 == sets.size()) {
        bool grow = angles.back() > angles.front();
        for (std::size_t i = 1; i < angles.size(); ++i) grow = grow && angles[i] >= angles[i - 1];
        c["angles_grow"] = grow;
    }
    if (!sets.at(0).at("psnr_mean").is_null() && sets.size() >= 2) {
        bool drops = true;
        for (std::size_t i = 1; i < sets.size(); ++i)
            drops = drops && sets.at(i).at("psnr_mean").get<double>() < sets.at(i - 1).at("psnr_mean").get<double>();
        c["psnr_drops"] = drops;
    }
    return c;
}

struct Aggregate {
    json doc;
    std::string csv;
};

std::string csv_number(const json& v) {
    if (v.is_null()) return "";
    char b[40];
    std::snprintf(b, sizeof b, "%.17g", v.get<double>());
    return b;
}

Aggregate aggregate(const std::vector<Cell>& cells, const std::vector<Run>& runs, const std::vector<Axis>& axes,
                    const std::string& out, const json& settings) {
    Aggregate a;
    std::vector<json> results(runs.size());
    json jruns = json::array();
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const std::string path = out + "/runs/" + runs[i].name + "/results.json";
        const json doc = read_json_file(path);
        if (!doc.contains("models") || doc.at("models").size() != 1)
            throw Error(path + ": expected the result of exactly one model");
        results[i] = doc.at("models").at(0);
        json sw = json::object();
        for (const auto& [k, v] : runs[i].switches) sw[k] = v;
        jruns.push_back({{"name", runs[i].name},
                         {"cell", runs[i].cell},
                         {"kind", runs[i].kind},
                         {"switches", sw},
                         {"seed", runs[i].seed},
                         {"results", "runs/" + runs[i].name + "/results.json"},
                         {"architecture", results[i].value("architecture", json(nullptr))},
                         {"sha256", results[i].at("sha256")}});
    }
    std::string header = "cell,kind";
    for (const Axis& ax : axes) header += "," + ax.name;
    a.csv = header + ",sigma,metric,mean,min,max,std,n\n";
    json jcells = json::array();
    for (const Cell& cell : cells) {
        std::string prefix = cell.name + "," + cell.kind;
        for (const auto& [k, v] : cell.switches) prefix += "," + v;
        const json& sets0 = results[cell.runs.front()].at("sets");
        json per_sigma = json::array();
        for (std::size_t si = 0; si < sets0.size(); ++si) {
            const double sigma = sets0.at(si).at("sigma").get<double>();
            json entry = {{"sigma", sigma}};
            std::map<std::string, std::vector<std::optional<double>>> values;
            for (std::size_t ri : cell.runs) {
                const json& sets = results[ri].at("sets");
                if (sets.size() != sets0.size() || sets.at(si).at("sigma").get<double>() != sigma)
                    throw Error(out + "/runs/" + runs[ri].name + "/results.json: other noise levels than the cell's");
                for (const auto& [k, v] : set_metrics(sets.at(si))) values[k].push_back(v);
            }
            for (const std::string& k : kMetrics) {
                entry[k] = stats(values[k]);
                if (!entry[k].is_null())
                    a.csv += prefix + "," + csv_number(sigma) + "," + k + "," + csv_number(entry[k]["mean"]) + "," +
                             csv_number(entry[k]["min"]) + "," + csv_number(entry[k]["max"]) + "," +
                             csv_number(entry[k]["std"]) + "," + std::to_string(entry[k]["n"].get<int>()) + "\n";
            }
            per_sigma.push_back(entry);
        }
        json claims = json::object();
        for (const auto& [name, text] : kClaims) {
            json by_seed = json::object();
            int held = 0, of = 0;
            for (std::size_t ri : cell.runs) {
                const json v = run_claims(results[ri])[name];
                by_seed[std::to_string(runs[ri].seed)] = v;
                if (!v.is_null()) ++of, held += v.get<bool>() ? 1 : 0;
            }
            claims[name] = {{"by_seed", by_seed}, {"held", held}, {"of", of}};
            if (of > 0)
                a.csv += prefix + ",,claim:" + name + "," + csv_number(double(held) / of) + ",,,," +
                         std::to_string(of) + "\n";
        }
        json sw = json::object();
        for (const auto& [k, v] : cell.switches) sw[k] = v;
        json names = json::array(), seeds = json::array();
        for (std::size_t ri : cell.runs) names.push_back(runs[ri].name), seeds.push_back(runs[ri].seed);
        jcells.push_back({{"name", cell.name},
                          {"kind", cell.kind},
                          {"switches", sw},
                          {"seeds", seeds},
                          {"runs", names},
                          {"per_sigma", per_sigma},
                          {"claims", claims}});
    }
    json claim_text = json::object();
    for (const auto& [name, text] : kClaims) claim_text[name] = text;
    json grid = json::object();
    for (const Axis& ax : axes) grid[ax.name] = ax.values;
    a.doc = {{"format", "strata-sweep-1"},
             {"grid", grid},
             {"metrics",
              "per cell and sigma, over seeds: mean, min, max, std (sample, n - 1; null for one seed) and n of: "
              "strata (count of rank triples), rank_min/max_mode1..3 (the rank range of each mode over the images), "
              "hilbert_dim, mean_angle_deg (mean principal angle to the clean subspace; noisy sets), psnr_db (mean "
              "PSNR); docs/trainer.md"},
             {"claims_defined", claim_text},
             {"characterize", settings.at("characterize")},
             {"runs", jruns},
             {"cells", jcells}};
    return a;
}

// 6. The Markdown table ---------------------------------------------------------------------------------------
std::string fmt(const char* f, double v) {
    char b[48];
    std::snprintf(b, sizeof b, f, v);
    return b;
}

std::string mean_spread(const json& s, const char* f) {
    if (s.is_null()) return "-";
    std::string t = fmt(f, s.at("mean").get<double>());
    if (!s.at("std").is_null()) t += " ± " + fmt(f, s.at("std").get<double>());
    return t;
}

std::string markdown_tables(const json& doc) {
    std::string t =
        "| cell | seeds | sigma | strata (mean, min-max) | rank mode 1 | rank mode 2 | rank mode 3 | "
        "Hilbert dim | mean angle (deg) | PSNR (dB) |\n|---|---|---|---|---|---|---|---|---|---|\n";
    for (const json& c : doc.at("cells")) {
        for (const json& e : c.at("per_sigma")) {
            const json& st = e.at("strata");
            t += "| " + c.at("name").get<std::string>() + " | " + std::to_string(c.at("seeds").size()) + " | " +
                 fmt("%g", e.at("sigma").get<double>()) + " | " + fmt("%.3g", st.at("mean").get<double>()) + " (" +
                 fmt("%g", st.at("min").get<double>()) + "-" + fmt("%g", st.at("max").get<double>()) + ")";
            for (int mode = 1; mode <= 3; ++mode) {
                const json& lo = e.at("rank_min_mode" + std::to_string(mode));
                const json& hi = e.at("rank_max_mode" + std::to_string(mode));
                t += " | " + (lo.is_null() ? std::string("-")
                                           : fmt("%g", lo.at("min").get<double>()) + "-" +
                                                 fmt("%g", hi.at("max").get<double>()));
            }
            t += " | " + mean_spread(e.at("hilbert_dim"), "%.1f") + " | " +
                 mean_spread(e.at("mean_angle_deg"), "%.2f") + " | " + mean_spread(e.at("psnr_db"), "%.2f") + " |\n";
        }
    }
    t += "\n| cell";
    std::string rule = "|---";
    for (const auto& [name, text] : doc.at("claims_defined").items()) t += " | " + name, rule += "|---";
    t += " |\n" + rule + "|\n";
    for (const json& c : doc.at("cells")) {
        t += "| " + c.at("name").get<std::string>();
        for (const auto& [name, text] : doc.at("claims_defined").items()) {
            const json& cl = c.at("claims").at(name);
            t += " | " + (cl.at("of").get<int>() == 0 ? std::string("n/a")
                                                      : std::to_string(cl.at("held").get<int>()) + "/" +
                                                            std::to_string(cl.at("of").get<int>()));
        }
        t += " |\n";
    }
    return t;
}

std::string minutes(double s) {
    const long r = std::lround(s);
    return r >= 60 ? std::to_string(r / 60) + " min " + std::to_string(r % 60) + " s" : std::to_string(r) + " s";
}

}  // namespace

// 7. The command -----------------------------------------------------------------------------------------------
int sweep(const Args& given) {
    Args args = given;
    const std::vector<std::string> grid_text = take_grid(args);
    ArgParser p(args, sweep_flags());
    if (p.help_requested()) {
        std::fputs(p.help_text("strata sweep --kinds K1,K2 --grid SWITCH=V1,V2 ... --seeds 1,2,3 --out DIR [train "
                               "and characterize flags]\n       strata sweep --table DIR/sweep.json")
                       .c_str(),
                   stdout);
        return 0;
    }
    if (!p.positional().empty()) throw Error("unexpected argument '" + p.positional()[0] + "'");
    if (auto table = p.get("--table")) {
        std::fputs(markdown_tables(read_json_file(*table)).c_str(), stdout);
        return 0;
    }
    const std::string out = p.required("--out");
    const bool quiet = p.has("--quiet");

    std::vector<Axis> axes;
    for (const std::string& g : grid_text) {
        axes.push_back(parse_axis(g));
        for (std::size_t j = 0; j + 1 < axes.size(); ++j)
            if (axes[j].name == axes.back().name)
                throw Error("--grid: the switch " + axes.back().name + " is given twice");
        if (p.has("--" + axes.back().name))
            throw Error("--" + axes.back().name + ": also a --grid axis; give it in one place only");
    }
    const std::vector<std::string> kinds = split_list(p.text("--kinds", "cae"), "--kinds");
    for (const std::string& k : kinds) train::find_kind(k);
    std::vector<std::uint64_t> seeds;
    for (const std::string& t : split_list(p.text("--seeds", "1,2,3"), "--seeds")) {
        char* end = nullptr;
        const long v = std::strtol(t.c_str(), &end, 10);
        if (*end != '\0' || v < 0) throw Error("--seeds: '" + t + "' is not a whole number >= 0");
        seeds.push_back(std::uint64_t(v));
    }

    train::TrainConfig base;
    apply_train_flags(p, base);
    study::StudySettings s;
    s.data_dir = base.data;
    s.images = p.text("--images", "");
    const long n = p.integer("--n", 300);
    if (n < 2) throw Error("--n: at least 2 images are needed");
    s.n = std::size_t(n);
    if (p.has("--sigmas")) s.sigmas = p.numbers("--sigmas");
    const long noise_seed = p.integer("--noise-seed", 0);
    if (noise_seed < 0) throw Error("--noise-seed: must be >= 0");
    s.seed = std::uint64_t(noise_seed);
    s.vae_latent = p.text("--vae-latent", "sample");
    s.torch_threads = int(p.integer("--torch-threads", 1));
    {
        // The analysis flags as characterize reads them (its --threads is --analysis-threads here).
        Args g;
        for (const FlagSpec& f : geometry_flag_specs()) {
            const std::string from = f.name == "--threads" ? "--analysis-threads" : f.name;
            for (const std::string& v : p.all(from)) g.push_back(f.name), g.push_back(v);
        }
        s.geometry = parse_geometry_flags(ArgParser(g, geometry_flag_specs()));
    }
    if (!s.images.empty()) s.data_dir.clear();  // --data trains; --images is what characterize reads
    study::validate(s);

    std::vector<Cell> cells;
    std::vector<Run> runs;
    build_grid(kinds, axes, seeds, base, cells, runs);

    // What the sweep is: fixed by the first start, checked by every rerun.
    make_directories(out + "/runs");
    const json settings = sweep_settings(runs, axes, s);
    const std::string settings_path = out + "/sweep_settings.json";
    if (is_file(settings_path)) {
        if (read_json_file(settings_path) != settings)
            throw Error(settings_path +
                        ": this folder holds a sweep with other settings (kinds, grid, seeds, train "
                        "or characterize flags); rerun it with its own flags or give another --out");
    } else {
        write_file_atomic(settings_path, settings.dump(1) + "\n");
    }

    stop_on_sigint();
    const auto t_start = std::chrono::steady_clock::now();
    double work_s = 0;
    std::size_t worked = 0;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const Run& r = runs[i];
        const std::string dir = out + "/runs/" + r.name;
        make_directories(dir);
        const auto t0 = std::chrono::steady_clock::now();
        std::string what;
        if (!do_run(r, dir, s, quiet, what)) {
            std::fprintf(stderr,
                         "strata sweep: interrupted in %s (checkpoint saved); run the same command again to "
                         "continue\n",
                         r.name.c_str());
            return 130;
        }
        const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (what.rfind("already trained, already", 0) != 0) work_s += took, ++worked;
        if (!quiet) {
            const std::size_t left = runs.size() - i - 1;
            std::string eta = left == 0     ? "done"
                              : worked == 0 ? "remaining time not known yet"
                                            : "about " + minutes(work_s / double(worked) * double(left)) + " left";
            std::fprintf(stderr, "strata sweep: [%zu/%zu] %s: %s (%s); %s\n", i + 1, runs.size(), r.name.c_str(),
                         what.c_str(), minutes(took).c_str(), eta.c_str());
        }
    }
    std::signal(SIGINT, SIG_DFL);

    const Aggregate a = aggregate(cells, runs, axes, out, settings);
    write_files_atomic({{out + "/sweep.json", a.doc.dump(1) + "\n"}, {out + "/sweep.csv", a.csv}});
    if (!quiet)
        std::fprintf(
            stderr, "strata sweep: %zu runs in %zu cells -> %s/sweep.json, %s/sweep.csv (%s)\n", runs.size(),
            cells.size(), out.c_str(), out.c_str(),
            minutes(std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count()).c_str());
    return 0;
}

}  // namespace strata::cmd
