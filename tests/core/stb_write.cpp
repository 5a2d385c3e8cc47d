// stb_write.cpp: stb_image_write (Debian's libstb-dev) for the tests and the image benchmark:
// realistic PNG and JPEG files written into memory (image_files.hpp declares them).
//
// Compiled with -fwrapv (tests/CMakeLists.txt, bench/CMakeLists.txt): stb_image_write's JPEG bit
// writer shifts a negative int left, undefined before C++20 and reported by the sanitizer build;
// -fwrapv defines it as the two's complement shift it means.
#include "image_files.hpp"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#define STBI_WRITE_NO_STDIO
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif
#include <stb/stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace testimg {
namespace {

void append_bytes(void* context, void* data, int size) {
    auto* out = static_cast<Bytes*>(context);
    if (size <= 0) return;
    const std::size_t at = out->size();
    out->resize(at + std::size_t(size));
    std::memcpy(out->data() + at, data, std::size_t(size));
}

}  // namespace

Bytes stb_png(int w, int h, int channels, const Bytes& interleaved) {
    Bytes out;
    if (!stbi_write_png_to_func(append_bytes, &out, w, h, channels, interleaved.data(), w * channels)) out.clear();
    return out;
}

Bytes stb_jpg(int w, int h, int channels, const Bytes& interleaved, int quality) {
    Bytes out;
    if (!stbi_write_jpg_to_func(append_bytes, &out, w, h, channels, interleaved.data(), quality)) out.clear();
    return out;
}

}  // namespace testimg
