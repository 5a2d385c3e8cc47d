// fileio.cpp: whole-file reads and atomic writes (POSIX).
#include "fileio.hpp"

#include "error.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace strata::cmd {

std::vector<unsigned char> read_file(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw Error(path + ": cannot open: " + std::strerror(errno));
    std::vector<unsigned char> data;
    unsigned char buf[1 << 16];
    std::size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) data.insert(data.end(), buf, buf + got);
    const bool failed = std::ferror(f);
    std::fclose(f);
    if (failed) throw Error(path + ": read error");
    return data;
}

namespace {
// The folder part of a path ("." for a bare name), for the fsync that makes a rename durable.
std::string parent_folder(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

// Writes the bytes to a temporary file beside `path`, flushed to disk, and returns its name. On
// failure nothing is left behind and strata::Error names `path` and the reason.
std::string write_temporary(const std::string& path, const void* data, std::size_t size) {
    // Beside the target so rename() stays within one file system. O_EXCL: never write through a
    // file or link that is already there; a leftover of a killed process that had the same pid is
    // removed once and the open retried.
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    const int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;
    int fd = ::open(tmp.c_str(), flags, 0644);
    if (fd < 0 && errno == EEXIST && ::unlink(tmp.c_str()) == 0) fd = ::open(tmp.c_str(), flags, 0644);
    if (fd < 0) throw Error(path + ": cannot write: " + std::strerror(errno));
    auto fail = [&](const char* what) {
        const int err = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        throw Error(path + ": " + what + ": " + std::strerror(err));
    };
    const char* p = static_cast<const char*>(data);
    std::size_t left = size;
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("write failed");
        }
        p += n;
        left -= std::size_t(n);
    }
    if (::fsync(fd) != 0) fail("flush to disk failed");
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw Error(path + ": close failed: " + std::strerror(err));
    }
    return tmp;
}

// Makes the renames into `path`'s folder durable. The new file is already in place, so a failure
// here is not reported (there is nothing the caller could undo).
void sync_folder(const std::string& path) {
    const int dir = ::open(parent_folder(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}
}  // namespace

void write_file_atomic(const std::string& path, const void* data, std::size_t size) {
    const std::string tmp = write_temporary(path, data, size);
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw Error(path + ": cannot replace the file: " + std::strerror(err));
    }
    sync_folder(path);
}

void write_files_atomic(const std::vector<FileContent>& files) {
    // The same path twice (say --out DIR/summary.csv with --csv DIR) would share a temporary name.
    for (std::size_t i = 0; i < files.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (files[i].path == files[j].path) throw Error(files[i].path + ": would be written twice by one command");
    // Phase 1: every temporary file is written and flushed; any failure removes them all, so no
    // target changes.
    std::vector<std::string> tmps;
    try {
        for (const FileContent& f : files) tmps.push_back(write_temporary(f.path, f.bytes.data(), f.bytes.size()));
    } catch (...) {
        for (const std::string& t : tmps) ::unlink(t.c_str());
        throw;
    }
    // Phase 2: the renames (each atomic; they fail only on an odd target such as a folder).
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (std::rename(tmps[i].c_str(), files[i].path.c_str()) != 0) {
            const int err = errno;
            for (std::size_t j = i; j < tmps.size(); ++j) ::unlink(tmps[j].c_str());
            throw Error(files[i].path + ": cannot replace the file: " + std::strerror(err));
        }
    }
    for (const FileContent& f : files) sync_folder(f.path);
}

void write_file_atomic(const std::string& path, const std::string& text) {
    write_file_atomic(path, text.data(), text.size());
}

void remove_stale_temporaries(const std::string& path) {
    const std::string folder = parent_folder(path);
    const std::size_t slash = path.rfind('/');
    const std::string prefix = (slash == std::string::npos ? path : path.substr(slash + 1)) + ".tmp.";
    const std::string own = std::to_string(::getpid());
    DIR* d = ::opendir(folder.c_str());
    if (!d) return;
    std::vector<std::string> stale;
    while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name.compare(0, prefix.size(), prefix) != 0) continue;
        const std::string pid = name.substr(prefix.size());
        if (pid.empty() || pid == own || pid.find_first_not_of("0123456789") != std::string::npos) continue;
        stale.push_back(folder + "/" + name);
    }
    ::closedir(d);
    for (const std::string& s : stale) ::unlink(s.c_str());
}

void make_directories(const std::string& path) {
    if (path.empty()) return;
    std::string partial;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t slash = path.find('/', start);
        partial = path.substr(0, slash);
        if (!partial.empty() && ::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST)
            throw Error(partial + ": cannot create the folder: " + std::strerror(errno));
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) throw Error(path + ": is not a folder");
}

}  // namespace strata::cmd
