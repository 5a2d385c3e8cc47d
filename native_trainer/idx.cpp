// idx.cpp: IDX reading and writing. Index: 1. big-endian helpers  2. parsing  3. gzip (with a size cap) and files
//          4. dataset folders  5. writing
#include "idx.hpp"

#include "error.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <fstream>
#include <iterator>
#include <sys/stat.h>

namespace strata::data {
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
                    std::to_string(magic & 0xff) + (dims == 1 ? " (an image file given as labels?)" : " (a label file given as images?)"));
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
        if (d[i] != 0 && expect > std::numeric_limits<std::size_t>::max() / d[i]) expect = std::numeric_limits<std::size_t>::max();
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
        throw Error(name + ": images of " + std::to_string(d[1]) + "x" + std::to_string(d[2]) + " pixels are too large");
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

// 3. Gzip and files ---------------------------------------------------------------------------------
std::vector<std::uint8_t> gunzip(const std::uint8_t* bytes, std::size_t size, const std::string& name,
                                 std::size_t max_bytes) {
    if (size > std::size_t(std::numeric_limits<uInt>::max()))
        throw Error(name + ": compressed file too large (" + std::to_string(size) + " bytes)");
    // Inflate with automatic gzip/zlib header detection (windowBits 15 + 32), growing the output
    // up to max_bytes + 1 (one byte more than allowed tells a bomb from an exact fit).
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 32) != Z_OK) throw Error(name + ": zlib initialisation failed");
    struct End {
        z_stream& z;
        ~End() { inflateEnd(&z); }
    } end{zs};
    const std::size_t limit = max_bytes < std::numeric_limits<std::size_t>::max() ? max_bytes + 1 : max_bytes;
    std::vector<std::uint8_t> out(std::min(limit, size * 4 + 1024));
    zs.next_in = const_cast<std::uint8_t*>(bytes);
    zs.avail_in = uInt(size);
    std::size_t produced = 0;
    for (;;) {
        if (produced == out.size()) {
            if (out.size() >= limit)
                throw Error(name + ": gzip data expands to more than " + std::to_string(max_bytes) +
                            " bytes (the limit; a decompression bomb?)");
            out.resize(std::min(limit, out.size() * 2));
        }
        zs.next_out = out.data() + produced;
        zs.avail_out = uInt(std::min<std::size_t>(out.size() - produced, std::numeric_limits<uInt>::max()));
        const uInt before = zs.avail_out;
        const int rc = inflate(&zs, Z_NO_FLUSH);
        produced += before - zs.avail_out;
        if (rc == Z_STREAM_END) {
            if (zs.avail_in == 0) break;
            // Another gzip member follows (as `cat a.gz b.gz` makes); anything else is an error.
            if (zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b) {
                if (inflateReset(&zs) != Z_OK) throw Error(name + ": zlib reset failed");
                continue;
            }
            throw Error(name + ": corrupt gzip file: " + std::to_string(zs.avail_in) + " bytes after the compressed data");
        }
        if (rc == Z_BUF_ERROR && zs.avail_in == 0) throw Error(name + ": truncated gzip stream");
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            throw Error(name + ": corrupt gzip data (" + std::string(zs.msg ? zs.msg : "zlib error " + std::to_string(rc)) + ")");
    }
    if (produced > max_bytes)
        throw Error(name + ": gzip data expands to more than " + std::to_string(max_bytes) +
                    " bytes (the limit; a decompression bomb?)");
    out.resize(produced);
    return out;
}

std::vector<std::uint8_t> read_maybe_gzip(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw Error(path + ": cannot open");
    std::vector<std::uint8_t> raw((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (f.bad()) throw Error(path + ": read error");
    if (raw.size() < 2 || raw[0] != 0x1f || raw[1] != 0x8b) return raw;
    return gunzip(raw.data(), raw.size(), path);
}

const char* default_data_dir() { return "/usr/share/datasets/fashion-mnist"; }

// 4. Dataset folders -----------------------------------------------------------------------------------
namespace {

bool exists(const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// First existing candidate among NAME, NAME.gz and the dotted spelling of both.
std::string find_file(const std::string& dir, const std::string& stem, const std::string& kind) {
    const std::string dotted = stem.substr(0, stem.rfind('-')) + "." + stem.substr(stem.rfind('-') + 1);
    for (const std::string& n : {stem, stem + ".gz", dotted, dotted + ".gz"})
        if (exists(dir + "/" + n)) return dir + "/" + n;
    throw Error(dir + ": no " + kind + " file (looked for " + stem + " and " + stem + ".gz)");
}

}  // namespace

Dataset load_split(const std::string& dir, Split split, std::size_t limit) {
    const std::string prefix = split == Split::Train ? "train" : "t10k";
    Dataset ds;
    ds.images_path = find_file(dir, prefix + "-images-idx3-ubyte", "images");
    ds.labels_path = find_file(dir, prefix + "-labels-idx1-ubyte", "labels");
    const auto ib = read_maybe_gzip(ds.images_path);
    const auto lb = read_maybe_gzip(ds.labels_path);
    ds.images = parse_idx_images(ib.data(), ib.size(), ds.images_path);
    ds.labels = parse_idx_labels(lb.data(), lb.size(), ds.labels_path);
    if (ds.images.rows != 28 || ds.images.cols != 28)
        throw Error(ds.images_path + ": images are " + std::to_string(ds.images.rows) + "x" +
                    std::to_string(ds.images.cols) + ", the models need 28x28");
    if (ds.images.count != ds.labels.labels.size())
        throw Error(ds.images_path + " has " + std::to_string(ds.images.count) + " images but " + ds.labels_path +
                    " has " + std::to_string(ds.labels.labels.size()) + " labels");
    if (ds.images.count == 0) throw Error(ds.images_path + ": no images");
    if (limit > 0 && limit < ds.images.count) {
        ds.images.count = limit;
        ds.images.pixels.resize(limit * 28 * 28);
        ds.labels.labels.resize(limit);
    }
    return ds;
}

std::vector<float> to_unit_floats(const IdxImages& images, std::size_t first, std::size_t count) {
    if (first + count > images.count)
        throw Error("asked for images " + std::to_string(first) + ".." + std::to_string(first + count) + " of " +
                    std::to_string(images.count));
    const std::size_t px = std::size_t(images.rows) * images.cols;
    std::vector<float> out(count * px);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = float(images.pixels[first * px + i]) / 255.0f;
    return out;
}

// 5. Writing ------------------------------------------------------------------------------------------
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

}  // namespace strata::data
