// idx.cpp: IDX files and folders. Index: 1. gzip (with a size cap) and files  2. dataset folders
// (Parsing and writing the bytes is the core's idx_format.cpp, shared with the page.)
#include "idx.hpp"

#include "error.hpp"

#include <zlib.h>

#include <sys/stat.h>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <limits>

namespace strata::data {

// 1. Gzip and files ---------------------------------------------------------------------------------
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
            throw Error(name + ": corrupt gzip file: " + std::to_string(zs.avail_in) +
                        " bytes after the compressed data");
        }
        if (rc == Z_BUF_ERROR && zs.avail_in == 0) throw Error(name + ": truncated gzip stream");
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            throw Error(name + ": corrupt gzip data (" +
                        std::string(zs.msg ? zs.msg : "zlib error " + std::to_string(rc)) + ")");
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

// 2. Dataset folders -----------------------------------------------------------------------------------
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

std::string find_split_file(const std::string& dir, Split split, bool images) {
    const std::string stem =
        std::string(split == Split::Train ? "train" : "t10k") + (images ? "-images-idx3-ubyte" : "-labels-idx1-ubyte");
    try {
        return find_file(dir, stem, images ? "images" : "labels");
    } catch (const Error&) { return ""; }
}

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

}  // namespace strata::data
