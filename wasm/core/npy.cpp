// npy.cpp: reading and writing NumPy .npy files.
//
// Index: 1. header parsing  2. parse_npy_header, parse_npy  3. encode_npy_f32, encode_npy_u8
//        4. latent_set_from_npy
//
// The format (numpy/lib/format.py documents it): magic "\x93NUMPY", a major and minor version
// byte, the header length (2 bytes little-endian in version 1, 4 bytes in versions 2 and 3), then
// an ASCII Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (N, C, H, W), }
// padded with spaces to a multiple of 64 bytes, then the raw data.
#include "npy.hpp"

#include "error.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace strata {

namespace {

// 1. Header parsing ----------------------------------------------------------------------------------
// Finds `'key':` in the dict literal and returns the position just after the colon.
std::size_t find_key(const std::string& header, const std::string& key, const std::string& name) {
    const std::size_t at = header.find("'" + key + "'");
    if (at == std::string::npos) throw Error(name + ": corrupt .npy header: no '" + key + "' entry");
    std::size_t colon = header.find(':', at);
    if (colon == std::string::npos) throw Error(name + ": corrupt .npy header near '" + key + "'");
    return colon + 1;
}

std::size_t skip_spaces(const std::string& s, std::size_t i) {
    while (i < s.size() && s[i] == ' ') ++i;
    return i;
}

std::string parse_descr(const std::string& header, const std::string& name) {
    std::size_t i = skip_spaces(header, find_key(header, "descr", name));
    if (i >= header.size() || (header[i] != '\'' && header[i] != '"'))
        throw Error(name + ": unsupported .npy dtype (a structured array?); need float32 or float64");
    const char quote = header[i];
    const std::size_t end = header.find(quote, i + 1);
    if (end == std::string::npos) throw Error(name + ": corrupt .npy header: unterminated dtype");
    return header.substr(i + 1, end - i - 1);
}

bool parse_fortran_order(const std::string& header, const std::string& name) {
    const std::size_t i = skip_spaces(header, find_key(header, "fortran_order", name));
    if (header.compare(i, 4, "True") == 0) return true;
    if (header.compare(i, 5, "False") == 0) return false;
    throw Error(name + ": corrupt .npy header: fortran_order is neither True nor False");
}

std::vector<std::size_t> parse_shape(const std::string& header, const std::string& name) {
    std::size_t i = skip_spaces(header, find_key(header, "shape", name));
    if (i >= header.size() || header[i] != '(') throw Error(name + ": corrupt .npy header: shape is not a tuple");
    const std::size_t end = header.find(')', i);
    if (end == std::string::npos) throw Error(name + ": corrupt .npy header: unterminated shape");
    std::vector<std::size_t> shape;
    std::size_t k = i + 1;
    while (k < end) {
        k = skip_spaces(header, k);
        if (k >= end) break;
        if (header[k] < '0' || header[k] > '9') throw Error(name + ": corrupt .npy header: bad shape entry");
        std::uint64_t v = 0;
        while (k < end && header[k] >= '0' && header[k] <= '9') {
            if (v > (std::numeric_limits<std::uint64_t>::max() - 9) / 10)
                throw Error(name + ": corrupt .npy header: a dimension is too large");
            v = v * 10 + std::uint64_t(header[k++] - '0');
        }
        shape.push_back(std::size_t(v));
        k = skip_spaces(header, k);
        if (k < end && header[k] == ',') ++k;
        else if (k < end) throw Error(name + ": corrupt .npy header: bad shape entry");
    }
    return shape;
}

}  // namespace

// 2. Parsing ----------------------------------------------------------------------------------------------
NpyHeader parse_npy_header(const unsigned char* bytes, std::size_t size, const std::string& name, bool allow_uint8) {
    static const unsigned char magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    if (size < 10 || std::memcmp(bytes, magic, 6) != 0)
        throw Error(name + ": not a .npy file (missing the \\x93NUMPY magic)");
    const int major = bytes[6];
    std::size_t header_len = 0, offset = 0;
    if (major == 1) {
        header_len = std::size_t(bytes[8]) | std::size_t(bytes[9]) << 8;
        offset = 10;
    } else if (major == 2 || major == 3) {
        if (size < 12) throw Error(name + ": truncated .npy header");
        header_len = std::size_t(bytes[8]) | std::size_t(bytes[9]) << 8 | std::size_t(bytes[10]) << 16 |
                     std::size_t(bytes[11]) << 24;
        offset = 12;
    } else {
        throw Error(name + ": unsupported .npy format version " + std::to_string(major));
    }
    if (header_len > size - offset) throw Error(name + ": truncated .npy header");
    const std::string header(reinterpret_cast<const char*>(bytes + offset), header_len);
    offset += header_len;

    NpyHeader h;
    h.dtype = parse_descr(header, name);
    // One-byte data has no byte order: numpy writes '|u1', and '<u1' / '>u1' mean the same.
    if (allow_uint8 && (h.dtype == "<u1" || h.dtype == ">u1")) h.dtype = "|u1";
    const std::string need =
        allow_uint8 ? "uint8 ('|u1'), float32 ('<f4') or float64 ('<f8')" : "float32 ('<f4') or float64 ('<f8')";
    if (h.dtype == "<f4") h.item_size = 4;
    else if (h.dtype == "<f8") h.item_size = 8;
    else if (allow_uint8 && h.dtype == "|u1") h.item_size = 1;
    else if (h.dtype == ">f4" || h.dtype == ">f8")
        throw Error(name + ": big-endian data ('" + h.dtype +
                    "') is not supported; save it little-endian "
                    "(e.g. array.astype('<f4'))");
    else throw Error(name + ": dtype '" + h.dtype + "' is not supported; need " + need);
    if (parse_fortran_order(header, name))
        throw Error(name +
                    ": Fortran-order arrays are not supported; save a C-order array "
                    "(numpy.ascontiguousarray)");
    h.shape = parse_shape(header, name);

    h.count = 1;
    for (std::size_t d : h.shape) {
        if (d != 0 && h.count > std::numeric_limits<std::size_t>::max() / d / h.item_size)
            throw Error(name + ": corrupt .npy header: the shape is impossibly large");
        h.count *= d;
    }
    const std::size_t expected = h.count * h.item_size, found = size - offset;
    if (found < expected)
        throw Error(name + ": truncated: the header promises " + std::to_string(expected) +
                    " bytes of data, the file has " + std::to_string(found));
    if (found > expected)
        throw Error(name + ": corrupt: " + std::to_string(found - expected) + " unexpected bytes after the data");
    h.data_offset = offset;
    return h;
}

NpyArray parse_npy(const unsigned char* bytes, std::size_t size, const std::string& name) {
    const NpyHeader h = parse_npy_header(bytes, size, name, /*allow_uint8=*/false);
    NpyArray a;
    a.shape = h.shape;
    a.dtype = h.dtype;
    a.values.resize(h.count);
    const unsigned char* data = bytes + h.data_offset;
    if (h.item_size == 4) {
        for (std::size_t i = 0; i < h.count; ++i) {
            float f;
            std::memcpy(&f, data + 4 * i, 4);
            a.values[i] = double(f);
        }
    } else if (h.count) {
        std::memcpy(a.values.data(), data, 8 * h.count);
    }
    return a;
}

// 3. Encoding ----------------------------------------------------------------------------------------------
namespace {
// The bytes of a C-order array of `shape` with numpy type `descr` ('<f4', '|u1') of `item` bytes.
std::vector<unsigned char> encode_npy(const void* values, const std::vector<std::size_t>& shape, const char* descr,
                                      std::size_t item) {
    std::string dims;  // "3, 4" for a matrix, "3," for a vector, as Python writes tuples
    std::size_t count = 1;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        dims += (i ? ", " : "") + std::to_string(shape[i]);
        count *= shape[i];
    }
    if (shape.size() == 1) dims += ",";
    std::string header = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
    // Format 1.0 has a 2-byte header length; a longer header (tens of thousands of dimensions)
    // needs 2.0 and its 4-byte length, as numpy writes it (fuzz/regressions/npy/encode-header-*).
    const int major = 10 + header.size() + 1 + 63 > 0xffff ? 2 : 1;
    const std::size_t preamble = major == 1 ? 10 : 12;
    // Pad so that magic + version + length + header + '\n' is a multiple of 64 bytes.
    const std::size_t unpadded = preamble + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header.push_back('\n');
    std::vector<unsigned char> out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<unsigned char>(major), 0};
    for (std::size_t i = 0; i < preamble - 8; ++i) out.push_back(static_cast<unsigned char>(header.size() >> (8 * i)));
    out.insert(out.end(), header.begin(), header.end());
    const std::size_t start = out.size();
    out.resize(start + item * count);
    if (count) std::memcpy(out.data() + start, values, item * count);
    return out;
}
}  // namespace

std::vector<unsigned char> encode_npy_f32(const float* values, const std::vector<std::size_t>& shape) {
    return encode_npy(values, shape, "<f4", 4);
}

std::vector<unsigned char> encode_npy_u8(const std::uint8_t* values, const std::vector<std::size_t>& shape) {
    return encode_npy(values, shape, "|u1", 1);
}

// 4. As a latent set ---------------------------------------------------------------------------------------
LatentSet latent_set_from_npy(const NpyArray& a, const std::string& name, double sigma) {
    if (a.shape.size() != 4) {
        std::string dims;
        for (std::size_t d : a.shape) dims += (dims.empty() ? "" : " x ") + std::to_string(d);
        throw Error(name + ": expected a 4-D array N x C x H x W, got " + std::to_string(a.shape.size()) + "-D (" +
                    (dims.empty() ? "scalar" : dims) + ")");
    }
    for (std::size_t d = 1; d < 4; ++d)
        if (a.shape[d] == 0) throw Error(name + ": latent dimension " + std::to_string(d) + " has size 0");
    if (a.shape[1] * a.shape[2] * a.shape[3] > (std::size_t(1) << 26))
        throw Error(name + ": a latent of " + std::to_string(a.shape[1]) + "x" + std::to_string(a.shape[2]) + "x" +
                    std::to_string(a.shape[3]) + " values is too large to analyse");
    LatentSet set;
    set.name = name;
    set.sigma = sigma;
    set.n = a.shape[0];
    set.shape = {int(a.shape[1]), int(a.shape[2]), int(a.shape[3])};
    if (set.n == 0) throw Error(name + ": the set is empty (N = 0)");
    set.values = a.values;
    validate(set);
    return set;
}

}  // namespace strata
