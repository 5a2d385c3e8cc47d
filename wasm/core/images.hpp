// images.hpp: a set of images at a model's input size, from any source the page or the CLI reads.
//
// Index: 1. ImageSet  2. encoded files (PNG, JPEG)  3. .npy arrays  4. IDX images  5. image folders
//
// Every source ends as the same thing: count images of channels x height x width floats in
// [0, 1], converted and resized by the one rule of image_resize.hpp, so the page and
// `strata characterize` see the same pixels. Reading files from disk (folders, gzip) is the
// CLI's part (its image source reader); here everything starts from bytes.
#pragma once
#include "idx_format.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace strata {

// 1. A set of images ------------------------------------------------------------------------------
struct SkippedFile {
    std::string path;
    std::string reason;  // the full message, starting with the path
};

struct ImageSet {
    std::size_t count = 0;
    int channels = 0, height = 0, width = 0;  // the target: 1 or 3 channels, 1..4096 a side
    std::vector<float> pixels;                // count x channels x height x width, in [0, 1]
    std::vector<int> labels;                  // per image: a class index or IDX label, -1 for none
    std::vector<std::string> class_names;     // names of the class indices (folders); empty otherwise
    std::vector<std::string> sources;         // per image: its file, or "file[i]" for an array
    std::vector<SkippedFile> skipped;         // files not used, and why

    std::size_t image_size() const { return std::size_t(channels) * std::size_t(height) * std::size_t(width); }
};

// An empty set for a target of channels x height x width; throws strata::Error when the channels
// are not 1 or 3 or a side is outside 1..4096.
ImageSet make_image_set(int channels, int height, int width);

// 2. Appends one PNG or JPEG file (image_decode.hpp), converted and resized to the set's target,
// with `label` (-1 for none). A file that cannot be used is recorded in `skipped` with its message
// and false is returned: the rest of a folder is still used.
bool add_image_file(ImageSet& set, const std::uint8_t* bytes, std::size_t size, const std::string& path, int label);

// 3. A .npy array of images: N x C x H x W, or N x H x W x C, with C = 1 or 3 (N x C x H x W is
// chosen when both read, i.e. when dimension 1 is 1 or 3), or N x H x W (gray). dtype uint8
// (0..255) or float32 / float64 in [0, 1]. The first max_count images (0: all) are read and
// converted; a NaN, an infinity or a float outside [0, 1] among them refuses the file, naming the
// image and the element. Throws strata::Error starting with `name`.
ImageSet image_set_from_npy(const std::uint8_t* bytes, std::size_t size, const std::string& name, int channels,
                            int height, int width, std::size_t max_count);

// 4. Parsed IDX images (idx_format.hpp), with their labels when given (the same count, or an
// error), the first max_count (0: all).
ImageSet image_set_from_idx(const IdxImages& images, const IdxLabels* labels, const std::string& name, int channels,
                            int height, int width, std::size_t max_count);

// 5. A folder of PNG and JPEG files, as torchvision's ImageFolder reads one. `files` are the paths
// of the image files relative to the folder ('/'-separated, any order): they are read in path
// order (byte-wise), each through `read` (which may throw strata::Error: the file is then skipped
// with that message), until max_count images (0: all) are usable. An image's class is its first
// sub-folder (class indices follow the sorted folder names; -1 at the top level). Skipped files
// are named `root`/relative path ("" root: the relative path alone). Throws strata::Error naming
// `root` when no image is usable; `ignored_files` (files not named as images) only explains why.
struct FolderImages {
    ImageSet images;
    std::string files_sha256;  // sha256 of the lines "<sha256 of the file>  <relative path>\n" of the images used
};
using ReadFile = std::function<std::vector<std::uint8_t>(const std::string& relative_path)>;
FolderImages image_set_from_folder(std::vector<std::string> files, std::size_t ignored_files, const ReadFile& read,
                                   const std::string& root, int channels, int height, int width, std::size_t max_count);

// Whether a file name ends in .png, .jpg or .jpeg (any case): what a folder's images are named.
bool named_as_image(const std::string& name);

}  // namespace strata
