// fileio.hpp: reading whole files and writing them atomically.
//
// A result, model or checkpoint is never left half written: write_file_atomic writes to a
// temporary file in the same folder, flushes it to disk, and renames it over the target, so a
// reader sees either the old file or the new one. On failure the temporary file is removed and
// strata::Error names the target and the reason (e.g. "No space left on device").
#pragma once
#include <string>
#include <vector>

namespace strata::cmd {

std::vector<unsigned char> read_file(const std::string& path);  // throws naming the path
void write_file_atomic(const std::string& path, const void* data, std::size_t size);
void write_file_atomic(const std::string& path, const std::string& text);
void make_directories(const std::string& path);                 // mkdir -p, throws on failure

}  // namespace strata::cmd
