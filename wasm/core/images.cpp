// images.cpp: image sets. Index: 1. the target  2. encoded files  3. .npy arrays  4. IDX images  5. folders
#include "images.hpp"

#include "error.hpp"
#include "image_decode.hpp"
#include "image_resize.hpp"
#include "npy.hpp"
#include "sha256.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>

namespace strata {
namespace {

constexpr int kMaxTargetSide = 4096;

// Appends one image (already read into `view`) to the set.
void append(ImageSet& set, const ImageView& view, const std::string& source, int label) {
    const std::size_t at = set.pixels.size();
    set.pixels.resize(at + set.image_size());
    resample_image(view, set.channels, set.height, set.width, set.pixels.data() + at);
    set.labels.push_back(label);
    set.sources.push_back(source);
    ++set.count;
}

std::string number_text(double x) {
    char b[32];
    std::snprintf(b, sizeof b, "%.9g", x);
    return b;
}

std::string shape_text(const std::vector<std::size_t>& shape) {
    std::string s;
    for (std::size_t d : shape) s += (s.empty() ? "" : " x ") + std::to_string(d);
    return s.empty() ? "a scalar" : s;
}

}  // namespace

// 1. The target ------------------------------------------------------------------------------------------
ImageSet make_image_set(int channels, int height, int width) {
    if (channels != 1 && channels != 3)
        throw Error("images: the target has " + std::to_string(channels) + " channels (must be 1 or 3)");
    if (height < 1 || height > kMaxTargetSide || width < 1 || width > kMaxTargetSide)
        throw Error("images: a target of " + std::to_string(height) + " x " + std::to_string(width) +
                    " pixels (each side must be 1 to " + std::to_string(kMaxTargetSide) + ")");
    ImageSet set;
    set.channels = channels;
    set.height = height;
    set.width = width;
    return set;
}

// 2. Encoded files ------------------------------------------------------------------------------------------
bool add_image_file(ImageSet& set, const std::uint8_t* bytes, std::size_t size, const std::string& path, int label) {
    try {
        const DecodedImage im = decode_image(bytes, size, path);
        append(set, interleaved_u8(im.pixels.data(), im.channels, im.height, im.width), path, label);
        return true;
    } catch (const Error& e) {
        set.skipped.push_back({path, e.what()});
        return false;
    }
}

// 3. .npy arrays ------------------------------------------------------------------------------------------------
ImageSet image_set_from_npy(const std::uint8_t* bytes, std::size_t size, const std::string& name, int channels,
                            int height, int width, std::size_t max_count) {
    ImageSet set = make_image_set(channels, height, width);
    const NpyHeader h = parse_npy_header(bytes, size, name, /*allow_uint8=*/true);
    const auto& s = h.shape;
    // Layout: (c, y, x) strides in elements within one image.
    std::size_t n = 0, c = 0, ih = 0, iw = 0;
    std::ptrdiff_t sc = 0, sy = 0, sx = 0;
    if (s.size() == 3) {
        n = s[0], c = 1, ih = s[1], iw = s[2];
        sy = std::ptrdiff_t(iw), sx = 1;
    } else if (s.size() == 4 && (s[1] == 1 || s[1] == 3)) {
        n = s[0], c = s[1], ih = s[2], iw = s[3];
        sc = std::ptrdiff_t(ih * iw), sy = std::ptrdiff_t(iw), sx = 1;
    } else if (s.size() == 4 && (s[3] == 1 || s[3] == 3)) {
        n = s[0], ih = s[1], iw = s[2], c = s[3];
        sc = 1, sy = std::ptrdiff_t(iw * c), sx = std::ptrdiff_t(c);
    } else {
        throw Error(name + ": expected images N x C x H x W or N x H x W x C with C = 1 or 3, or N x H x W; got " +
                    shape_text(s));
    }
    if (n == 0) throw Error(name + ": no images (N = 0)");
    if (ih == 0 || iw == 0) throw Error(name + ": zero-sized images (" + shape_text(s) + ")");
    if (ih > 32768 || iw > 32768)
        throw Error(name + ": images of " + std::to_string(ih) + " x " + std::to_string(iw) +
                    " pixels are too large (at most 32768 a side)");
    const std::size_t count = max_count > 0 && max_count < n ? max_count : n;
    const std::size_t per_image = c * ih * iw;

    ImageView v;
    v.type = h.item_size == 1 ? ImageView::Type::U8 : h.item_size == 4 ? ImageView::Type::F32 : ImageView::Type::F64;
    v.full_scale = h.item_size == 1 ? 255.0 : 1.0;
    v.channels = int(c);
    v.height = int(ih);
    v.width = int(iw);
    v.stride_c = sc, v.stride_y = sy, v.stride_x = sx;
    set.pixels.reserve(count * set.image_size());
    for (std::size_t i = 0; i < count; ++i) {
        v.base = bytes + h.data_offset + i * per_image * h.item_size;
        if (h.item_size != 1) {
            for (std::size_t e = 0; e < per_image; ++e) {
                double x;
                if (h.item_size == 4) {
                    float f;
                    std::memcpy(&f, v.base + 4 * e, 4);
                    x = double(f);
                } else {
                    std::memcpy(&x, v.base + 8 * e, 8);
                }
                if (!(x >= 0.0 && x <= 1.0))
                    throw Error(name + ": image " + std::to_string(i) + " holds " +
                                (std::isnan(x)   ? std::string("NaN")
                                 : std::isinf(x) ? std::string("an infinity")
                                                 : "the value " + number_text(x)) +
                                " at element " + std::to_string(e) +
                                "; float images must lie in [0, 1] "
                                "(uint8 images are read as 0..255)");
            }
        }
        append(set, v, name + "[" + std::to_string(i) + "]", -1);
    }
    return set;
}

// 4. IDX images -------------------------------------------------------------------------------------------------
ImageSet image_set_from_idx(const IdxImages& images, const IdxLabels* labels, const std::string& name, int channels,
                            int height, int width, std::size_t max_count) {
    ImageSet set = make_image_set(channels, height, width);
    if (labels && labels->labels.size() != images.count)
        throw Error(name + ": " + std::to_string(images.count) + " images but " +
                    std::to_string(labels->labels.size()) + " labels");
    if (images.count == 0) throw Error(name + ": no images");
    if (images.rows > 32768 || images.cols > 32768)
        throw Error(name + ": images of " + std::to_string(images.rows) + " x " + std::to_string(images.cols) +
                    " pixels are too large (at most 32768 a side)");
    const std::size_t count = max_count > 0 && max_count < images.count ? max_count : images.count;
    const std::size_t px = std::size_t(images.rows) * std::size_t(images.cols);
    set.pixels.reserve(count * set.image_size());
    for (std::size_t i = 0; i < count; ++i)
        append(set, interleaved_u8(images.pixels.data() + i * px, 1, images.rows, images.cols),
               name + "[" + std::to_string(i) + "]", labels ? int(labels->labels[i]) : -1);
    return set;
}

// 5. Image folders ------------------------------------------------------------------------------------------------
bool named_as_image(const std::string& name) {
    const std::size_t dot = name.find_last_of('.');
    if (dot == std::string::npos || name.find('/', dot) != std::string::npos) return false;
    std::string ext = name.substr(dot);
    for (char& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

FolderImages image_set_from_folder(std::vector<std::string> files, std::size_t ignored_files, const ReadFile& read,
                                   const std::string& root, int channels, int height, int width,
                                   std::size_t max_count) {
    FolderImages out;
    out.images = make_image_set(channels, height, width);
    ImageSet& set = out.images;
    std::sort(files.begin(), files.end());  // std::string compares as unsigned bytes: path order
    // Classes: the first sub-folder of each image, indexed in sorted order.
    std::map<std::string, int> classes;
    for (const std::string& f : files)
        if (f.find('/') != std::string::npos) classes.emplace(f.substr(0, f.find('/')), 0);
    for (auto& [name, index] : classes) {
        index = int(set.class_names.size());
        set.class_names.push_back(name);
    }
    std::string listing;
    for (const std::string& f : files) {
        if (max_count > 0 && set.count >= max_count) break;
        const std::string path = root.empty() ? f : root.back() == '/' ? root + f : root + "/" + f;
        const std::size_t slash = f.find('/');
        const int label = slash == std::string::npos ? -1 : classes.at(f.substr(0, slash));
        std::vector<std::uint8_t> bytes;
        try {
            bytes = read(f);
        } catch (const Error& e) {
            set.skipped.push_back({path, e.what()});
            continue;
        }
        if (add_image_file(set, bytes.data(), bytes.size(), path, label))
            listing += sha256_hex(bytes.data(), bytes.size()) + "  " + f + "\n";
    }
    if (set.count == 0) {
        const std::string where = root.empty() ? std::string("images") : root;
        std::string why;
        if (files.empty())
            why = "no files named *.png, *.jpg or *.jpeg (" + std::to_string(ignored_files) + " other files)";
        else
            why = "none of its " + std::to_string(files.size()) +
                  " image files could be read (the first: " + set.skipped.front().reason + ")";
        throw Error(where + ": no usable PNG or JPEG images: " + why);
    }
    out.files_sha256 = sha256_hex(listing.data(), listing.size());
    return out;
}

}  // namespace strata
