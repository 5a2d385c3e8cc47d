// fuzz_images.cpp: libFuzzer target of the image readers (wasm/core/image_decode.cpp,
// image_resize.cpp, images.cpp): PNG and JPEG bytes, and .npy image arrays.
//
// Feeds (with the pixel limit lowered to 2^18): the input as a file's bytes to decode_image (then resized to 1 x 7 x 5), to
// add_image_file (a 3 x 16 x 16 set: small inputs are enlarged, large ones shrunk, with a crop)
// and to image_set_from_npy (3 x 6 x 4, at most 3 images).
// Checks: every failure is a strata::Error starting with the file's name (a refused image file in
// a set is recorded in `skipped` with that message, and nothing else changes); a decoded image
// has 1 or 3 channels, sides within the limits and width x height x channels bytes; every pixel
// of a set is finite and in [0, 1], and a set holds count x its image size pixels.
#include "fuzz_check.hpp"
#include "image_decode.hpp"
#include "image_resize.hpp"
#include "images.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

namespace {
const std::string kName = "fuzz-image";
// The pixel limit, lowered from 2^25: a few hundred bytes of JPEG can claim millions of pixels
// (stb_image decodes missing data as zeros), too slow to decode under ASan for the fuzzer's
// time-out (fuzz/regressions/images/jpeg-5-megapixels-*).
constexpr std::int64_t kPixels = std::int64_t(1) << 18;

void check_set(const strata::ImageSet& s) {
    fuzz::check(s.pixels.size() == s.count * s.image_size(), "set size is not count x image size");
    fuzz::check(s.labels.size() == s.count && s.sources.size() == s.count, "labels or sources per image");
    for (float v : s.pixels) fuzz::check(std::isfinite(v) && v >= 0.0f && v <= 1.0f, "pixel outside [0, 1]");
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace strata;
    set_max_image_pixels(kPixels);
    try {
        const DecodedImage im = decode_image(data, size, kName);
        fuzz::check(im.channels == 1 || im.channels == 3, "decoded channels other than 1 or 3");
        fuzz::check(im.width >= 1 && im.height >= 1 && im.width <= kMaxImageSide && im.height <= kMaxImageSide,
                    "decoded size outside the limits");
        fuzz::check(im.pixels.size() == std::size_t(im.width) * std::size_t(im.height) * std::size_t(im.channels),
                    "decoded pixel count");
        std::vector<float> out(7 * 5);
        resample_image(interleaved_u8(im.pixels.data(), im.channels, im.height, im.width), 1, 7, 5, out.data());
        for (float v : out) fuzz::check(std::isfinite(v) && v >= 0.0f && v <= 1.0f, "pixel outside [0, 1]");
    } catch (const Error& e) { fuzz::check_names(e, kName); }
    ImageSet set = make_image_set(3, 16, 16);
    const bool ok = add_image_file(set, data, size, kName, 2);
    fuzz::check(ok == (set.count == 1) && ok == set.skipped.empty(), "added or skipped, exactly one");
    if (!ok)
        fuzz::check(
            set.skipped[0].path == kName && set.skipped[0].reason.compare(0, kName.size() + 2, kName + ": ") == 0,
            "a skipped file's reason does not start with its name");
    check_set(set);
    try {
        const ImageSet s = image_set_from_npy(data, size, kName, 3, 6, 4, 3);
        fuzz::check(s.count >= 1 && s.count <= 3, "npy image count");
        check_set(s);
    } catch (const Error& e) { fuzz::check_names(e, kName); }
    return 0;
}
