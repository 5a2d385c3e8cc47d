// image_source.cpp: images from disk. Index: 1. helpers  2. image folders  3. IDX  4. load_images
#include "image_source.hpp"

#include "error.hpp"
#include "fileio.hpp"
#include "idx.hpp"
#include "sha256.hpp"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

namespace strata::data {
namespace {

namespace fs = std::filesystem;

// 1. Helpers ----------------------------------------------------------------------------------------------
bool starts_with(const std::vector<std::uint8_t>& b, const char* magic, std::size_t n) {
    return b.size() >= n && std::memcmp(b.data(), magic, n) == 0;
}

std::string join(const std::string& dir, const std::string& rel) {
    return !dir.empty() && dir.back() == '/' ? dir + rel : dir + "/" + rel;
}

// 2. Image folders ------------------------------------------------------------------------------------------
ImageSource load_folder(const std::string& root, int channels, int height, int width, std::size_t max_count) {
    ImageSource src;
    src.path = root;
    src.kind = "image folder";
    // Every regular file below the folder, by its path relative to the folder.
    std::vector<std::string> files;
    std::error_code ec;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
    if (ec) throw Error(root + ": cannot read the folder (" + ec.message() + ")");
    for (; it != end; it.increment(ec)) {
        if (ec) throw Error(root + ": cannot read the folder (" + ec.message() + ")");
        std::error_code fec;
        if (!it->is_regular_file(fec)) continue;
        if (!named_as_image(it->path().filename().string())) {
            ++src.ignored_files;
            continue;
        }
        files.push_back(it->path().lexically_relative(root).generic_string());
    }
    // Read one at a time, only as many as are needed.
    const auto read = [&](const std::string& f) { return cmd::read_file(join(root, f)); };
    FolderImages folder =
        image_set_from_folder(std::move(files), src.ignored_files, read, root, channels, height, width, max_count);
    src.images = std::move(folder.images);
    src.files_sha256 = std::move(folder.files_sha256);
    return src;
}

// 3. IDX ---------------------------------------------------------------------------------------------------------
ImageSource load_idx(const std::string& images_path, const std::string& labels_path, const std::string& kind,
                     int channels, int height, int width, std::size_t max_count) {
    ImageSource src;
    src.kind = kind;
    const auto raw = cmd::read_file(images_path);
    src.files_sha256 = sha256_hex(raw.data(), raw.size());
    const auto ib = read_maybe_gzip(images_path);
    const IdxImages images = parse_idx_images(ib.data(), ib.size(), images_path);
    if (labels_path.empty()) {
        src.images = image_set_from_idx(images, nullptr, images_path, channels, height, width, max_count);
    } else {
        const auto lb = read_maybe_gzip(labels_path);
        const IdxLabels labels = parse_idx_labels(lb.data(), lb.size(), labels_path);
        if (labels.labels.size() != images.count)
            throw Error(images_path + " has " + std::to_string(images.count) + " images but " + labels_path + " has " +
                        std::to_string(labels.labels.size()) + " labels");
        src.images = image_set_from_idx(images, &labels, images_path, channels, height, width, max_count);
    }
    return src;
}

// The labels file beside an IDX images file: "images" -> "labels", "idx3" -> "idx1" in its name.
std::string labels_beside(const std::string& images_path) {
    const fs::path p(images_path);
    std::string name = p.filename().string();
    const std::size_t a = name.find("images"), b = name.find("idx3");
    if (a == std::string::npos || b == std::string::npos) return "";
    name.replace(a, 6, "labels");
    name.replace(name.find("idx3"), 4, "idx1");
    const fs::path l = p.parent_path() / name;
    std::error_code ec;
    return fs::is_regular_file(l, ec) ? l.string() : "";
}

}  // namespace

// 4. Any path --------------------------------------------------------------------------------------------------------
ImageSource load_images(const std::string& path, int channels, int height, int width, std::size_t max_count) {
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) throw Error(path + ": no such file or folder");
    ImageSource src;
    if (fs::is_directory(st)) {
        const std::string idx_images = find_split_file(path, Split::Test, true);
        if (idx_images.empty()) return load_folder(path, channels, height, width, max_count);
        src = load_idx(idx_images, find_split_file(path, Split::Test, false), "IDX folder", channels, height, width,
                       max_count);
    } else {
        const auto bytes = cmd::read_file(path);
        const bool gz = starts_with(bytes, "\x1f\x8b", 2);
        if (starts_with(bytes, "\x93NUMPY", 6)) {
            src.kind = ".npy file";
            src.images = image_set_from_npy(bytes.data(), bytes.size(), path, channels, height, width, max_count);
            src.files_sha256 = sha256_hex(bytes.data(), bytes.size());
        } else if (gz || starts_with(bytes, "\0\0\x08\x03", 4)) {
            src = load_idx(path, labels_beside(path), "IDX file", channels, height, width, max_count);
        } else if (starts_with(bytes, "\x89PNG", 4) || starts_with(bytes, "\xff\xd8\xff", 3)) {
            src.kind = "image file";
            src.images = make_image_set(channels, height, width);
            if (!add_image_file(src.images, bytes.data(), bytes.size(), path, -1))
                throw Error(src.images.skipped.front().reason);
            src.files_sha256 = sha256_hex(bytes.data(), bytes.size());
        } else {
            throw Error(path + ": not an image folder, a .npy file, an IDX file or a PNG or JPEG image");
        }
    }
    src.path = path;
    return src;
}

void warn_skipped(const ImageSource& src) {
    for (const SkippedFile& f : src.images.skipped) std::fprintf(stderr, "warning: skipped %s\n", f.reason.c_str());
    if (!src.images.skipped.empty())
        std::fprintf(stderr, "warning: %s: %zu file(s) skipped\n", src.path.c_str(), src.images.skipped.size());
}

}  // namespace strata::data
