// idx.hpp: MNIST-format IDX files (images and labels), plain or gzipped (torch-free).
//
// Index: 1. IdxImages / IdxLabels and their byte parsers (the core's)  2. gzip, files and dataset folders
//
// The bytes are parsed by the core's idx_format.hpp (the page uses the same parser); this file adds
// what only the CLI needs: gzip, reading files, the dataset folders. Everything is checked: magic,
// dimensions, that the data size matches exactly, and that the images and labels of a split have
// the same count. A bad file throws strata::Error whose message starts with the file's name. Gzip
// is recognised by its magic bytes, not by the file name.
#pragma once
#include "idx_format.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace strata::data {

// 1. Parsed files and parsing bytes: the core's (idx_format.hpp), shared with the page ----------------
using strata::encode_idx_images;
using strata::encode_idx_labels;
using strata::IdxImages;
using strata::IdxLabels;
using strata::parse_idx_images;
using strata::parse_idx_labels;

// 2. Gzip and files --------------------------------------------------------------------------------
// The most gunzip() inflates by default: 256 MiB, over five times the largest real input (the
// Fashion-MNIST training images, 47,040,016 bytes), so a decompression bomb (a few hundred KB of
// gzip that would expand to gigabytes) fails fast with a clear error instead of exhausting memory.
constexpr std::size_t kMaxGunzipBytes = std::size_t(256) << 20;

// Inflates gzip (or zlib) data; several concatenated gzip members are one stream, as gunzip(1)
// reads them. Throws strata::Error starting with `name` on corrupt or truncated data, bytes after
// the stream, or output beyond `max_bytes`.
std::vector<std::uint8_t> gunzip(const std::uint8_t* bytes, std::size_t size, const std::string& name,
                                 std::size_t max_bytes = kMaxGunzipBytes);

// Reads a file and gunzips it when it starts with the gzip magic (1f 8b).
std::vector<std::uint8_t> read_maybe_gzip(const std::string& path);

// The folder Debian's dataset-fashion-mnist installs.
const char* default_data_dir();

enum class Split { Train, Test };

struct Dataset {
    IdxImages images;
    IdxLabels labels;
    std::string images_path, labels_path;  // the files actually read
};

// Loads a split from a folder holding the four standard files, each plain or with a .gz suffix:
// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte
// (the dotted names "train-images.idx3-ubyte" of some MNIST mirrors work too). `limit` > 0 keeps
// only the first `limit` images. Throws when the files are missing (naming what was looked for),
// corrupt, not 28x28, or when images and labels disagree in count.
Dataset load_split(const std::string& dir, Split split, std::size_t limit = 0);

// The file of a split's images (or labels) in `dir`, as load_split looks for it; "" when none.
std::string find_split_file(const std::string& dir, Split split, bool images);

// Images [first, first + count) as floats in [0, 1] (pixel / 255), N x 1 x rows x cols.
std::vector<float> to_unit_floats(const IdxImages& images, std::size_t first, std::size_t count);

}  // namespace strata::data
