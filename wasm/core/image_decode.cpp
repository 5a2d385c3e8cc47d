// image_decode.cpp: PNG and JPEG decoding.
//
// Index: 1. stb_image (its implementation lives in this file only)  2. helpers (sizes, the pixel
//        limit)  3. PNG structure  4. JPEG structure  5. the limit's accessors, decode_image
#include "image_decode.hpp"

#include "error.hpp"

#include <array>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <memory>

// 1. stb_image --------------------------------------------------------------------------------------
// From memory only, PNG and JPEG only, scalar code only (the SSE2 paths are not in the WebAssembly
// build; the scalar ones are integer arithmetic, identical everywhere), user-readable failure
// strings, and every function static to this file. This file is compiled with -fwrapv
// (wasm/CMakeLists.txt): crafted JPEG coefficients overflow the IDCT's int arithmetic, which then
// wraps around the same way on every platform instead of being undefined.
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_NO_STDIO
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_NO_SIMD
#define STBI_FAILURE_USERMSG
#define STBI_MAX_DIMENSIONS 32768  // kMaxImageSide (checked below)
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif
#include <stb/stb_image.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace strata {
static_assert(kMaxImageSide == STBI_MAX_DIMENSIONS, "stb_image's limit is ours");

namespace {

// 2. Helpers -------------------------------------------------------------------------------------------
std::uint32_t be32(const std::uint8_t* p) {
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
}
unsigned be16(const std::uint8_t* p) { return (unsigned(p[0]) << 8) | unsigned(p[1]); }

bool starts_with(const std::uint8_t* b, std::size_t n, const char* magic, std::size_t len) {
    return n >= len && std::memcmp(b, magic, len) == 0;
}

// What a file that is neither PNG nor JPEG looks like, for the message.
std::string other_format(const std::uint8_t* b, std::size_t n) {
    if (starts_with(b, n, "GIF87a", 6) || starts_with(b, n, "GIF89a", 6)) return "a GIF image";
    if (starts_with(b, n, "BM", 2)) return "a BMP image (or other data starting with BM)";
    if (n >= 12 && starts_with(b, n, "RIFF", 4) && std::memcmp(b + 8, "WEBP", 4) == 0) return "a WebP image";
    if (starts_with(b, n, "II*\0", 4) || starts_with(b, n, "MM\0*", 4)) return "a TIFF image";
    if (starts_with(b, n, "\x93NUMPY", 6)) return "a .npy array";
    return "";
}

std::atomic<std::int64_t> g_max_pixels{kMaxImagePixels};

void check_size(long long w, long long h, const std::string& name) {
    if (w == 0 || h == 0)
        throw Error(name + ": zero-sized image (" + std::to_string(w) + " x " + std::to_string(h) + " pixels)");
    const std::int64_t max_pixels = g_max_pixels.load();
    if (w > kMaxImageSide || h > kMaxImageSide || w * h > max_pixels)
        throw Error(name + ": image of " + std::to_string(w) + " x " + std::to_string(h) +
                    " pixels is too large (at most " + std::to_string(kMaxImageSide) + " a side and " +
                    std::to_string(max_pixels) + " pixels)");
}

std::string chunk_name(const std::uint8_t* t) {
    std::string s;
    for (int k = 0; k < 4; ++k) {
        if ((t[k] >= 'A' && t[k] <= 'Z') || (t[k] >= 'a' && t[k] <= 'z')) {
            s += char(t[k]);
        } else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", t[k]);
            s += hex;
        }
    }
    return s;
}

// 3. PNG: signature, chunks (length, type, data, CRC) from IHDR to IEND ---------------------------------
void check_png(const std::uint8_t* b, std::size_t n, const std::string& name) {
    std::size_t i = 8;
    bool first = true, data = false;
    for (;;) {
        if (n - i < 12) {
            throw Error(name + ": truncated PNG (the file ends at byte " + std::to_string(n) +
                        (first ? " before the IHDR chunk)" : " before the IEND chunk)"));
        }
        const std::uint32_t len = be32(b + i);
        const std::uint8_t* type = b + i + 4;
        if (len > 0x7fffffffu)
            throw Error(name + ": corrupt PNG (a chunk length of " + std::to_string(len) + " bytes)");
        if (n - i - 12 < len)
            throw Error(name + ": truncated PNG (the " + chunk_name(type) + " chunk at byte " + std::to_string(i) +
                        " needs " + std::to_string(std::size_t(len) + 12) + " bytes, the file has " +
                        std::to_string(n - i) + " left)");
        if (first) {
            if (std::memcmp(type, "IHDR", 4) != 0 || len != 13)
                throw Error(name + ": corrupt PNG (the first chunk is not a 13-byte IHDR)");
            const std::uint8_t* d = b + i + 8;
            check_size(be32(d), be32(d + 4), name);
            const int depth = d[8];
            if (depth == 16)
                throw Error(name +
                            ": 16-bit PNG (16 bits per sample); only PNGs of 8 bits or fewer per sample are "
                            "read: save it with 8 bits per channel");
            first = false;
        }
        // An empty IDAT before any image data is legal but no encoder writes one; stb_image 2.27 would
        // copy its 0 bytes into a buffer not yet allocated, memcpy(NULL, ...) (regressions/images/empty-idat-*).
        if (std::memcmp(type, "IDAT", 4) == 0) {
            if (len == 0 && !data) throw Error(name + ": corrupt PNG (an empty IDAT chunk before the image data)");
            data = true;
        }
        if (std::memcmp(type, "IEND", 4) == 0) return;
        i += std::size_t(len) + 12;
    }
}

// 4. JPEG: markers from SOI to EOI, the frame header (SOFn) checked, entropy-coded data skipped ----------
// An SOS segment: every Huffman table the scan decodes with must have been defined. stb_image 2.27
// decodes with an undefined table's uninitialised limits and reads past them
// (fuzz/regressions/images/undefined-huffman-table-*). Baseline scans use a DC and an AC table per
// component; progressive ones a DC table in a first DC scan (Ss = 0, Ah = 0), an AC table in an AC
// scan (Ss > 0), none in a DC refinement.
void check_scan_tables(const std::uint8_t* d, std::size_t n, bool progressive, const bool defined[2][4],
                       const std::string& name) {
    const std::size_t components = n >= 1 ? d[0] : 0;
    if (components < 1 || components > 4 || n != 1 + 2 * components + 3)
        throw Error(name + ": corrupt JPEG (a scan header of " + std::to_string(n + 2) + " bytes for " +
                    std::to_string(components) + " components)");
    const unsigned ss = d[1 + 2 * components], ah = d[3 + 2 * components] >> 4;
    const bool dc = !progressive || (ss == 0 && ah == 0), ac = !progressive || ss > 0;
    for (std::size_t c = 0; c < components; ++c) {
        const unsigned td = d[2 + 2 * c] >> 4, ta = d[2 + 2 * c] & 15;
        for (const auto& [used, cls, id] : {std::array<unsigned, 3>{dc, 0, td}, std::array<unsigned, 3>{ac, 1, ta}})
            if (used && (id > 3 || !defined[cls][id]))
                throw Error(name + ": corrupt JPEG (a scan uses the " + (cls ? "AC" : "DC") + " Huffman table " +
                            std::to_string(id) + ", which is not defined)");
    }
}

// A DHT segment: tables of a class/id byte, 16 code counts and the symbols. stb_image 2.27 (Debian
// 12) stores up to 256 symbols per table without checking the counts' sum, so a larger sum would
// write past its arrays (fuzz/regressions/images/dht-*): refused here. defined[class][id] records
// the tables seen.
void check_huffman_tables(const std::uint8_t* d, std::size_t n, const std::string& name, bool defined[2][4]) {
    std::size_t at = 0;
    while (at < n) {
        if (n - at < 17) throw Error(name + ": corrupt JPEG (a Huffman table header cut short)");
        const unsigned cls = d[at] >> 4, id = d[at] & 15;
        if (cls > 1 || id > 3)
            throw Error(name + ": corrupt JPEG (a Huffman table of class " + std::to_string(cls) + " and id " +
                        std::to_string(id) + ")");
        std::size_t codes = 0;
        for (int k = 1; k <= 16; ++k) codes += d[at + std::size_t(k)];
        if (codes > 256)
            throw Error(name + ": corrupt JPEG (a Huffman table of " + std::to_string(codes) + " codes; at most 256)");
        if (n - at - 17 < codes) throw Error(name + ": corrupt JPEG (a Huffman table longer than its segment)");
        defined[cls][id] = true;
        at += 17 + codes;
    }
}

void check_jpeg(const std::uint8_t* b, std::size_t n, const std::string& name) {
    auto truncated = [&](const std::string& what) { return Error(name + ": truncated JPEG (" + what + ")"); };
    std::size_t i = 2;
    bool frame = false, scan = false, progressive = false;
    bool tables[2][4] = {};
    for (;;) {
        if (i >= n) throw truncated("the file ends at byte " + std::to_string(n) + " without the end-of-image marker");
        if (b[i] != 0xff) throw Error(name + ": corrupt JPEG (no marker at byte " + std::to_string(i) + ")");
        while (i < n && b[i] == 0xff) ++i;  // fill bytes
        if (i >= n) throw truncated("the file ends inside a marker");
        const unsigned m = b[i++];
        if (m == 0xd9) {  // EOI
            if (!scan) throw Error(name + ": corrupt JPEG (no image data before the end-of-image marker)");
            return;
        }
        if ((m >= 0xd0 && m <= 0xd7) || m == 0x01) continue;  // markers without a length
        if (m == 0x00 || m == 0xd8)
            throw Error(name + ": corrupt JPEG (a stray marker at byte " + std::to_string(i - 2) + ")");
        if (n - i < 2) throw truncated("the file ends inside a segment header");
        const std::size_t len = be16(b + i);
        if (len < 2) throw Error(name + ": corrupt JPEG (a segment length of " + std::to_string(len) + ")");
        if (n - i < len)
            throw truncated("the segment at byte " + std::to_string(i - 2) + " needs " + std::to_string(len + 2) +
                            " bytes, the file has " + std::to_string(n - i + 2) + " left");
        if (m == 0xc4) check_huffman_tables(b + i + 2, len - 2, name, tables);
        const bool sof = m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
        if (sof && !frame) {
            if (len < 8) throw Error(name + ": corrupt JPEG (a frame header of " + std::to_string(len) + " bytes)");
            if (m == 0xc3 || m == 0xc7 || m == 0xcb || m == 0xcf)
                throw Error(name + ": lossless JPEG is not supported (only baseline and progressive JPEG are read)");
            if (m >= 0xc9)
                throw Error(name +
                            ": arithmetic-coded JPEG is not supported (only Huffman-coded baseline and "
                            "progressive JPEG are read)");
            if (m >= 0xc5)
                throw Error(name +
                            ": hierarchical JPEG is not supported (only baseline and progressive JPEG are read)");
            const int precision = b[i + 2];
            const unsigned h = be16(b + i + 3), w = be16(b + i + 5), components = b[i + 7];
            if (precision != 8)
                throw Error(name + ": " + std::to_string(precision) +
                            "-bit JPEG is not supported (only 8-bit samples)");
            if (h == 0)
                throw Error(name +
                            ": zero-sized image (the JPEG gives its height as 0, to be defined later "
                            "by a DNL marker, which is not supported)");
            check_size(w, h, name);
            if (components == 4)
                throw Error(name +
                            ": CMYK (or YCCK) JPEG with 4 colour components is not supported; save it as RGB "
                            "or grayscale");
            if (components != 1 && components != 3)
                throw Error(name + ": JPEG with " + std::to_string(components) +
                            " colour components is not supported (1, gray, or 3, colour)");
            frame = true;
            progressive = m == 0xc2;
        }
        i += len;
        if (m == 0xda) {  // SOS: the entropy-coded data runs to the next marker other than FF00 or RSTn
            if (!frame) throw Error(name + ": corrupt JPEG (image data before the frame header)");
            check_scan_tables(b + i - len + 2, len - 2, progressive, tables, name);
            scan = true;
            for (;;) {
                const void* ff = i < n ? std::memchr(b + i, 0xff, n - i) : nullptr;
                if (!ff || static_cast<const std::uint8_t*>(ff) + 1 >= b + n)
                    throw truncated("the image data runs to the end of the file without the end-of-image marker");
                i = std::size_t(static_cast<const std::uint8_t*>(ff) - b);
                const unsigned next = b[i + 1];
                if (next != 0x00 && !(next >= 0xd0 && next <= 0xd7)) break;
                i += 2;
            }
        }
    }
}

struct StbFree {
    void operator()(stbi_uc* p) const { stbi_image_free(p); }
};

}  // namespace

// 5. Decoding -----------------------------------------------------------------------------------------------
std::int64_t max_image_pixels() { return g_max_pixels.load(); }

void set_max_image_pixels(std::int64_t pixels) {
    g_max_pixels.store(pixels < 1 ? 1 : pixels > kMaxImagePixels ? kMaxImagePixels : pixels);
}

DecodedImage decode_image(const std::uint8_t* bytes, std::size_t size, const std::string& name) {
    if (size == 0) throw Error(name + ": empty file (0 bytes)");
    const bool png = starts_with(bytes, size, "\x89PNG\r\n\x1a\n", 8);
    const bool jpeg = starts_with(bytes, size, "\xff\xd8\xff", 3);
    if (!png && !jpeg) {
        const std::string other = other_format(bytes, size);
        throw Error(name + ": not a PNG or JPEG image" + (other.empty() ? "" : " (" + other + ")"));
    }
    if (size > 0x7fffffffu) throw Error(name + ": file too large (" + std::to_string(size) + " bytes)");
    if (png) check_png(bytes, size, name);
    else check_jpeg(bytes, size, name);

    int w = 0, h = 0, n = 0;
    std::unique_ptr<stbi_uc, StbFree> data(stbi_load_from_memory(bytes, int(size), &w, &h, &n, 0));
    if (!data) {
        const char* why = stbi_failure_reason();
        throw Error(name + ": corrupt " + (png ? "PNG" : "JPEG") + " (" + (why ? why : "the decoder failed") + ")");
    }
    check_size(w, h, name);
    if (n < 1 || n > 4) throw Error(name + ": " + std::to_string(n) + " channels decoded (expected 1 to 4)");
    DecodedImage im;
    im.width = w;
    im.height = h;
    im.channels = n <= 2 ? 1 : 3;  // gray (+ alpha) or RGB (+ alpha): alpha dropped
    const std::size_t pixels = std::size_t(w) * std::size_t(h);
    im.pixels.resize(pixels * std::size_t(im.channels));
    const stbi_uc* src = data.get();
    if (n == im.channels) {
        std::memcpy(im.pixels.data(), src, im.pixels.size());
    } else {
        for (std::size_t p = 0; p < pixels; ++p)
            for (int c = 0; c < im.channels; ++c)
                im.pixels[p * std::size_t(im.channels) + std::size_t(c)] = src[p * std::size_t(n) + std::size_t(c)];
    }
    return im;
}

}  // namespace strata
