// image_source.hpp: images from a path on disk, for `strata characterize --images` (torch-free).
//
// Index: 1. ImageSource  2. load_images
//
// What a path may be (recognised by what it holds, not by its name):
//   a folder of PNG and JPEG files  read recursively; the files named *.png, *.jpg, *.jpeg (any
//                                   case) in path order (the byte-wise order of the path relative
//                                   to the folder); an image's class is the name of the first
//                                   sub-folder it sits in, as torchvision's ImageFolder has it
//                                   (none for images at the top level; class indices follow the
//                                   sorted folder names). Other files are counted as ignored. A
//                                   file that cannot be used is skipped with its message; a folder
//                                   with no usable image is an error naming the folder.
//   an IDX dataset folder           (t10k-images-idx3-ubyte[.gz] inside): its test split, with labels.
//   a .npy file                     N x C x H x W or N x H x W x C (C = 1 or 3) or N x H x W,
//                                   uint8 0..255 or float 0..1 (images.hpp).
//   an IDX images file              plain or gzipped; its labels file beside it (the same name with
//                                   "labels" and "idx1" for "images" and "idx3") when present.
//   one PNG or JPEG file            a set of one image.
// Every image is converted and resized to channels x height x width by the core's one rule
// (image_resize.hpp), the same as in the page.
#pragma once
#include "images.hpp"

#include <cstddef>
#include <string>

namespace strata::data {

// 1. The images and where they came from ---------------------------------------------------------------
struct ImageSource {
    ImageSet images;
    std::string path;               // as given
    std::string kind;               // "image folder", "IDX folder", ".npy file", "IDX file", "image file"
    std::string files_sha256;       // a single file: its sha256 as stored; a folder: the sha256 of the
                                    // lines "<sha256>  <relative path>\n" of the files read, in order
    std::size_t ignored_files = 0;  // folder files not named as images (not read)
};

// 2. Loads the first max_count images (0: all) of `path`; throws strata::Error naming the path (or
// the file) when nothing usable is there. In a folder, reading stops at max_count usable images.
ImageSource load_images(const std::string& path, int channels, int height, int width, std::size_t max_count);

// One warning line on stderr per skipped file, then their count (nothing when none was skipped).
void warn_skipped(const ImageSource& src);

}  // namespace strata::data
