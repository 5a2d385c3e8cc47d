// fuzz_npy.cpp: libFuzzer target of the .npy reader (wasm/core/npy.cpp).
//
// Feeds: the input as the bytes of a .npy file to strata::parse_npy, then, when it parses,
// strata::latent_set_from_npy (4-D check, sizes, NaN/Inf).
// Checks: every failure is a strata::Error starting with the file's name; a parsed array has
// product(shape) values and dtype <f4 or <f8; parse(encode_npy_f32(x)) == x bit for bit (the
// values as float32, the shape exactly); no sanitizer report, leak or other exception.
#include "fuzz_check.hpp"
#include "npy.hpp"

#include <cstdint>
#include <cstring>

namespace {
const std::string kName = "fuzz.npy";
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    strata::NpyArray a;
    try {
        a = strata::parse_npy(data, size, kName);
    } catch (const strata::Error& e) {
        fuzz::check_names(e, kName);
        return 0;
    }
    std::size_t count = 1;
    for (std::size_t d : a.shape) count *= d;
    fuzz::check(a.values.size() == count, "values.size() != product(shape)");
    fuzz::check(a.dtype == "<f4" || a.dtype == "<f8", "parsed a dtype other than <f4/<f8");

    // Round trip through the writer (as float32; <f8 values are narrowed first).
    std::vector<float> f(a.values.size());
    for (std::size_t i = 0; i < f.size(); ++i) f[i] = float(a.values[i]);
    const auto bytes = strata::encode_npy_f32(f.data(), a.shape);
    strata::NpyArray b;
    try {
        b = strata::parse_npy(bytes.data(), bytes.size(), "roundtrip.npy");
    } catch (const strata::Error& e) {
        std::fprintf(stderr, "%s\n", e.what());
        fuzz::check(false, "parse_npy rejects what encode_npy_f32 wrote");
    }
    fuzz::check(b.dtype == "<f4" && b.shape == a.shape && b.values.size() == f.size(), "round trip changed the shape");
    for (std::size_t i = 0; i < f.size(); ++i) {
        const float g = float(b.values[i]);
        fuzz::check(std::memcmp(&g, &f[i], 4) == 0, "round trip changed a value");
    }

    try {
        const strata::LatentSet set = strata::latent_set_from_npy(a, kName, 0.1);
        fuzz::check(set.n == a.shape[0] && set.values.size() == a.values.size(),
                    "latent set size differs from the array");
    } catch (const strata::Error& e) { fuzz::check_names(e, kName); }
    return 0;
}
