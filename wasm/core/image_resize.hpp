// image_resize.hpp: one image to a model's input: channel conversion and resizing, one rule.
//
// Index: 1. ImageView (a source image in any layout)  2. the rule  3. resample_image
//
// 2. The rule (the same natively and in WebAssembly, bit for bit):
//   Channels  gray -> RGB: the gray value in each channel. RGB -> gray: luma Y = 0.299 R + 0.587 G
//             + 0.114 B (ITU-R BT.601, as PIL's convert("L")), computed exactly as
//             (299 R + 587 G + 114 B) / 1000.
//   Geometry  uniform scale s = max(H / h, W / w) for a source h x w and a target H x W: the
//             shorter side (relative to the target's aspect) fits the target exactly; the other
//             is centre-cropped (the crop is centred in source coordinates, to a fraction of a
//             pixel). Nothing is padded, the aspect ratio is kept.
//   Filter    s <= 1 (shrinking, or the same size): area average: each output pixel is the mean
//             of the source area it covers, partly covered source pixels weighted by the covered
//             fraction. s > 1 (enlarging): bilinear between the source pixel centres, the edge
//             pixels repeated beyond the border. Separable: along x first, then along y.
// Every weight is an integer (positions are multiples of 1 / (2 p) of a source pixel, s = p / q in
// lowest terms), the sums are exact in double for 8-bit sources (at most 2^50), and each output
// is one division: round(sum / (weights x 255 [x 1000 for luma])) to double, then to float. An
// 8-bit image already at the target size therefore gives exactly float(v) / 255.0f. Float
// sources follow the same arithmetic in the same order (rounded, but identically everywhere).
#pragma once
#include <cstddef>
#include <cstdint>

namespace strata {

// 1. A source image: element (c, y, x) at base + (c * stride_c + y * stride_y + x * stride_x)
// elements of `type`; value / full_scale is the intensity (255 for 8-bit data, 1 for floats).
struct ImageView {
    enum class Type { U8, F32, F64 };
    Type type = Type::U8;
    const unsigned char* base = nullptr;
    int channels = 0, height = 0, width = 0;  // channels 1 or 3
    std::ptrdiff_t stride_c = 0, stride_y = 0, stride_x = 0;
    double full_scale = 255.0;
};

// A view of interleaved 8-bit pixels (height x width x channels, as decode_image gives them).
ImageView interleaved_u8(const std::uint8_t* pixels, int channels, int height, int width);

// 3. Converts `src` to `channels` (1 or 3) and resizes it to height x width by the rule above;
// writes channels * height * width floats in [0, 1], channel-major (C x H x W), to `out`.
// Throws strata::Error on a target or source outside 1..32768 a side or other than 1 or 3 channels.
void resample_image(const ImageView& src, int channels, int height, int width, float* out);

}  // namespace strata
