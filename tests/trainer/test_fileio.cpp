// test_fileio.cpp: write_file_atomic and write_files_atomic under failing writes. Every fault must
// work as root too (CI runs as root, where a chmod read-only folder stops nothing):
//   EFBIG    RLIMIT_FSIZE (SIGXFSZ ignored), our stand-in for a full disk in the middle of a write
//   ENOTDIR  a path whose parent is a regular file
//   ENOENT   a missing folder
//   EISDIR   the target is a folder (the rename fails after the data was written)
//   /sys     sysfs refuses new files even for root (EACCES here, EROFS where /sys is mounted ro)
//   EACCES   a chmod 0555 folder, only when not root
// The last two cannot run everywhere: each is a ctest entry of its own that reports "skipped"
// where it cannot (tests/trainer/CMakeLists.txt).
// A real ENOSPC and EROFS (a small or read-only tmpfs) need mount rights: tests/trainer/write_faults.sh.
// Each case checks: the error names the path and the reason, the previous file is byte-identical,
// and no temporary file is left.
#include "error.hpp"
#include "error_of.hpp"
#include "fileio.hpp"
#include "skip.hpp"

#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace strata;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/strata_test_fileio_XXXXXX";
        REQUIRE(mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(path, ec);
    }
};

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void put(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    f << text;
}

// Names in `dir` that look like our temporary files.
std::string leftovers(const std::string& dir) {
    std::string names;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename().string().find(".tmp.") != std::string::npos)
            names += e.path().filename().string() + " ";
    return names;
}

using fixtures::error_of;

// RLIMIT_FSIZE lowered for this process while alive, SIGXFSZ ignored (so write() returns EFBIG).
struct FileSizeLimit {
    rlimit old{};
    void (*old_handler)(int) = nullptr;
    explicit FileSizeLimit(rlim_t bytes) {
        REQUIRE(getrlimit(RLIMIT_FSIZE, &old) == 0);
        old_handler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit lim = old;
        lim.rlim_cur = bytes;
        REQUIRE(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    }
    ~FileSizeLimit() {
        setrlimit(RLIMIT_FSIZE, &old);
        std::signal(SIGXFSZ, old_handler);
    }
};

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_SUITE("fileio") {
    TEST_CASE("write_file_atomic: writes, replaces, leaves no temporary file") {
        TempDir d;
        const std::string p = d.path + "/result.json";
        cmd::write_file_atomic(p, std::string("first"));
        CHECK(slurp(p) == "first");
        cmd::write_file_atomic(p, std::string(100000, 'x'));
        CHECK(slurp(p) == std::string(100000, 'x'));
        cmd::write_file_atomic(p, std::string());
        CHECK(fs::file_size(p) == 0);
        CHECK(leftovers(d.path).empty());
    }

    TEST_CASE("write_file_atomic: a write cut short (file-size limit, EFBIG) keeps the previous file") {
        TempDir d;
        const std::string p = d.path + "/checkpoint.pt";
        const std::string old(3000, 'o');
        put(p, old);
        std::string err;
        {
            FileSizeLimit limit(4096);
            err = error_of([&] { cmd::write_file_atomic(p, std::string(1 << 20, 'n')); });
        }
        CHECK(err == p + ": write failed: " + std::strerror(EFBIG));
        CHECK(slurp(p) == old);
        CHECK(leftovers(d.path).empty());
    }

    TEST_CASE("write_files_atomic: one failed file changes none of the group") {
        TempDir d;
        const std::string a = d.path + "/encoder.onnx", b = d.path + "/decoder.onnx";
        put(a, "old encoder");
        put(b, "old decoder");
        std::string err;
        {
            FileSizeLimit limit(4096);
            // The first file fits, the second does not: the first must not be replaced either.
            err = error_of([&] { cmd::write_files_atomic({{a, "new encoder"}, {b, std::string(1 << 16, 'd')}}); });
        }
        CHECK(err == b + ": write failed: " + std::strerror(EFBIG));
        CHECK(slurp(a) == "old encoder");
        CHECK(slurp(b) == "old decoder");
        CHECK(leftovers(d.path).empty());
        CHECK(error_of([&] {
                  cmd::write_files_atomic({{a, "x"}, {a, "y"}});
              }) == a + ": would be written twice by one command");
        cmd::write_files_atomic({{a, "new encoder"}, {b, "new decoder"}});
        CHECK(slurp(a) == "new encoder");
        CHECK(slurp(b) == "new decoder");
        CHECK(leftovers(d.path).empty());
    }

    TEST_CASE("write_file_atomic: the parent is a regular file (ENOTDIR), or missing (ENOENT)") {
        TempDir d;
        put(d.path + "/afile", "keep");
        const std::string p = d.path + "/afile/result.json";
        CHECK(error_of([&] { cmd::write_file_atomic(p, std::string("x")); }) ==
              p + ": cannot write: " + std::strerror(ENOTDIR));
        const std::string q = d.path + "/missing/result.json";
        CHECK(error_of([&] { cmd::write_file_atomic(q, std::string("x")); }) ==
              q + ": cannot write: " + std::strerror(ENOENT));
        CHECK(slurp(d.path + "/afile") == "keep");
        CHECK(leftovers(d.path).empty());
    }

    TEST_CASE("write_file_atomic: the target is a folder: the rename fails, nothing is left") {
        TempDir d;
        const std::string p = d.path + "/summary.csv";
        fs::create_directory(p);
        CHECK(error_of([&] { cmd::write_file_atomic(p, std::string("x")); }) ==
              p + ": cannot replace the file: " + std::strerror(EISDIR));
        CHECK(fs::is_directory(p));
        CHECK(leftovers(d.path).empty());
        // In a group, the files before it were renamed already; the ones after it are not.
        const std::string before = d.path + "/a.json", after = d.path + "/z.json";
        put(after, "old");
        CHECK(contains(error_of([&] {
                           cmd::write_files_atomic({{before, "new"}, {p, "x"}, {after, "new"}});
                       }),
                       p + ": cannot replace the file"));
        CHECK(slurp(after) == "old");
        CHECK(leftovers(d.path).empty());
    }

    TEST_CASE("write_file_atomic: a file system that refuses new files (/sys), even for root") {
        const std::string p = "/sys/strata_fileio_test.json";
        std::string err = error_of([&] { cmd::write_file_atomic(p, std::string("x")); });
        if (err.empty()) {
            ::unlink(p.c_str());
            fixtures::skip("/sys accepted a new file on this machine");
            return;
        }
        // EACCES on a read-write sysfs, EROFS where /sys is mounted read-only (containers).
        CHECK(contains(err, p + ": cannot write: "));
        CHECK((contains(err, std::strerror(EACCES)) || contains(err, std::strerror(EROFS))));
    }

    TEST_CASE("write_file_atomic: a read-only folder (chmod 0555, not root)") {
        if (::geteuid() == 0) {
            fixtures::skip("running as root, where a chmod 0555 folder does not stop writes");
            return;
        }
        TempDir d;
        const std::string p = d.path + "/result.json";
        put(p, "old");
        REQUIRE(::chmod(d.path.c_str(), 0555) == 0);
        CHECK(error_of([&] { cmd::write_file_atomic(p, std::string("new")); }) ==
              p + ": cannot write: " + std::strerror(EACCES));
        CHECK(slurp(p) == "old");
        CHECK(leftovers(d.path).empty());
    }

    TEST_CASE("write_file_atomic: a stale temporary name is replaced, never written through") {
        TempDir d;
        const std::string p = d.path + "/result.json", victim = d.path + "/victim";
        put(victim, "untouched");
        // A leftover with our pid's name, here a link to another file: O_EXCL refuses to open it, it
        // is removed and the write goes to a fresh file.
        const std::string tmp = p + ".tmp." + std::to_string(::getpid());
        REQUIRE(::symlink(victim.c_str(), tmp.c_str()) == 0);
        cmd::write_file_atomic(p, std::string("new"));
        CHECK(slurp(p) == "new");
        CHECK(slurp(victim) == "untouched");
        CHECK(leftovers(d.path).empty());
    }

    TEST_CASE("remove_stale_temporaries: removes other pids' leftovers of that file only") {
        TempDir d;
        const std::string p = d.path + "/checkpoint.pt";
        for (const char* name :
             {"checkpoint.pt", "checkpoint.pt.tmp.12345", "checkpoint.pt.tmp.x1", "config.json.tmp.12345"})
            put(d.path + "/" + name, "x");
        const std::string own = p + ".tmp." + std::to_string(::getpid());
        put(own, "mine");
        cmd::remove_stale_temporaries(p);
        CHECK(fs::exists(p));
        CHECK(!fs::exists(p + ".tmp.12345"));
        CHECK(fs::exists(p + ".tmp.x1"));                      // not ours: not PID-named
        CHECK(fs::exists(d.path + "/config.json.tmp.12345"));  // another file's
        CHECK(fs::exists(own));                                // this process's own
    }

    TEST_CASE("make_directories: a regular file in the way") {
        TempDir d;
        put(d.path + "/afile", "keep");
        CHECK(error_of([&] { cmd::make_directories(d.path + "/afile/csv"); }) ==
              d.path + "/afile/csv: cannot create the folder: " + std::strerror(ENOTDIR));
        CHECK(error_of([&] { cmd::make_directories(d.path + "/afile"); }) == d.path + "/afile: is not a folder");
        cmd::make_directories(d.path + "/a/b/c");
        CHECK(fs::is_directory(d.path + "/a/b/c"));
    }

}  // TEST_SUITE
