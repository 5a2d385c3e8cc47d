// test_images.cpp: images from anywhere: PNG and JPEG decoding, the channel and resize rule, image
// sets from files, .npy arrays and IDX bytes, and every bad file refused by name.
//
// Index: 1. helpers (an independent reference of the resize rule)  2. decoding  3. the rule on
//        hand-computed cases  4. decode + resize against the reference (checksum, native and
//        WebAssembly)  5. bad files  6. .npy  7. IDX
//
// The files are written by the tests (image_files.hpp), byte by byte, so the expected pixels are
// known without the decoder under test. The same tests run natively and under Node: in both, the
// pixels must equal the reference computed here in exact integer arithmetic, so both builds give
// the same bits.
#include "error.hpp"
#include "idx_format.hpp"
#include "image_decode.hpp"
#include "image_files.hpp"
#include "image_resize.hpp"
#include "images.hpp"
#include "npy.hpp"
#include "sha256.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <string>

using namespace strata;
using testimg::Bytes;

namespace {

// 1. Helpers -------------------------------------------------------------------------------------------
std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) { return e.what(); }
    return "";
}

// The test pattern: sample c of pixel (x, y), a deterministic formula.
std::uint8_t pattern(int x, int y, int c) { return std::uint8_t((x * 37 + y * 11 + c * 85 + x * y * 3) % 256); }

Bytes pattern_rows(int w, int h, int channels) {
    Bytes rows;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < channels; ++c) rows.push_back(pattern(x, y, c));
    return rows;
}

// The reference of the rule, straight from its definition: scale s = p / q, the source seen at a
// resolution of 2p cells per pixel (so every boundary of the centred crop and of every target
// pixel falls on a cell edge), each output pixel the sum of the cells it covers (area), or the
// bilinear mix at its centre; in integers, one division at the end.
// `value(c, y, x)` gives integer sample values on a scale of `full` (255, or 255000 for luma).
template <class Value>
std::vector<float> reference(int src_c, int h, int w, int C, int H, int W, const Value& value, double full) {
    long long p = H, q = h;
    if (double(H) / h < double(W) / w) p = W, q = w;
    const long long cell = 2 * p;                               // cells per source pixel
    const long long top = h * p - H * q, left = w * p - W * q;  // crop offsets in cells
    std::vector<float> out(std::size_t(C) * H * W);
    const int planes = src_c == C ? C : 1;
    for (int c = 0; c < planes; ++c)
        for (int i = 0; i < H; ++i)
            for (int j = 0; j < W; ++j) {
                long long sum = 0, den = 0;
                if (p <= q) {  // area: every cell of the output pixel's 2q x 2q cells
                    for (long long yy = top + 2 * q * i; yy < top + 2 * q * (i + 1); ++yy)
                        for (long long xx = left + 2 * q * j; xx < left + 2 * q * (j + 1); ++xx)
                            sum += value(c, int(yy / cell), int(xx / cell));
                    den = 4 * q * q;
                } else {  // bilinear at the centre, in cells; pixel k's centre is at cell k * 2p + p
                    auto taps = [&](long long centre, int n, int* k, long long* wgt) {
                        const double pos = double(centre - p) / double(cell);  // exact: small integers
                        const long long k0 = (long long)std::floor(pos);
                        const long long r = (centre - p) - k0 * cell;
                        if (k0 < 0) {
                            k[0] = k[1] = 0;
                            wgt[0] = cell;
                            wgt[1] = 0;
                        } else if (k0 >= n - 1) {
                            k[0] = k[1] = n - 1;
                            wgt[0] = cell;
                            wgt[1] = 0;
                        } else {
                            k[0] = int(k0);
                            k[1] = int(k0 + 1);
                            wgt[0] = cell - r;
                            wgt[1] = r;
                        }
                    };
                    int ky[2], kx[2];
                    long long wy[2], wx[2];
                    taps(top + q * (2 * i + 1), h, ky, wy);
                    taps(left + q * (2 * j + 1), w, kx, wx);
                    for (int a = 0; a < 2; ++a)
                        for (int b = 0; b < 2; ++b) sum += wy[a] * wx[b] * value(c, ky[a], kx[b]);
                    den = cell * cell;
                }
                out[(std::size_t(c) * H + i) * W + j] = float(double(sum) / (double(den) * full));
            }
    if (planes == 1 && C == 3)
        for (int c = 1; c < 3; ++c)
            std::copy(out.begin(), out.begin() + H * W, out.begin() + std::ptrdiff_t(c) * H * W);
    return out;
}

// The reference for an interleaved 8-bit image, with the channel rule.
std::vector<float> reference_u8(const Bytes& px, int src_c, int h, int w, int C, int H, int W) {
    const bool luma = src_c == 3 && C == 1;
    auto value = [&](int c, int y, int x) -> long long {
        const std::uint8_t* s = px.data() + (std::size_t(y) * w + x) * src_c;
        return luma ? 299LL * s[0] + 587LL * s[1] + 114LL * s[2] : (long long)s[src_c == 1 ? 0 : c];
    };
    return reference(src_c, h, w, C, H, W, value, luma ? 255000.0 : 255.0);
}

std::vector<float> resample(const Bytes& px, int src_c, int h, int w, int C, int H, int W) {
    std::vector<float> out(std::size_t(C) * H * W);
    resample_image(interleaved_u8(px.data(), src_c, h, w), C, H, W, out.data());
    return out;
}

Bytes pattern_png(int w, int h, int channels) {
    return testimg::png(std::uint32_t(w), std::uint32_t(h), 8, channels == 1 ? 0 : 2, pattern_rows(w, h, channels));
}

}  // namespace

TEST_SUITE("images") {
    // 2. Decoding ------------------------------------------------------------------------------------------------
    TEST_CASE(
        "images: PNG decoding gives the written samples exactly; alpha dropped, palette and low depths expanded") {
        for (int channels : {1, 3}) {
            const Bytes png = pattern_png(13, 7, channels);
            const DecodedImage im = decode_image(png.data(), png.size(), "p.png");
            CHECK(im.width == 13);
            CHECK(im.height == 7);
            CHECK(im.channels == channels);
            CHECK(im.pixels == pattern_rows(13, 7, channels));
        }
        // RGBA and gray + alpha: the colour samples as stored, alpha dropped.
        for (int alpha_type : {4, 6}) {
            const int colour = alpha_type == 4 ? 1 : 3;
            const Bytes rows = pattern_rows(5, 4, colour + 1);
            const Bytes png = testimg::png(5, 4, 8, alpha_type, rows);
            const DecodedImage im = decode_image(png.data(), png.size(), "a.png");
            REQUIRE(im.channels == colour);
            for (int p = 0; p < 20; ++p)
                for (int c = 0; c < colour; ++c)
                    CHECK(im.pixels[std::size_t(p * colour + c)] == rows[std::size_t(p * (colour + 1) + c)]);
        }
        // Palette: indices 0..3 into four RGB colours.
        const Bytes palette = {10, 20, 30, 40, 50, 60, 70, 80, 90, 255, 0, 128};
        const Bytes indices = {0, 1, 2, 3, 3, 2, 1, 0};
        const Bytes pal_png = testimg::png(4, 2, 8, 3, indices, palette);
        const DecodedImage pal = decode_image(pal_png.data(), pal_png.size(), "pal.png");
        REQUIRE(pal.channels == 3);
        for (int p = 0; p < 8; ++p)
            for (int c = 0; c < 3; ++c)
                CHECK(pal.pixels[std::size_t(p * 3 + c)] == palette[std::size_t(indices[std::size_t(p)] * 3 + c)]);
        // 1-bit gray: 0 and 1 become 0 and 255 (the PNG specification's scaling).
        const Bytes bits = testimg::png(8, 1, 1, 0, {0xa5});  // 1010 0101
        const DecodedImage b = decode_image(bits.data(), bits.size(), "b.png");
        CHECK(b.pixels == Bytes{255, 0, 255, 0, 0, 255, 0, 255});
    }

    TEST_CASE(
        "images: JPEG decoding: constant images exactly (baseline and progressive), a photo-like pattern closely") {
        const Bytes gray = testimg::jpeg_constant({148});
        const DecodedImage g = decode_image(gray.data(), gray.size(), "g.jpg");
        CHECK(g.channels == 1);
        CHECK(g.width == 8);
        CHECK(g.pixels == Bytes(64, 148));
        // YCbCr with neutral chroma is gray in RGB.
        const Bytes ycc = testimg::jpeg_constant({60, 128, 128});
        const DecodedImage c = decode_image(ycc.data(), ycc.size(), "c.jpg");
        CHECK(c.channels == 3);
        CHECK(c.pixels == Bytes(64 * 3, 60));
        // Progressive: DC scans (first with a point transform, then a refinement that names an undefined
        // table it does not use), the AC table defined between scans, one AC scan per component.
        for (const std::vector<int>& v : {std::vector<int>{148}, std::vector<int>{60, 128, 128}}) {
            const Bytes prog = testimg::jpeg_constant(v, true);
            const DecodedImage p = decode_image(prog.data(), prog.size(), "p.jpg");
            CHECK(p.pixels == Bytes(64 * v.size(), std::uint8_t(v[0])));
        }
        // stb_image_write's encoder at quality 95: within a few levels of the smooth original.
        const int w = 24, h = 16;
        Bytes rows;
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x)
                for (int ch = 0; ch < 3; ++ch) rows.push_back(std::uint8_t(40 + 6 * x + 4 * y + 30 * ch));
        const Bytes jpg = testimg::stb_jpg(w, h, 3, rows, 95);
        REQUIRE(!jpg.empty());
        const DecodedImage d = decode_image(jpg.data(), jpg.size(), "photo.jpg");
        REQUIRE(d.pixels.size() == rows.size());
        double err = 0;
        for (std::size_t i = 0; i < rows.size(); ++i) err += std::abs(double(d.pixels[i]) - double(rows[i]));
        CHECK(err / double(rows.size()) < 4.0);
    }

    // 3. The rule on hand-computed cases --------------------------------------------------------------------------
    TEST_CASE("images: resize rule: area, fractional area, centre crop, bilinear, luma, replication") {
        // 4 x 4 -> 2 x 2: each output the mean of a 2 x 2 block.
        const Bytes a = {0, 10, 100, 110, 20, 30, 120, 130, 200, 210, 1, 3, 220, 230, 5, 7};
        const auto ra = resample(a, 1, 4, 4, 1, 2, 2);
        CHECK(ra[0] == float(15.0 / 255));
        CHECK(ra[1] == float(115.0 / 255));
        CHECK(ra[2] == float(215.0 / 255));
        CHECK(ra[3] == float(4.0 / 255));
        // 3 x 3 -> 2 x 2: output pixel 0 covers source pixels 0 and 1 along each axis by 1 and 1/2,
        // so its weights are 1, 1/2 (x) 1, 1/2: (4 v00 + 2 v01 + 2 v10 + v11) / 9 / (1.5 x 1.5 / 2.25).
        const Bytes b = {90, 18, 0, 36, 255, 0, 0, 0, 72};
        const auto rb = resample(b, 1, 3, 3, 1, 2, 2);
        CHECK(rb[0] == float((4.0 * 90 + 2 * 18 + 2 * 36 + 255) / 9 / 255));
        CHECK(rb[3] == float((4.0 * 72 + 2 * 0 + 2 * 0 + 255) / 9 / 255));
        // 2 x 4 -> 2 x 2: the centre crop, columns 1 and 2, copied.
        const Bytes c = {1, 2, 3, 4, 5, 6, 7, 8};
        const auto rc = resample(c, 1, 2, 4, 1, 2, 2);
        CHECK(rc == std::vector<float>{2.0f / 255, 3.0f / 255, 6.0f / 255, 7.0f / 255});
        // 2 x 2 -> 4 x 4 bilinear: centres at -1/4, 1/4, 3/4, 5/4 source pixels: weights
        // (edge) 1 | 3/4, 1/4 | 1/4, 3/4 | 1 (edge); along a row 0 .. 200: 0, 50, 150, 200.
        const Bytes d = {0, 200, 0, 200};
        const auto rd = resample(d, 1, 2, 2, 1, 4, 4);
        for (int i = 0; i < 4; ++i) {
            CHECK(rd[std::size_t(i * 4 + 0)] == 0.0f);
            CHECK(rd[std::size_t(i * 4 + 1)] == float(50.0 / 255));
            CHECK(rd[std::size_t(i * 4 + 2)] == float(150.0 / 255));
            CHECK(rd[std::size_t(i * 4 + 3)] == float(200.0 / 255));
        }
        // Luma: 0.299 R + 0.587 G + 0.114 B.
        const Bytes rgb = {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30};
        const auto rl = resample(rgb, 3, 1, 4, 1, 1, 4);
        CHECK(rl[0] == float(0.299));
        CHECK(rl[1] == float(0.587));
        CHECK(rl[2] == float(0.114));
        CHECK(rl[3] == float((0.299 * 10 + 0.587 * 20 + 0.114 * 30) / 255));
        // Gray to RGB: the same plane three times.
        const auto rr = resample(Bytes{7, 9}, 1, 1, 2, 3, 1, 2);
        CHECK(rr == std::vector<float>{7.0f / 255, 9.0f / 255, 7.0f / 255, 9.0f / 255, 7.0f / 255, 9.0f / 255});
        // The same size: exactly v / 255 in float, as the IDX reader has always converted.
        Bytes all(256);
        for (int v = 0; v < 256; ++v) all[std::size_t(v)] = std::uint8_t(v);
        const auto same = resample(all, 1, 16, 16, 1, 16, 16);
        for (int v = 0; v < 256; ++v) CHECK(same[std::size_t(v)] == float(v) / 255.0f);
    }

    // 4. Decode + resize against the reference ------------------------------------------------------------------
    TEST_CASE(
        "images: decode + resize equal the independent reference bit for bit (checksum, native and WebAssembly)") {
        struct Case {
            int src_c, h, w, C, H, W;
        };
        // Shrinking with luma and a crop, shrinking RGB, enlarging gray to RGB, enlarging with a crop.
        const Case cases[] = {
            {3, 23, 37, 1, 16, 16}, {3, 40, 31, 3, 28, 28}, {1, 9, 6, 3, 20, 20}, {1, 5, 11, 1, 28, 28}};
        std::uint64_t all = 0, all_ref = 0;
        for (const Case& k : cases) {
            CAPTURE(k.h);
            CAPTURE(k.w);
            const Bytes png = pattern_png(k.w, k.h, k.src_c);
            ImageSet set = make_image_set(k.C, k.H, k.W);
            REQUIRE(add_image_file(set, png.data(), png.size(), "pattern.png", -1));
            const auto ref = reference_u8(pattern_rows(k.w, k.h, k.src_c), k.src_c, k.h, k.w, k.C, k.H, k.W);
            REQUIRE(set.pixels.size() == ref.size());
            std::size_t differ = 0;
            for (std::size_t i = 0; i < ref.size(); ++i) differ += !(set.pixels[i] == ref[i]);
            CHECK(differ == 0);
            all = all * 31 + testimg::checksum(set.pixels);
            all_ref = all_ref * 31 + testimg::checksum(ref);
        }
        CHECK(all == all_ref);
        char text[32];
        std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(all));
        MESSAGE("decode + resize checksum " << text << " (equal to the reference; the same in both builds)");
        // A JPEG through stb_image's scalar integer paths: the checksum is printed for comparison
        // between the native and the WebAssembly logs.
        const Bytes jpg = testimg::stb_jpg(29, 19, 3, pattern_rows(29, 19, 3), 90);
        REQUIRE(!jpg.empty());
        ImageSet js = make_image_set(3, 16, 16);
        REQUIRE(add_image_file(js, jpg.data(), jpg.size(), "pattern.jpg", -1));
        std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(testimg::checksum(js.pixels)));
        MESSAGE("JPEG decode + resize checksum " << text);
    }

    // 5. Bad files ---------------------------------------------------------------------------------------------------
    TEST_CASE("images: every bad file is refused naming it and saying what is wrong; the rest of the set is used") {
        const Bytes good = pattern_png(10, 10, 3);
        const Bytes png16 = testimg::png(2, 2, 16, 0, Bytes(8, 0x12));
        Bytes zero = testimg::png(1, 1, 8, 0, {0});
        zero[16 + 3] = 0;  // IHDR width 1 -> 0 (the CRC is not checked)
        const Bytes truncated_png(good.begin(), good.begin() + std::ptrdiff_t(good.size() / 2));
        const Bytes no_iend(good.begin(), good.end() - 12);
        Bytes empty_idat(good.begin(), good.begin() + 33);  // signature and IHDR, an empty IDAT, then the rest
        testimg::png_chunk(empty_idat, "IDAT", {});
        empty_idat.insert(empty_idat.end(), good.begin() + 33, good.end());
        Bytes bad_zlib = good;
        bad_zlib[8 + 25 + 8] = 0xff;  // the IDAT's zlib header byte
        const Bytes cmyk = testimg::jpeg_constant({10, 20, 30, 40});
        const Bytes two = testimg::jpeg_constant({10, 20});
        const Bytes jpg = testimg::jpeg_constant({100, 128, 128});
        const Bytes truncated_jpg(jpg.begin(), jpg.end() - 3);
        Bytes dht = testimg::jpeg_constant({148});  // the first DHT: 1 code, then 255 of length 5 and 1 of length 6
        const Bytes marker = {0xff, 0xc4};
        const std::size_t at =
            std::size_t(std::search(dht.begin(), dht.end(), marker.begin(), marker.end()) - dht.begin());
        REQUIRE(at + 11 < dht.size());
        dht[at + 5 + 4] = 255;
        dht[at + 5 + 5] = 1;
        Bytes undefined_table = testimg::jpeg_constant({148});  // the scan's DC table 0 -> 1, never defined
        const Bytes sos = {0xff, 0xda};
        const std::size_t scan =
            std::size_t(std::search(undefined_table.begin(), undefined_table.end(), sos.begin(), sos.end()) -
                        undefined_table.begin());
        REQUIRE(scan + 6 < undefined_table.size());
        undefined_table[scan + 6] = 0x10;
        const std::string text = "just some text, not an image";
        const Bytes gif = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0};
        struct Bad {
            const char* name;
            Bytes bytes;
            const char* says;
        };
        const Bad bad[] = {
            {"empty.png", {}, "empty.png: empty file (0 bytes)"},
            {"notes.png", Bytes(text.begin(), text.end()), "notes.png: not a PNG or JPEG image"},
            {"anim.png", gif, "anim.png: not a PNG or JPEG image (a GIF image)"},
            {"deep.png", png16, "deep.png: 16-bit PNG"},
            {"zero.png", zero, "zero.png: zero-sized image (0 x 1 pixels)"},
            {"half.png", truncated_png, "half.png: truncated PNG (the IDAT chunk at byte 33"},
            {"noend.png", no_iend, "noend.png: truncated PNG (the file ends at byte"},
            {"zlib.png", bad_zlib, "zlib.png: corrupt PNG ("},
            {"idat.png", empty_idat, "idat.png: corrupt PNG (an empty IDAT chunk before the image data)"},
            {"cmyk.jpg", cmyk, "cmyk.jpg: CMYK (or YCCK) JPEG with 4 colour components is not supported"},
            {"two.jpg", two, "two.jpg: JPEG with 2 colour components is not supported"},
            {"cut.jpg", truncated_jpg, "cut.jpg: truncated JPEG"},
            {"dht.jpg", dht, "dht.jpg: corrupt JPEG (a Huffman table of 257 codes; at most 256)"},
            {"table.jpg", undefined_table,
             "table.jpg: corrupt JPEG (a scan uses the DC Huffman table 1, which is not defined)"},
        };
        ImageSet set = make_image_set(1, 8, 8);
        REQUIRE(add_image_file(set, good.data(), good.size(), "first.png", 0));
        for (const Bad& b : bad) {
            CAPTURE(b.name);
            CHECK_FALSE(add_image_file(set, b.bytes.data(), b.bytes.size(), b.name, 0));
            REQUIRE(!set.skipped.empty());
            CHECK(set.skipped.back().path == b.name);
            CHECK(set.skipped.back().reason.find(b.says) == 0);
            // decode_image throws the same message.
            CHECK(error_of([&] { decode_image(b.bytes.data(), b.bytes.size(), b.name); }) == set.skipped.back().reason);
        }
        REQUIRE(add_image_file(set, jpg.data(), jpg.size(), "last.jpg", 1));
        CHECK(set.count == 2);
        CHECK(set.skipped.size() == sizeof bad / sizeof bad[0]);
        CHECK(set.sources == std::vector<std::string>{"first.png", "last.jpg"});
        CHECK(set.labels == std::vector<int>{0, 1});
        REQUIRE(set.pixels.size() == 2 * 64);
        for (std::size_t i = 64; i < 128; ++i) CHECK(set.pixels[i] == 100.0f / 255.0f);
        // The refused targets.
        CHECK(error_of([] { make_image_set(2, 8, 8); }).find("images: the target has 2 channels") == 0);
        CHECK(error_of([] { make_image_set(1, 0, 8); }).find("images: a target of 0 x 8 pixels") == 0);
        CHECK(error_of([] { make_image_set(3, 8, 5000); }).find("images: a target of 8 x 5000 pixels") == 0);
    }

    TEST_CASE("images: an image beyond the size limits is refused before it is decoded") {
        Bytes big = testimg::png(1, 1, 8, 0, {0});
        big[16] = 0, big[17] = 0, big[18] = 0x80, big[19] = 0x01;  // width 32769
        CHECK(error_of([&] {
                  decode_image(big.data(), big.size(), "wide.png");
              }).find("wide.png: image of 32769 x 1 pixels is too large") == 0);
        Bytes many = testimg::png(1, 1, 8, 0, {0});
        many[18] = 0x20, many[19] = 0x00, many[22] = 0x20, many[23] = 0x00;  // 8192 x 8192
        CHECK(error_of([&] {
                  decode_image(many.data(), many.size(), "huge.png");
              }).find("huge.png: image of 8192 x 8192 pixels is too large") == 0);
        // The limit can be lowered (the fuzz target does), never raised.
        const Bytes six = pattern_png(3, 2, 1);
        set_max_image_pixels(5);
        CHECK(error_of([&] { decode_image(six.data(), six.size(), "six.png"); }) ==
              "six.png: image of 3 x 2 pixels is too large (at most 32768 a side and 5 pixels)");
        set_max_image_pixels(std::int64_t(1) << 40);
        CHECK(max_image_pixels() == kMaxImagePixels);
        CHECK(decode_image(six.data(), six.size(), "six.png").pixels == pattern_rows(3, 2, 1));
    }

    // 6. .npy arrays ----------------------------------------------------------------------------------------------------
    TEST_CASE("images: encode_npy_u8 writes what numpy would, and the image reader reads it back exactly") {
        std::vector<std::uint8_t> v(2 * 3 * 4 * 5);
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = std::uint8_t((i * 37) % 256);
        const auto bytes = encode_npy_u8(v.data(), {2, 3, 4, 5});
        // The header numpy.save writes for this array (format 1.0, padded to 128 bytes).
        const std::string head(bytes.begin() + 10, bytes.begin() + 128);
        CHECK(head.rfind("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3, 4, 5), }", 0) == 0);
        CHECK(bytes.size() == 128 + v.size());
        CHECK(bytes[127] == '\n');
        const ImageSet set = image_set_from_npy(bytes.data(), bytes.size(), "s.npy", 3, 4, 5, 0);
        REQUIRE(set.count == 2);
        for (std::size_t i = 0; i < v.size(); ++i) CHECK(set.pixels[i] == float(v[i]) / 255.0f);
    }

    TEST_CASE("images: .npy arrays: uint8 and float, N x C x H x W, N x H x W x C and N x H x W, max_count") {
        // Two RGB 2 x 3 images, N x H x W x C uint8: sample (i, y, x, c) = 10 i + 3 y + x + 100 c.
        std::vector<std::uint8_t> nhwc;
        for (int i = 0; i < 2; ++i)
            for (int y = 0; y < 2; ++y)
                for (int x = 0; x < 3; ++x)
                    for (int c = 0; c < 3; ++c) nhwc.push_back(std::uint8_t(10 * i + 3 * y + x + 100 * c));
        const Bytes u8 = testimg::npy("|u1", {2, 2, 3, 3}, nhwc.data(), nhwc.size());
        // Target 3 x 2 x 2: the height fits (scale 1), the centre crop keeps x = 1/2 .. 5/2, so output
        // column j covers half of source column j and half of column j + 1: their mean.
        const ImageSet s = image_set_from_npy(u8.data(), u8.size(), "u8.npy", 3, 2, 2, 0);
        REQUIRE(s.count == 2);
        CHECK(s.sources[1] == "u8.npy[1]");
        CHECK(s.labels == std::vector<int>{-1, -1});
        for (int i = 0; i < 2; ++i)
            for (int c = 0; c < 3; ++c)
                for (int y = 0; y < 2; ++y)
                    for (int j = 0; j < 2; ++j) {
                        const double v = 10 * i + 3 * y + 100 * c + (j + 0.5);  // mean of columns j and j + 1
                        CHECK(s.pixels[std::size_t(((i * 3 + c) * 2 + y) * 2 + j)] == float(v / 255));
                    }
        // The same values as float64 N x C x H x W, scaled to [0, 1]: the same pixels (the sums are exact).
        std::vector<double> nchw;
        for (int i = 0; i < 2; ++i)
            for (int c = 0; c < 3; ++c)
                for (int y = 0; y < 2; ++y)
                    for (int x = 0; x < 3; ++x) nchw.push_back((10 * i + 3 * y + x + 100 * c) / 256.0);
        const Bytes f8 = testimg::npy("<f8", {2, 3, 2, 3}, nchw.data(), nchw.size() * 8);
        const ImageSet t = image_set_from_npy(f8.data(), f8.size(), "f8.npy", 3, 2, 2, 1);
        REQUIRE(t.count == 1);  // max_count
        for (int c = 0; c < 3; ++c)
            for (int y = 0; y < 2; ++y)
                for (int j = 0; j < 2; ++j)
                    CHECK(t.pixels[std::size_t((c * 2 + y) * 2 + j)] == float((3 * y + 100 * c + j + 0.5) / 256));
        // float32 N x H x W, gray to RGB.
        const std::vector<float> g = {0.25f, 0.5f, 0.75f, 1.0f};
        const Bytes f4 = testimg::npy("<f4", {1, 2, 2}, g.data(), 16);
        const ImageSet u = image_set_from_npy(f4.data(), f4.size(), "f4.npy", 3, 2, 2, 0);
        CHECK(u.pixels ==
              std::vector<float>{0.25f, 0.5f, 0.75f, 1.0f, 0.25f, 0.5f, 0.75f, 1.0f, 0.25f, 0.5f, 0.75f, 1.0f});
    }

    TEST_CASE("images: bad .npy image arrays are refused naming the file, the image and what is wrong") {
        const std::vector<float> ok = {0.f, 0.5f, 1.f, 0.25f};
        auto err = [](const Bytes& b) {
            return error_of([&] { image_set_from_npy(b.data(), b.size(), "x.npy", 1, 2, 2, 0); });
        };
        std::vector<float> v = ok;
        v.insert(v.end(), ok.begin(), ok.end());
        v[6] = std::nanf("");
        CHECK(
            err(testimg::npy("<f4", {2, 1, 2, 2}, v.data(), 32)) ==
            "x.npy: image 1 holds NaN at element 2; float images must lie in [0, 1] (uint8 images are read as 0..255)");
        v[6] = INFINITY;
        CHECK(err(testimg::npy("<f4", {2, 1, 2, 2}, v.data(), 32))
                  .find("x.npy: image 1 holds an infinity at element 2") == 0);
        v[6] = 1.5f;
        CHECK(err(testimg::npy("<f4", {2, 1, 2, 2}, v.data(), 32))
                  .find("x.npy: image 1 holds the value 1.5 at element 2") == 0);
        v[6] = -0.25f;
        CHECK(err(testimg::npy("<f4", {2, 2, 2}, v.data(), 32)).find("x.npy: image 1 holds the value -0.25") == 0);
        CHECK(err(testimg::npy("<f4", {1, 2, 2, 2}, v.data(), 32))
                  .find("x.npy: expected images N x C x H x W or N x H x W x C") == 0);
        CHECK(err(testimg::npy("<f4", {4}, ok.data(), 16)).find("got 4") != std::string::npos);
        CHECK(err(testimg::npy("<f4", {0, 1, 2, 2}, ok.data(), 0)) == "x.npy: no images (N = 0)");
        CHECK(err(testimg::npy("<f4", {1, 1, 0, 2}, ok.data(), 0)).find("x.npy: zero-sized images") == 0);
        CHECK(err(testimg::npy("<i4", {1, 1, 2, 2}, ok.data(), 16)) ==
              "x.npy: dtype '<i4' is not supported; need uint8 ('|u1'), float32 ('<f4') or float64 ('<f8')");
        CHECK(err(testimg::npy("<f4", {1, 1, 2, 2}, ok.data(), 12)).find("x.npy: truncated") == 0);
        // A latent .npy stays float-only.
        const Bytes u8 = testimg::npy("|u1", {1, 1, 1, 1}, "\x01", 1);
        CHECK(error_of([&] { parse_npy(u8.data(), u8.size(), "z.npy"); }) ==
              "z.npy: dtype '|u1' is not supported; need float32 ('<f4') or float64 ('<f8')");
    }

    // 7. IDX images -----------------------------------------------------------------------------------------------------
    TEST_CASE("images: IDX images: labels kept, the same size is v / 255, another size is resized") {
        IdxImages im;
        im.count = 3;
        im.rows = 4;
        im.cols = 4;
        for (int i = 0; i < 48; ++i) im.pixels.push_back(std::uint8_t(i * 5));
        IdxLabels lab;
        lab.labels = {7, 0, 9};
        const Bytes ib = encode_idx_images(im), lb = encode_idx_labels(lab);
        const IdxImages pi = parse_idx_images(ib.data(), ib.size(), "i.idx");
        const IdxLabels pl = parse_idx_labels(lb.data(), lb.size(), "l.idx");
        const ImageSet s = image_set_from_idx(pi, &pl, "i.idx", 1, 4, 4, 2);
        REQUIRE(s.count == 2);
        CHECK(s.labels == std::vector<int>{7, 0});
        CHECK(s.sources[1] == "i.idx[1]");
        for (int i = 0; i < 32; ++i) CHECK(s.pixels[std::size_t(i)] == float(i * 5) / 255.0f);
        const ImageSet h = image_set_from_idx(pi, nullptr, "i.idx", 3, 2, 2, 0);
        CHECK(h.count == 3);
        CHECK(h.labels == std::vector<int>{-1, -1, -1});
        // Image 0, 2 x 2 blocks: mean of 0, 5, 20, 25 = 12.5.
        CHECK(h.pixels[0] == float(12.5 / 255));
        CHECK(h.pixels[4] == float(12.5 / 255));  // the green copy
        lab.labels.pop_back();
        CHECK(error_of([&] { image_set_from_idx(pi, &lab, "i.idx", 1, 4, 4, 0); }) == "i.idx: 3 images but 2 labels");
    }

    // 8. Image folders ---------------------------------------------------------------------------------------------------
    TEST_CASE(
        "images: a folder: path order, classes from the first sub-folder, bad files skipped, the listing digest") {
        // Gray 1 x 1 images whose value says which file it is.
        const auto gray = [](std::uint8_t v) { return testimg::png(1, 1, 8, 0, Bytes{v}); };
        std::map<std::string, Bytes> files = {
            {"b/2.png", gray(20)},  {"a/x/1.png", gray(10)},       {"top.PNG", gray(30)},
            {"b/10.png", gray(40)}, {"b/bad.png", Bytes{1, 2, 3}}, {"a/unreadable.jpg", {}},
        };
        std::vector<std::string> read_order;
        const ReadFile read = [&](const std::string& f) {
            read_order.push_back(f);
            if (f == "a/unreadable.jpg") throw Error("root/a/unreadable.jpg: cannot read the file");
            return files.at(f);
        };
        std::vector<std::string> paths;
        for (const auto& [p, b] : files) paths.push_back(p);
        std::reverse(paths.begin(), paths.end());  // any order in, path order out
        const FolderImages f = image_set_from_folder(paths, 4, read, "root", 1, 1, 1, 0);
        // Byte-wise order: "a/unreadable.jpg" < "a/x/1.png" < "b/10.png" < "b/2.png" < "b/bad.png" < "top.PNG".
        CHECK(read_order ==
              std::vector<std::string>{"a/unreadable.jpg", "a/x/1.png", "b/10.png", "b/2.png", "b/bad.png", "top.PNG"});
        REQUIRE(f.images.count == 4);
        CHECK(f.images.pixels == std::vector<float>{10 / 255.0f, 40 / 255.0f, 20 / 255.0f, 30 / 255.0f});
        CHECK(f.images.class_names == std::vector<std::string>{"a", "b"});
        CHECK(f.images.labels == std::vector<int>{0, 1, 1, -1});
        CHECK(f.images.sources[0] == "root/a/x/1.png");
        REQUIRE(f.images.skipped.size() == 2);
        CHECK(f.images.skipped[0].path == "root/a/unreadable.jpg");
        CHECK(f.images.skipped[1].path == "root/b/bad.png");
        CHECK(f.images.skipped[1].reason.rfind("root/b/bad.png: ", 0) == 0);
        // The digest: sha256 of "<sha256 of the file>  <relative path>\n" over the images used.
        std::string listing;
        for (const char* p : {"a/x/1.png", "b/10.png", "b/2.png", "top.PNG"})
            listing += sha256_hex(files[p].data(), files[p].size()) + "  " + p + "\n";
        CHECK(f.files_sha256 == sha256_hex(listing.data(), listing.size()));
        // max_count stops reading once enough images are usable.
        read_order.clear();
        const FolderImages two = image_set_from_folder(paths, 0, read, "", 1, 1, 1, 2);
        CHECK(two.images.count == 2);
        CHECK(read_order.size() == 3);
        CHECK(two.images.sources[0] == "a/x/1.png");  // no root: the relative path alone
        // Nothing usable: the folder is named, with why.
        CHECK(error_of([&] { image_set_from_folder({}, 3, read, "empty", 1, 1, 1, 0); }) ==
              "empty: no usable PNG or JPEG images: no files named *.png, *.jpg or *.jpeg (3 other files)");
        CHECK(error_of([&] { image_set_from_folder({"b/bad.png"}, 0, read, "", 1, 1, 1, 0); })
                  .rfind("images: no usable PNG or JPEG images: none of its 1 image files could be read (the first: "
                         "b/bad.png: ",
                         0) == 0);
        CHECK(named_as_image("x/y.JpEg"));
        CHECK(!named_as_image("x.png/readme"));
        CHECK(!named_as_image("png"));
    }
}  // TEST_SUITE
