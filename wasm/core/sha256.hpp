// sha256.hpp: SHA-256 (FIPS 180-4), for naming model and input files in results.
#pragma once
#include <cstddef>
#include <string>

namespace strata {

std::string sha256_hex(const void* data, std::size_t size);  // 64 lowercase hex digits

}  // namespace strata
