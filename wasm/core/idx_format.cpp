// idx_format.cpp: IDX parsing and writing. Index: 1. big-endian helpers  2. parsing  3. writing
#include "idx_format.hpp"

#include "error.hpp"

#include <cstdio>
#include <limits>

namespace strata {
namespace {

// 1. Big-endian helpers ----------------------------------------------------------------------------
std::uint32_t read_be32(const std::uint8_t* p) {
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
}

void write_be32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(std::uint8_t(v >> s));
}

// Checks the header of an IDX file with unsigned-byte data and `dims` dimensions; returns them.
std::vector<std::uint32_t> parse_header(const std::uint8_t* bytes, std::size_t size, int dims,
                                        const std::string& name) {
    const std::size_t header = 4 + 4 * std::size_t(dims);
    if (size < 4) throw Error(name + ": truncated IDX file (" + std::to_string(size) + " bytes, no header)");
    const std::uint32_t magic = read_be32(bytes);
    if ((magic >> 16) != 0 || ((magic >> 8) & 0xff) != 0x08) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "0x%08x", magic);
        throw Error(name + ": not an IDX file of unsigned bytes (magic " + buf + ")");
    }
    if (int(magic & 0xff) != dims)
        throw Error(name + ": expected an IDX file with " + std::to_string(dims) + " dimension(s), found " +
                    std::to_string(magic & 0xff) +
                    (dims == 1 ? " (an image file given as labels?)" : " (a label file given as images?)"));
    if (size < header) throw Error(name + ": truncated IDX header");
    // The data size is the product of up to three 32-bit dimensions, which can exceed 64 bits: it
    // saturates at SIZE_MAX (more than any file holds), so a wrapped product can never match the
    // file's size (fuzz/regressions/idx/header-size-overflow-*).
    std::vector<std::uint32_t> d(dims);
    bool zero = false;
    std::size_t expect = 1;
    for (int i = 0; i < dims; ++i) {
        d[i] = read_be32(bytes + 4 + 4 * i);
        zero = zero || d[i] == 0;
        if (d[i] != 0 && expect > std::numeric_limits<std::size_t>::max() / d[i])
            expect = std::numeric_limits<std::size_t>::max();
        else expect *= d[i];
    }
    if (zero) expect = 0;
    if (size - header < expect) {
        std::string dimensions;
        for (int i = 0; i < dims; ++i) dimensions += (i ? " x " : "") + std::to_string(d[i]);
        throw Error(name + ": truncated IDX file: header promises " +
                    (expect == std::numeric_limits<std::size_t>::max() ? dimensions : std::to_string(expect)) +
                    " data bytes, file has " + std::to_string(size - header));
    }
    if (size - header > expect)
        throw Error(name + ": corrupt IDX file: " + std::to_string(size - header - expect) + " bytes after the data");
    return d;
}

}  // namespace

// 2. Parsing -----------------------------------------------------------------------------------------
IdxImages parse_idx_images(const std::uint8_t* bytes, std::size_t size, const std::string& name) {
    const auto d = parse_header(bytes, size, 3, name);
    if (d[1] == 0 || d[2] == 0) throw Error(name + ": images of size 0");
    if (d[1] > std::uint32_t(std::numeric_limits<int>::max()) || d[2] > std::uint32_t(std::numeric_limits<int>::max()))
        throw Error(name + ": images of " + std::to_string(d[1]) + "x" + std::to_string(d[2]) +
                    " pixels are too large");
    IdxImages im;
    im.count = d[0];
    im.rows = int(d[1]);
    im.cols = int(d[2]);
    im.pixels.assign(bytes + 16, bytes + size);
    return im;
}

IdxLabels parse_idx_labels(const std::uint8_t* bytes, std::size_t size, const std::string& name) {
    parse_header(bytes, size, 1, name);
    IdxLabels l;
    l.labels.assign(bytes + 8, bytes + size);
    return l;
}

// 3. Writing ------------------------------------------------------------------------------------------
std::vector<std::uint8_t> encode_idx_images(const IdxImages& images) {
    std::vector<std::uint8_t> out;
    write_be32(out, 0x00000803);
    write_be32(out, std::uint32_t(images.count));
    write_be32(out, std::uint32_t(images.rows));
    write_be32(out, std::uint32_t(images.cols));
    out.insert(out.end(), images.pixels.begin(), images.pixels.begin() + images.count * images.rows * images.cols);
    return out;
}

std::vector<std::uint8_t> encode_idx_labels(const IdxLabels& labels) {
    std::vector<std::uint8_t> out;
    write_be32(out, 0x00000801);
    write_be32(out, std::uint32_t(labels.labels.size()));
    out.insert(out.end(), labels.labels.begin(), labels.labels.end());
    return out;
}

}  // namespace strata
