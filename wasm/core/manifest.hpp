// manifest.hpp: models/manifest.json, the list of bundled models and sample images.
//
// Index: 1. Manifest types  2. parse_manifest
//
// One reader for both programs that use the file: `strata characterize --models DIR` and the page
// (the worker calls it through the core module), so both accept and refuse exactly the same files.
// The file is written by models/make_manifest.py (format "strata-models-1"); only the fields the
// programs use are read, the rest (training logs, losses) is ignored.
//
// What is refused, and how:
// - the whole file (strata::Error "NAME: ..."): not JSON, not an object, another format, no
//   "models" array, or a bad "sample" entry (when `need_sample`);
// - one model entry (skipped, one line in Manifest::problems naming the entry and the field): a
//   missing or mistyped field, a bad name (letters, digits, '.', '_', '-'; at most 64), a duplicate
//   name, a file path that could leave the models folder (absolute, "..", a scheme, a backslash), a
//   file without its "bytes" and "sha256" (every file is checked against both before it is used), a
//   size that is not a whole number of bytes, a sha256 that is not 64 hex digits, a latent shape
//   that is not 3 positive sizes, an "in_paper" that is not true or false (absent: true), a
//   "settings" object that model.json would refuse (model_plan.hpp), an "architecture" object that
//   model.json's "architecture" would refuse.
//
// A model's decoder is optional (no PSNR then); "settings" holds what a model.json beside the
// files would (normalisation, the latent output, an open input size, the architecture; an entry's own
// "architecture" fills the last when the settings name none). The sample images are IDX
// (with their IDX labels) or a .npy array (uint8 N x C x H x W; IDX labels optional), as written by
// `strata publish`; "classes" optionally names the labels (at most 256 strings of 1-64 characters).
#pragma once
#include "model_plan.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

// 1. Types ----------------------------------------------------------------------------------------------
struct ManifestFile {
    std::string path;         // relative to the manifest's folder, '/'-separated
    std::uint64_t bytes = 0;  // its size
    std::string sha256;       // 64 lower-case hex digits
};

struct ManifestModel {
    std::string name, kind;
    bool in_paper = true;                            // one of the paper's models (the page studies these first)
    std::optional<std::array<int, 3>> latent_shape;  // C, H, W
    ManifestFile encoder;
    std::optional<ManifestFile> decoder;
    ModelSettings settings;
};

struct Manifest {
    std::string format;                          // "strata-models-1"
    std::optional<ManifestFile> images, labels;  // sample IDX files or a .npy (absent if not asked and not given)
    std::uint64_t sample_count = 0;
    std::vector<std::string> class_names;  // sample.classes: the labels' names (optional)
    std::vector<ManifestModel> models;     // the valid entries, in file order
    std::vector<std::string> problems;     // one line per skipped entry
};

// 2. Reading ----------------------------------------------------------------------------------------------
// `name` (e.g. "models/manifest.json") starts every message. Throws strata::Error when the file as
// a whole is unusable; a manifest whose every model entry is bad is returned with no models and
// the problems (the caller decides whether that is fatal).
Manifest parse_manifest(std::string_view text, const std::string& name, bool need_sample = true);

// True for a path a manifest may name: relative, inside its folder, no scheme, at most 256
// characters of letters, digits and . _ - / (so the page never fetches outside its own origin).
bool is_safe_relative_path(const std::string& path);

}  // namespace strata
