// fuzz_manifest.cpp: libFuzzer target of the models/manifest.json reader (wasm/core/manifest.cpp)
// and the strict JSON reader under it (wasm/core/json_read.cpp).
//
// Feeds: the input as the text of a manifest to strata::parse_manifest (the first byte's low bit
// chooses whether the sample entry is required), and as JSON text to strata::Json::parse.
// Checks: every failure is a strata::Error starting with the file's name; a parsed manifest has
// only valid, distinct model names and paths confined to the models folder, a hash of 64 hex
// digits for every file (size and hash are required), and each problem line starts with the
// name; JSON that parses is written back by dump() and read again to the same text (the reader
// and the writer agree); no sanitizer report, leak, stack overflow or other exception.
#include "fuzz_check.hpp"
#include "json.hpp"
#include "manifest.hpp"

#include <cstdint>
#include <set>
#include <string>

namespace {
const std::string kName = "fuzz.json";

void check_file(const strata::ManifestFile& f) {
    fuzz::check(strata::is_safe_relative_path(f.path), "a path outside the models folder was accepted");
    fuzz::check(f.sha256.size() == 64, "a file without a sha256 of 64 hex digits was accepted");
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const bool need_sample = size > 0 && (data[0] & 1);
    try {
        const strata::Manifest m = strata::parse_manifest(text, kName, need_sample);
        std::set<std::string> names;
        for (const strata::ManifestModel& e : m.models) {
            fuzz::check(!e.name.empty() && e.name.size() <= 64, "a model name of bad length was accepted");
            fuzz::check(names.insert(e.name).second, "two models with one name were accepted");
            check_file(e.encoder);
            if (e.decoder) check_file(*e.decoder);
            if (e.latent_shape)
                for (int d : *e.latent_shape) fuzz::check(d >= 1, "a latent size < 1 was accepted");
        }
        if (need_sample) {
            fuzz::check(m.images && m.sample_count >= 1, "a required sample entry is missing");
            check_file(*m.images);
            if (m.labels) check_file(*m.labels);
        }
        for (const std::string& p : m.problems)
            fuzz::check(p.compare(0, kName.size() + 2, kName + ": ") == 0, "a problem line does not name the file");
    } catch (const strata::Error& e) { fuzz::check_names(e, kName); }

    // The JSON reader and writer agree: dump(parse(x)) reads back to the same text.
    try {
        const std::string once = strata::Json::parse(text, kName).dump();
        std::string twice;
        try {
            twice = strata::Json::parse(once, "dump").dump();
        } catch (const strata::Error& e) {
            std::fprintf(stderr, "%s\n", e.what());
            fuzz::check(false, "Json::parse rejects what dump() wrote");
        }
        fuzz::check(once == twice, "parse(dump(v)) differs from v");
    } catch (const strata::Error& e) { fuzz::check_names(e, kName); }
    return 0;
}
