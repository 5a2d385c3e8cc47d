// npy.hpp: NumPy .npy files, as numpy.save writes them (format versions 1.0, 2.0, 3.0).
//
// Index: 1. NpyArray  2. parse_npy (bytes -> array), parse_npy_header  3. encode_npy (array -> bytes)
//        4. latent_set_from_npy (a 4-D N x C x H x W array -> LatentSet)
//
// Accepted: little-endian float32 ('<f4') or float64 ('<f8'), C order. Anything else (another
// dtype, big-endian, Fortran order, a truncated or corrupt file) throws strata::Error whose
// message starts with the file's name and says what is wrong. Byte parsing is separate from file
// reading so the page can parse a dropped file with the same code. Image arrays may also be uint8
// ('|u1'): images.hpp reads them through parse_npy_header, straight from the bytes.
#pragma once
#include "latent.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace strata {

// 1. A parsed array, values widened to double --------------------------------------------------
struct NpyArray {
    std::vector<std::size_t> shape;
    std::string dtype;           // "<f4" or "<f8", as in the file's header
    std::vector<double> values;  // product(shape) numbers, C order
};

// 2. Parse the bytes of a .npy file; `name` is used in error messages.
NpyArray parse_npy(const unsigned char* bytes, std::size_t size, const std::string& name);

// The header alone, checked against the file's size (the data is exactly count * item_size bytes
// from data_offset). Accepts '<f4' and '<f8', and with allow_uint8 also uint8 (reported as '|u1').
struct NpyHeader {
    std::vector<std::size_t> shape;
    std::string dtype;
    std::size_t item_size = 0, count = 0, data_offset = 0;
};
NpyHeader parse_npy_header(const unsigned char* bytes, std::size_t size, const std::string& name, bool allow_uint8);

// 3. Encode a float32 C-order array as .npy bytes (format 1.0; 2.0 when the header needs more than
// 65535 bytes).
std::vector<unsigned char> encode_npy_f32(const float* values, const std::vector<std::size_t>& shape);
// The same for uint8 values ('|u1'), as image arrays are stored (e.g. a published site's sample).
std::vector<unsigned char> encode_npy_u8(const std::uint8_t* values, const std::vector<std::size_t>& shape);

// 4. A 4-D array N x C x H x W as a latent set; checks the rank of the array, NaN and Inf (naming
// the sample index) and that N >= 1.
LatentSet latent_set_from_npy(const NpyArray& array, const std::string& name, double sigma);

}  // namespace strata
