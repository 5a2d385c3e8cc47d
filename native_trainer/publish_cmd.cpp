// publish_cmd.cpp: `strata publish`, a self-contained static site of a user's models and images.
//
// Index: 1. flags  2. finding the built page  3. the sample images  4. the command
//
//   strata publish --models DIR --out SITE [--images PATH] [--n 1000] [--title TEXT] [--page DIR]
//
// SITE gets the built page (no Emscripten needed here: it is taken from the build tree or an
// installed share folder), SITE/models/<name>/encoder.onnx (and decoder.onnx) of every model
// `strata characterize --models DIR` would study (each checked by the core's plan first), the
// first N usable images of PATH as the sample at the first model's input shape (IDX with labels
// for 1 x 28 x 28, a uint8 .npy N x C x H x W otherwise), and SITE/models/manifest.json with the
// size and sha256 of every file and each model's settings (model.json). The site is written
// beside SITE and renamed into place, so a failed run leaves any previous site as it was.
#include "args.hpp"
#include "characterize.hpp"
#include "commands.hpp"
#include "error.hpp"
#include "fileio.hpp"
#include "idx.hpp"
#include "idx_format.hpp"
#include "image_source.hpp"
#include "json.hpp"
#include "npy.hpp"
#include "sha256.hpp"

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace strata::cmd {
namespace {
namespace fs = std::filesystem;

// 1. Flags ---------------------------------------------------------------------------------------------
std::vector<FlagSpec> publish_flags() {
    return {
        {"--models", "folder of model folders (encoder.onnx, optional decoder.onnx and model.json), as characterize"},
        {"--out", "the site folder to write (required); replaced as a whole when it holds a published site"},
        {"--images",
         "the sample images: a folder of PNG/JPEG, a .npy or IDX files (default Debian's Fashion-MNIST test "
         "split)"},
        {"--n", "the first N usable images become the sample (default 1000)"},
        {"--title", "a title for the site, kept in its manifest"},
        {"--page", "the built page (default: the build tree's build/wasm/site, or /usr/share/strata/site)"},
    };
}

// 2. The built page --------------------------------------------------------------------------------------
// What must be there for the page to run on any static host (one thread: the _st worker build).
const char* const kPageFiles[] = {"index.html", "main.mjs", "worker.mjs", "strata_app.wasm", "strata_worker_st.wasm"};

bool is_page(const fs::path& dir) {
    for (const char* f : kPageFiles)
        if (!fs::is_regular_file(dir / f)) return false;
    return true;
}

fs::path find_page(const std::string& given) {
    if (!given.empty()) {
        for (const char* f : kPageFiles)
            if (!fs::is_regular_file(fs::path(given) / f))
                throw Error("--page " + given + ": not a built page (no " + f + ")");
        return given;
    }
    std::vector<fs::path> candidates;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec)
        candidates.push_back(exe.parent_path().parent_path().parent_path() / "wasm" /
                             "site");  // build/native/native_trainer
    candidates.push_back("build/wasm/site");
    candidates.push_back("/usr/local/share/strata/site");
    candidates.push_back("/usr/share/strata/site");
    for (const fs::path& c : candidates)
        if (is_page(c)) return c;
    throw Error(
        "the page is not built (looked in build/wasm/site beside this program and /usr/share/strata/site): build it "
        "once with `cmake --workflow --preset wasm` (scripts/run.sh does it), or give --page DIR");
}

// 3. The sample ----------------------------------------------------------------------------------------------
struct SampleFiles {
    std::vector<std::pair<std::string, std::vector<std::uint8_t>>> files;  // relative path, bytes
    std::size_t count = 0;
    std::vector<std::string> class_names;  // a folder's classes (the labels' names)
};

SampleFiles sample_files(const std::string& path, const ImageShape& shape, std::size_t n) {
    data::ImageSource src = data::load_images(path, shape.channels, shape.height, shape.width, n);
    data::warn_skipped(src);
    if (src.images.count < 2)
        throw Error(path + ": " + std::to_string(src.images.count) + " usable image(s); a sample needs at least 2");
    SampleFiles out;
    out.count = src.images.count;
    // Pixels are k / 255 for 8-bit sources; a float .npy is rounded to the nearest of those.
    std::vector<std::uint8_t> u8(src.images.pixels.size());
    for (std::size_t i = 0; i < u8.size(); ++i) u8[i] = std::uint8_t(std::lround(double(src.images.pixels[i]) * 255.0));
    if (shape.channels == 1 && shape.height == 28 && shape.width == 28) {
        IdxImages images;
        images.count = out.count;
        images.rows = 28;
        images.cols = 28;
        images.pixels = u8;
        IdxLabels labels;
        for (int l : src.images.labels) labels.labels.push_back(std::uint8_t(l < 0 ? 0 : l % 256));
        out.files.emplace_back("sample/t10k-images-idx3-ubyte", encode_idx_images(images));
        out.files.emplace_back("sample/t10k-labels-idx1-ubyte", encode_idx_labels(labels));
    } else {
        out.files.emplace_back("sample/images.npy",
                               encode_npy_u8(u8.data(), {out.count, std::size_t(shape.channels),
                                                         std::size_t(shape.height), std::size_t(shape.width)}));
        // IDX labels beside the array when every image has one (a folder's images all in class folders).
        const auto& l = src.images.labels;
        if (std::all_of(l.begin(), l.end(), [](int v) { return v >= 0 && v < 256; })) {
            IdxLabels labels;
            for (int v : l) labels.labels.push_back(std::uint8_t(v));
            out.files.emplace_back("sample/labels-idx1-ubyte", encode_idx_labels(labels));
        }
    }
    out.class_names = src.images.class_names;
    return out;
}

Json file_entry(const std::string& rel, const std::vector<std::uint8_t>& bytes) {
    Json j = Json::object();
    j.set("path", rel);
    j.set("bytes", bytes.size());
    j.set("sha256", sha256_hex(bytes.data(), bytes.size()));
    return j;
}

void write_bytes(const fs::path& p, const std::vector<std::uint8_t>& bytes) {
    make_directories(p.parent_path().string());
    write_file_atomic(p.string(), bytes.data(), bytes.size());
}

}  // namespace

// 4. The command -------------------------------------------------------------------------------------------------
int publish(const Args& args) {
    ArgParser p(args, publish_flags());
    if (p.help_requested()) {
        std::fputs(
            p.help_text("strata publish --models DIR --out SITE [--images PATH] [--n 1000] [--title TEXT]").c_str(),
            stdout);
        return 0;
    }
    if (!p.positional().empty()) throw Error("unexpected argument '" + p.positional()[0] + "'");
    const std::string out = p.required("--out");
    const long n = p.integer("--n", 1000);
    if (n < 2) throw Error("--n: at least 2 images are needed");
    const fs::path site(out);
    if (fs::exists(site) &&
        !(fs::is_directory(site) && (fs::is_empty(site) || fs::exists(site / "models/manifest.json"))))
        throw Error(out + ": exists and is not an earlier published site (nothing was written)");

    // Every model planned first, as characterize does: an unusable model stops before any write.
    study::StudySettings settings;
    std::vector<study::PreparedModel> models;
    for (const study::ModelEntry& e : study::find_models(p.text("--models", "models")))
        models.push_back(study::prepare_model(e, settings, /*need_runner=*/false));
    // The page runs the graphs with ONNX Runtime Web; the native runner has fewer operators.
    for (const study::PreparedModel& m : models)
        if (!m.runner_problem.empty())
            std::fprintf(stderr,
                         "note: %s: published (the page runs it with ONNX Runtime Web), but `strata characterize` "
                         "cannot run it: %s\n",
                         m.entry.name.c_str(), m.runner_problem.c_str());
    const fs::path page = find_page(p.text("--page", ""));
    const std::string images = p.text("--images", data::default_data_dir());
    const SampleFiles sample = sample_files(images, models.front().encoder.image, std::size_t(n));

    const fs::path tmp = site.string() + ".partial-" + std::to_string(::getpid());
    fs::remove_all(tmp);
    try {
        fs::create_directories(tmp);
        // The page, without the build's own models.
        for (const fs::directory_entry& e : fs::directory_iterator(page)) {
            if (e.path().filename() == "models") continue;
            fs::copy(e.path(), tmp / e.path().filename(), fs::copy_options::recursive);
        }
        Json manifest = Json::object();
        manifest.set("format", "strata-models-1");
        manifest.set("title", p.text("--title", ""));
        manifest.set("published_by", "strata publish");
        Json js = Json::object();
        for (const auto& [rel, bytes] : sample.files) {
            write_bytes(tmp / "models" / rel, bytes);
            js.set(rel.find("labels") != std::string::npos ? "labels" : "images", file_entry(rel, bytes));
        }
        js.set("count", sample.count);
        if (!sample.class_names.empty()) js.set("classes", Json::array_of(sample.class_names));
        js.set("rule", "the first " + std::to_string(sample.count) + " usable images of " + images);
        manifest.set("sample", std::move(js));
        Json list = Json::array();
        for (const study::PreparedModel& m : models) {
            Json files = Json::object();
            const std::string enc = m.entry.name + "/encoder.onnx";
            write_bytes(tmp / "models" / enc, m.encoder_bytes);
            files.set("encoder", file_entry(enc, m.encoder_bytes));
            if (!m.entry.decoder_path.empty()) {
                const std::string dec = m.entry.name + "/decoder.onnx";
                write_bytes(tmp / "models" / dec, m.decoder_bytes);
                files.set("decoder", file_entry(dec, m.decoder_bytes));
            }
            Json e = Json::object();
            e.set("name", m.entry.name);
            e.set("kind", m.entry.kind);
            e.set("in_paper", true);
            e.set("settings", to_json(m.settings));
            if (!m.entry.architecture.empty()) e.set("architecture", Json::parse(m.entry.architecture, m.entry.name));
            else if (!m.settings.architecture.is_null()) e.set("architecture", m.settings.architecture);
            e.set("plan", to_json(m.encoder));
            e.set("files", std::move(files));
            list.push(std::move(e));
        }
        manifest.set("models", std::move(list));
        write_file_atomic((tmp / "models" / "manifest.json").string(), manifest.dump(1) + "\n");
        if (fs::exists(site)) fs::remove_all(site);
        fs::rename(tmp, site);
    } catch (const fs::filesystem_error& e) {
        fs::remove_all(tmp);
        throw Error(out + ": " + e.what());
    } catch (...) {
        std::error_code ec;
        fs::remove_all(tmp, ec);
        throw;
    }
    std::printf("%s: %zu model(s) and %zu sample images; open %s/index.html from any static web server\n", out.c_str(),
                models.size(), sample.count, out.c_str());
    return 0;
}

}  // namespace strata::cmd
