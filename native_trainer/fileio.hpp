// fileio.hpp: reading whole files and writing them atomically.
//
// A result, model or checkpoint is never left half written: write_file_atomic writes to a
// temporary file in the same folder, flushes it to disk, and renames it over the target, so a
// reader sees either the old file or the new one. On failure the temporary file is removed and
// strata::Error names the target and the reason (e.g. "No space left on device"). The folder is
// flushed after the rename so the new name survives a power loss too.
#pragma once
#include <string>
#include <vector>

namespace strata::cmd {

std::vector<unsigned char> read_file(const std::string& path);  // throws naming the path
void write_file_atomic(const std::string& path, const void* data, std::size_t size);
void write_file_atomic(const std::string& path, const std::string& text);

// Several files that belong together (a model's encoder and decoder, a result and its CSV
// tables): every temporary file is written and flushed first, then all are renamed. A failed
// write (no space, a file-size limit, a read-only or missing folder) changes none of the targets.
struct FileContent {
    std::string path;
    std::string bytes;
};
void write_files_atomic(const std::vector<FileContent>& files);
// Removes the temporary files a killed process left beside `path` (PATH.tmp.PID of another pid).
// Only for files one process owns, such as a training run's checkpoint.
void remove_stale_temporaries(const std::string& path);

void make_directories(const std::string& path);  // mkdir -p, throws on failure

}  // namespace strata::cmd
