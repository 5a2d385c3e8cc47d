// image_files.hpp: image files written by the tests themselves, byte by byte, independently of
// the decoder under test (stb_image): PNG, JPEG and .npy writers, and a checksum; and, for
// realistic (compressed) files, stb_image_write's PNG and JPEG encoders (stb_write.cpp).
//
// Index: 1. PNG (stored-deflate zlib, any colour type and bit depth)  2. JPEG (a constant image,
//        Huffman tables of one or two codes: exact decoded values)  3. .npy headers  4. checksum
//        5. stb_image_write (compressed PNG, lossy JPEG)
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace testimg {

using Bytes = std::vector<std::uint8_t>;

inline void put32(Bytes& o, std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) o.push_back(std::uint8_t(v >> s));
}
inline void put16(Bytes& o, unsigned v) {
    o.push_back(std::uint8_t(v >> 8));
    o.push_back(std::uint8_t(v));
}

// 1. PNG ------------------------------------------------------------------------------------------
inline std::uint32_t crc32(const std::uint8_t* d, std::size_t n) {
    std::uint32_t c = 0xffffffffu;
    for (std::size_t i = 0; i < n; ++i) {
        c ^= d[i];
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return c ^ 0xffffffffu;
}

inline void png_chunk(Bytes& o, const char* type, const Bytes& data) {
    put32(o, std::uint32_t(data.size()));
    Bytes td(type, type + 4);
    td.insert(td.end(), data.begin(), data.end());
    o.insert(o.end(), td.begin(), td.end());
    put32(o, crc32(td.data(), td.size()));
}

// A PNG of w x h pixels; `rows` holds the packed samples of each row (without the filter byte),
// row after row. Color type 0 gray, 2 RGB, 3 palette (`palette`: RGB triples), 4 gray + alpha,
// 6 RGBA; bit depth as given (16-bit samples big-endian in `rows`).
inline Bytes png(std::uint32_t w, std::uint32_t h, int depth, int color_type, const Bytes& rows,
                 const Bytes& palette = {}) {
    Bytes o = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    Bytes ihdr;
    put32(ihdr, w);
    put32(ihdr, h);
    ihdr.push_back(std::uint8_t(depth));
    ihdr.push_back(std::uint8_t(color_type));
    ihdr.push_back(0);  // deflate
    ihdr.push_back(0);  // filter method 0
    ihdr.push_back(0);  // no interlace
    png_chunk(o, "IHDR", ihdr);
    if (!palette.empty()) png_chunk(o, "PLTE", palette);
    // Raw image data: a filter byte 0 before each row.
    Bytes raw;
    const std::size_t row = h ? rows.size() / h : 0;
    for (std::uint32_t y = 0; y < h; ++y) {
        raw.push_back(0);
        raw.insert(raw.end(), rows.begin() + std::ptrdiff_t(y * row), rows.begin() + std::ptrdiff_t((y + 1) * row));
    }
    // zlib: header, stored deflate blocks of at most 65535 bytes, Adler-32.
    Bytes z = {0x78, 0x01};
    std::size_t at = 0;
    do {
        const std::size_t len = std::min<std::size_t>(65535, raw.size() - at);
        z.push_back(at + len == raw.size() ? 1 : 0);
        z.push_back(std::uint8_t(len));
        z.push_back(std::uint8_t(len >> 8));
        z.push_back(std::uint8_t(~len));
        z.push_back(std::uint8_t(~len >> 8));
        z.insert(z.end(), raw.begin() + std::ptrdiff_t(at), raw.begin() + std::ptrdiff_t(at + len));
        at += len;
    } while (at < raw.size());
    std::uint32_t a = 1, b = 0;
    for (std::uint8_t v : raw) {
        a = (a + v) % 65521;
        b = (b + a) % 65521;
    }
    put32(z, (b << 16) | a);
    png_chunk(o, "IDAT", z);
    png_chunk(o, "IEND", {});
    return o;
}

// 2. JPEG -----------------------------------------------------------------------------------------
// A baseline (or progressive) JPEG of 8 x 8 pixels, every component constant (values[c]), one
// block per component: quantisation 1, so the DC coefficient 8 (v - 128) decodes to exactly v; the
// DC table codes the (at most two) categories used, the AC table only end-of-block. Four
// components get an Adobe APP14 marker (transform 0: CMYK), as real CMYK files have.
struct BitWriter {
    Bytes out;
    unsigned acc = 0;
    int n = 0;
    void put(unsigned bits, int count) {
        for (int i = count - 1; i >= 0; --i) {
            acc = (acc << 1) | ((bits >> i) & 1u);
            if (++n == 8) flush_byte();
        }
    }
    void flush_byte() {
        out.push_back(std::uint8_t(acc));
        if (acc == 0xff) out.push_back(0);  // byte stuffing
        acc = 0;
        n = 0;
    }
    void finish() {
        while (n != 0) put(1, 1);  // pad with 1 bits
    }
};

inline int category(int d) {
    int c = 0;
    for (int a = d < 0 ? -d : d; a; a >>= 1) ++c;
    return c;
}

// The Huffman-coded DC value d (a category code "0" or "10" from `cats`, then the extra bits).
inline void put_dc(BitWriter& bw, const std::vector<int>& cats, int d) {
    const int k = category(d);
    if (k == cats[0]) bw.put(0, 1);
    else bw.put(2, 2);
    if (k) bw.put(unsigned(d > 0 ? d : d - 1) & ((1u << k) - 1), k);
}

inline void put_dht(Bytes& o, int table_class, const std::vector<int>& symbols) {  // codes "0", "10"
    o.insert(o.end(), {0xff, 0xc4});
    put16(o, unsigned(2 + 1 + 16 + symbols.size()));
    o.push_back(std::uint8_t(table_class << 4));
    o.push_back(1);
    o.push_back(symbols.size() > 1 ? 1 : 0);
    o.insert(o.end(), 14, 0);
    for (int k : symbols) o.push_back(std::uint8_t(k));
}

// SOS for `components` (1-based ids) with one table byte, spectral range and Ah/Al, then its data.
inline void put_scan(Bytes& o, const std::vector<int>& components, std::uint8_t tables, int ss, int se, int ahal,
                     BitWriter& bw) {
    o.insert(o.end(), {0xff, 0xda});
    put16(o, unsigned(6 + 2 * components.size()));
    o.push_back(std::uint8_t(components.size()));
    for (int c : components) o.insert(o.end(), {std::uint8_t(c), tables});
    o.insert(o.end(), {std::uint8_t(ss), std::uint8_t(se), std::uint8_t(ahal)});
    bw.finish();
    o.insert(o.end(), bw.out.begin(), bw.out.end());
}

// Progressive: a first DC scan with point transform 1 (DC / 2), a DC refinement scan (the low
// bits, raw; its table byte names DC table 1, never defined, which a refinement does not use), then
// the AC tables and one AC scan per component (end-of-band for every block).
inline Bytes jpeg_constant(const std::vector<int>& values, bool progressive = false) {
    const int nc = int(values.size());
    Bytes o = {0xff, 0xd8};
    if (nc == 4) {  // APP14 "Adobe": version 100, flags 0, 0, transform 0
        o.insert(o.end(), {0xff, 0xee});
        put16(o, 14);
        o.insert(o.end(), {'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0});
    }
    o.insert(o.end(), {0xff, 0xdb});  // DQT: table 0, all ones
    put16(o, 67);
    o.push_back(0);
    o.insert(o.end(), 64, 1);
    o.insert(o.end(), {0xff, std::uint8_t(progressive ? 0xc2 : 0xc0)});  // SOF0 or SOF2
    put16(o, unsigned(8 + 3 * nc));
    o.push_back(8);
    put16(o, 8);
    put16(o, 8);
    o.push_back(std::uint8_t(nc));
    std::vector<int> ids;
    for (int c = 0; c < nc; ++c) {
        o.insert(o.end(), {std::uint8_t(c + 1), 0x11, 0});
        ids.push_back(c + 1);
    }
    // DC table 0: the categories used (at most two distinct).
    std::vector<int> dc, cats;
    for (int v : values) {
        dc.push_back(progressive ? (8 * (v - 128)) >> 1 : 8 * (v - 128));
        if (std::find(cats.begin(), cats.end(), category(dc.back())) == cats.end()) cats.push_back(category(dc.back()));
    }
    if (cats.size() > 2) throw std::logic_error("jpeg_constant: at most two DC categories");
    put_dht(o, 0, cats);
    if (!progressive) {
        put_dht(o, 1, {0x00});  // AC table 0: end-of-block only
        BitWriter bw;
        for (int d : dc) {
            put_dc(bw, cats, d);
            bw.put(0, 1);  // end of block
        }
        put_scan(o, ids, 0x00, 0, 63, 0, bw);
    } else {
        BitWriter first, refine;
        for (std::size_t c = 0; c < dc.size(); ++c) {
            put_dc(first, cats, dc[c]);
            refine.put(unsigned(8 * (values[c] - 128)) & 1u, 1);
        }
        put_scan(o, ids, 0x00, 0, 0, 0x01, first);
        put_scan(o, ids, 0x10, 0, 0, 0x10, refine);
        put_dht(o, 1, {0x00});  // AC table 0 after the DC scans, as libjpeg writes them
        for (int c : ids) {
            BitWriter eob;
            eob.put(0, 1);  // end of band (run of one block)
            put_scan(o, {c}, 0x00, 1, 63, 0, eob);
        }
    }
    o.insert(o.end(), {0xff, 0xd9});
    return o;
}

// 3. .npy: a version 1.0 header for `descr` and `shape`, then the raw data ---------------------------
inline Bytes npy(const std::string& descr, const std::vector<std::size_t>& shape, const void* data, std::size_t bytes) {
    std::string dims;
    for (std::size_t i = 0; i < shape.size(); ++i) dims += (i ? ", " : "") + std::to_string(shape[i]);
    if (shape.size() == 1) dims += ",";
    std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    const std::uint8_t preamble[10] = {
        0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, std::uint8_t(header.size()), std::uint8_t(header.size() >> 8)};
    Bytes o(10 + header.size() + bytes);
    std::memcpy(o.data(), preamble, 10);
    std::memcpy(o.data() + 10, header.data(), header.size());
    if (bytes) std::memcpy(o.data() + 10 + header.size(), data, bytes);
    return o;
}

// 4. FNV-1a 64 of the bits of float pixels (a checksum printed by both builds) -----------------------
inline std::uint64_t checksum(const std::vector<float>& v) {
    std::uint64_t h = 1469598103934665603ull;
    for (float f : v) {
        std::uint32_t u;
        std::memcpy(&u, &f, 4);
        for (int k = 0; k < 4; ++k) {
            h ^= (u >> (8 * k)) & 0xffu;
            h *= 1099511628211ull;
        }
    }
    return h;
}

// 5. stb_image_write, into memory (stb_write.cpp; linked by test_core and bench_images): 0 bytes
// when it fails.
Bytes stb_png(int w, int h, int channels, const Bytes& interleaved);
Bytes stb_jpg(int w, int h, int channels, const Bytes& interleaved, int quality);

}  // namespace testimg
