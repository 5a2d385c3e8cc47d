// idx_format.hpp: MNIST-format IDX bytes (images and labels): parsing and writing.
//
// Index: 1. IdxImages / IdxLabels  2. parsing bytes  3. writing bytes
//
// The format (http://yann.lecun.com/exdb/mnist/): a big-endian magic 0x00000803 (unsigned bytes,
// 3 dimensions) or 0x00000801 (1 dimension), then each dimension as a big-endian uint32, then the
// data. Everything is checked: magic, dimensions, and that the data size matches exactly. A bad
// file throws strata::Error whose message starts with the file's name. The bytes are already
// decompressed: the CLI inflates gzip itself, the page hands over a file's bytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace strata {

// 1. Parsed files --------------------------------------------------------------------------------
struct IdxImages {
    std::size_t count = 0;
    int rows = 0, cols = 0;
    std::vector<std::uint8_t> pixels;  // count * rows * cols bytes, image after image, row-major
};

struct IdxLabels {
    std::vector<std::uint8_t> labels;
};

// 2. Parsing; `name` prefixes every error message.
IdxImages parse_idx_images(const std::uint8_t* bytes, std::size_t size, const std::string& name);
IdxLabels parse_idx_labels(const std::uint8_t* bytes, std::size_t size, const std::string& name);

// 3. Writing plain (uncompressed) IDX bytes, e.g. the sample data of models/sample/.
std::vector<std::uint8_t> encode_idx_images(const IdxImages& images);
std::vector<std::uint8_t> encode_idx_labels(const IdxLabels& labels);

}  // namespace strata
