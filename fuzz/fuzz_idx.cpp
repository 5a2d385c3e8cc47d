// fuzz_idx.cpp: libFuzzer target of the IDX reader (the core's parser wasm/core/idx_format.cpp and
// native_trainer/idx.cpp's gunzip), plain and gzipped.
//
// Feeds: the input as a file's bytes, the way load_split reads one: when it starts with the gzip
// magic (1f 8b) it goes through strata::data::gunzip first (with a 1 MiB cap here, so the bomb
// check is reached by small inputs; the real cap is kMaxGunzipBytes), then the (inflated) bytes to
// both parse_idx_images and parse_idx_labels.
// Checks: every failure is a strata::Error starting with the file's name; a parsed file encodes
// back to exactly its bytes (encode_idx_images / encode_idx_labels); images have count x rows x
// cols pixels and to_unit_floats of them lies in [0, 1]; gunzip never returns more than the cap.
#include "fuzz_check.hpp"
#include "idx.hpp"

#include <cstdint>

namespace {
const std::string kName = "fuzz-idx-ubyte";
constexpr std::size_t kCap = std::size_t(1) << 20;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace strata::data;
    std::vector<std::uint8_t> bytes(data, data + size);
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
        try {
            bytes = gunzip(data, size, kName, kCap);
        } catch (const strata::Error& e) {
            fuzz::check_names(e, kName);
            return 0;
        }
        fuzz::check(bytes.size() <= kCap, "gunzip returned more than its cap");
    }
    try {
        const IdxImages im = parse_idx_images(bytes.data(), bytes.size(), kName);
        fuzz::check(im.rows > 0 && im.cols > 0, "images with a dimension <= 0");
        fuzz::check(im.pixels.size() == im.count * std::size_t(im.rows) * std::size_t(im.cols), "pixel count");
        fuzz::check(encode_idx_images(im) == bytes, "images do not encode back to the file");
        const std::size_t n = im.count < 2 ? im.count : 2;
        for (float v : to_unit_floats(im, 0, n)) fuzz::check(v >= 0.0f && v <= 1.0f, "pixel outside [0, 1]");
    } catch (const strata::Error& e) { fuzz::check_names(e, kName); }
    try {
        const IdxLabels l = parse_idx_labels(bytes.data(), bytes.size(), kName);
        fuzz::check(encode_idx_labels(l) == bytes, "labels do not encode back to the file");
    } catch (const strata::Error& e) { fuzz::check_names(e, kName); }
    return 0;
}
