// image_decode.hpp: PNG and JPEG files, from their bytes, to 8-bit pixels (stb_image).
//
// Index: 1. DecodedImage  2. limits  3. decode_image
//
// The same code decodes natively and in WebAssembly (stb_image's scalar integer paths, no SIMD),
// so the CLI and the page see the same pixels. Before stb_image runs, the file's structure is
// walked (PNG chunks up to IEND, JPEG markers up to EOI) so that what stb_image would accept
// silently or decode differently is refused with a message that says what is wrong:
//   empty file, not a PNG or JPEG (GIF, BMP, WebP, TIFF are named), zero-sized, too large,
//   truncated (a PNG without its IEND chunk, a JPEG without its EOI marker), 16-bit PNG,
//   CMYK/YCCK or other than 1 or 3 component JPEG, 12-bit, lossless, arithmetic or hierarchical JPEG,
//   and whatever stb_image itself reports as corrupt.
// Every message starts with the file's name. Alpha is dropped (the colour samples are kept as
// stored, not composited); a palette PNG gives RGB; an EXIF orientation tag is not applied.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace strata {

// 1. A decoded image: height x width pixels of `channels` interleaved bytes (1 gray, 3 RGB).
struct DecodedImage {
    int width = 0, height = 0, channels = 0;
    std::vector<std::uint8_t> pixels;  // row-major, height * width * channels
};

// 2. The largest image read: 32768 pixels a side and 2^25 pixels in all (e.g. 8192 x 4096), so
// that a 3-channel image fits in 96 MiB and the resize sums stay exact (image_resize.hpp).
constexpr int kMaxImageSide = 32768;
constexpr std::int64_t kMaxImagePixels = std::int64_t(1) << 25;

// The pixel limit decode_image applies: kMaxImagePixels unless lowered (the fuzz target lowers it,
// so that a small input claiming a large image cannot make one run slow under the sanitizers).
std::int64_t max_image_pixels();
void set_max_image_pixels(std::int64_t pixels);  // clamped to 1..kMaxImagePixels

// 3. Decodes a PNG or a JPEG (recognised by its signature, not by its name); throws strata::Error
// starting with `name` when the file is refused.
DecodedImage decode_image(const std::uint8_t* bytes, std::size_t size, const std::string& name);

}  // namespace strata
