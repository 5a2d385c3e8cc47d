// characterize_cmd.cpp: `strata characterize`, the paper's study on trained models.
//
// Index: 1. flags  2. the command (run, write JSON, CSV and latents)
//
//   strata characterize [--models DIR] [--data DIR | --images PATH] [--n 300] [--sigmas LIST] [--seed S]
//                       [--vae-latent sample|mean] [--latent-output NAME] [geometry flags] --out RESULT.json
//                       [--csv DIR] [--dump-latents DIR] [--interpolations P [--interpolation-steps K]]
//
// --interpolations P walks P seeded pairs of the N images per model (the same pairs for every model;
// interpolation.hpp) and adds each model's "interpolation" to the JSON and interpolations.csv to --csv.
//
// --dump-latents DIR writes one float32 .npy per model and noise level, N x C x H x W, named
// <model>_sigma<sigma>.npy (VAE kinds: <model>_<sample|mean>_sigma<sigma>.npy), sigma printed
// with %g (e.g. cae_sigma0.1.npy); `strata geometry --clean cae_sigma0.npy --noisy 0.1=...`
// reproduces the analysis from them.
#include "args.hpp"
#include "characterize.hpp"
#include "commands.hpp"
#include "error.hpp"
#include "fileio.hpp"
#include "geometry_flags.hpp"
#include "npy.hpp"
#include "results_csv.hpp"

#include <algorithm>
#include <cstdio>

namespace strata::cmd {
namespace {

// 1. Flags -------------------------------------------------------------------------------------------
std::vector<FlagSpec> characterize_flags() {
    std::vector<FlagSpec> f = {
        {"--models", "folder with manifest.json or model subfolders (default models)"},
        {"--data", "MNIST-format IDX folder (default Debian's Fashion-MNIST)"},
        {"--images",
         "instead of the test split: a folder of PNG/JPEG images, a .npy array or an IDX file, "
         "converted and resized to the models' input (docs/images.md)"},
        {"--n", "first N test images (default 300)"},
        {"--sigmas", "noise levels, comma-separated, starting with 0 (default 0,0.05,0.1,0.15,0.2,0.25,0.3)"},
        {"--seed", "seed of the noise and of VAE sampling (default 0)"},
        {"--vae-latent", "sample (z = mu + exp(logvar/2) e, default) or mean (z = mu)"},
        {"--latent-output",
         "the encoders' output to use as the latent (a variational encoder's mean), over model.json's "
         "latent_output (docs/images.md)"},
        {"--torch-threads", "LibTorch threads for the encoder and decoder (default 1; more only on an idle machine)"},
        {"--out", "result JSON (required)"},
        {"--csv", "also write summary.csv and samples.csv into this folder"},
        {"--dump-latents", "write every latent set as .npy into this folder"},
        {"--interpolations",
         "walk P seeded pairs of images per model: strata crossed and distance to data along the straight path "
         "between their latents (VAE: mu) (default 0: off)"},
        {"--interpolation-steps", "steps K of each path, endpoints included (default 9)"},
        {"--quiet", "no progress on stderr", true},
    };
    for (FlagSpec& g : geometry_flag_specs()) f.push_back(g);
    return f;
}

std::string sigma_text(double s) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", s);
    return b;
}

}  // namespace

// 2. The command ----------------------------------------------------------------------------------------
int characterize(const Args& args) {
    ArgParser p(args, characterize_flags());
    if (p.help_requested()) {
        std::fputs(p.help_text("strata characterize [--models DIR] [options] --out RESULT.json [--csv DIR] "
                               "[--dump-latents DIR]")
                       .c_str(),
                   stdout);
        return 0;
    }
    if (!p.positional().empty()) throw Error("unexpected argument '" + p.positional()[0] + "'");
    study::StudySettings s;
    s.data_dir = p.text("--data", "");
    s.images = p.text("--images", "");
    const long n = p.integer("--n", 300);
    if (n < 2) throw Error("--n: at least 2 images are needed");
    s.n = std::size_t(n);
    if (p.has("--sigmas")) s.sigmas = p.numbers("--sigmas");
    const long seed = p.integer("--seed", 0);
    if (seed < 0) throw Error("--seed: must be >= 0");
    s.seed = std::uint64_t(seed);
    s.vae_latent = p.text("--vae-latent", "sample");
    s.latent_output = p.text("--latent-output", "");
    s.torch_threads = int(p.integer("--torch-threads", 1));
    s.geometry = parse_geometry_flags(p);
    const long interpolations = p.integer("--interpolations", 0);
    if (interpolations < 0) throw Error("--interpolations: must be >= 0");
    s.interpolations = std::size_t(interpolations);
    s.interpolation_steps = int(p.integer("--interpolation-steps", kDefaultInterpolationSteps));
    const std::string out = p.required("--out");
    const bool quiet = p.has("--quiet");
    study::validate(s);

    const auto models = study::find_models(p.text("--models", "models"));
    study::StudyResult r = study::run_study(models, s, quiet);
    // The result and its CSV tables are written together: a failed write changes none of them.
    std::vector<FileContent> files{{out, r.json.dump(1) + "\n"}};
    if (auto dir = p.get("--csv")) {
        std::vector<CsvSet> rows;
        for (const auto& m : r.models) {
            const std::string label = m.encoded.entry.name + (m.encoded.variational ? "/" + s.vae_latent : "");
            for (std::size_t i = 0; i < m.geometry.sets.size(); ++i) {
                const auto psnr = m.encoded.psnr_at(i);
                const auto& stats = m.encoded.psnr;  // per sigma, empty without a decoder
                rows.push_back({label, &m.geometry.sets[i], psnr ? std::optional<double>(psnr->mean) : std::nullopt,
                                psnr ? std::optional<double>(psnr->std) : std::nullopt,
                                i < stats.size() ? &stats[i].per_image : nullptr, &r.labels});
            }
        }
        for (FileContent& f : csv_tables(*dir, rows)) files.push_back(std::move(f));
        if (s.interpolations > 0) {
            std::vector<CsvInterpolation> lines;
            for (const auto& m : r.models)
                lines.push_back({m.encoded.entry.name, m.encoded.variational ? "mu" : "latent", m.interpolation});
            files.push_back({*dir + "/interpolations.csv", interpolations_csv(lines)});
        }
    }
    write_files_atomic(files);
    if (auto dir = p.get("--dump-latents")) {
        make_directories(*dir);
        for (const auto& m : r.models)
            for (std::size_t i = 0; i < m.encoded.sets.size(); ++i) {
                const LatentSet& set = m.encoded.sets[i];
                const auto bytes = encode_npy_f32(
                    m.encoded.latents_f32[i].data(),
                    {set.n, std::size_t(set.shape.C), std::size_t(set.shape.H), std::size_t(set.shape.W)});
                const std::string name = m.encoded.entry.name + (m.encoded.variational ? "_" + s.vae_latent : "") +
                                         "_sigma" + sigma_text(set.sigma) + ".npy";
                write_file_atomic(*dir + "/" + name, bytes.data(), bytes.size());
            }
    }
    if (!quiet) {
        for (const auto& m : r.models) {
            std::fprintf(stderr, "%s (%s%s):\n", m.encoded.entry.name.c_str(), m.encoded.entry.kind.c_str(),
                         m.encoded.variational ? (", " + s.vae_latent).c_str() : "");
            for (std::size_t i = 0; i < m.geometry.sets.size(); ++i) {
                const SetResult& set = m.geometry.sets[i];
                double amax = 0;
                for (double a : set.principal_angles_deg) amax = std::max(amax, a);
                const auto psnr = m.encoded.psnr_at(i);
                char db[32] = "    - ";
                if (psnr) std::snprintf(db, sizeof db, "%6.2f", psnr->mean);
                std::fprintf(
                    stderr, "  sigma %-5g PSNR %s dB  strata %-3zu %-10s hilbert_dim %-4d max angle %6.2f deg\n",
                    set.sigma, db, set.strata.size(), set.smooth ? "smooth" : "stratified", set.hilbert_dim, amax);
            }
        }
        std::fprintf(stderr,
                     "strata characterize: wrote %s (encode %.2f s, decode %.2f s, analysis %.2f s, total %.2f s)\n",
                     out.c_str(), r.encode_s, r.decode_s, r.analysis_s, r.total_s);
    }
    return 0;
}

}  // namespace strata::cmd
