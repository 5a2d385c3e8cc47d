// test_image_source.cpp: images from disk (native_trainer/image_source.hpp): folders (path order,
// classes, skipped and ignored files), .npy, IDX folders and files, a single image, bad paths.
#include "../core/image_files.hpp"
#include "error_of.hpp"
#include "fileio.hpp"
#include "idx.hpp"
#include "image_source.hpp"
#include "scratch.hpp"
#include "sha256.hpp"

#include <doctest/doctest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

using namespace strata;
using fixtures::error_of;
using testimg::Bytes;

namespace {

std::string temp_dir() { return fixtures::scratch_dir("images"); }

void write(const std::string& path, const Bytes& bytes) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    cmd::write_file_atomic(path, bytes.data(), bytes.size());
}

// A 4 x 4 gray PNG whose every pixel is v.
Bytes flat_png(std::uint8_t v) { return testimg::png(4, 4, 8, 0, Bytes(16, v)); }

}  // namespace

TEST_CASE("image source: a folder: path order, classes from the first sub-folder, bad files skipped") {
    const std::string dir = temp_dir();
    // name -> the value of its pixels; the byte-wise order of the relative paths is the order below
    // ('Z' < 'a' < 'b' < 't' < 0xC3 of "é").
    const std::pair<const char*, int> files[] = {
        {"Z.png", 10},         {"a_class/10.png", 20}, {"a_class/2.PNG", 30},         {"a_class/x/1.jpeg", -1},
        {"b_class/c.png", 40}, {"top.png", 50},        {"\xc3\xa9t\xc3\xa9.png", 60},
    };
    for (const auto& [name, v] : files)
        write(dir + "/" + name, v >= 0 ? flat_png(std::uint8_t(v)) : testimg::jpeg_constant({90}));
    const Bytes whole = flat_png(1);
    write(dir + "/a_class/broken.png", Bytes(whole.begin(), whole.begin() + 40));
    write(dir + "/README.txt", Bytes{'h', 'i'});
    write(dir + "/b_class/notes.md", Bytes{'x'});
    const data::ImageSource s = data::load_images(dir, 1, 2, 2, 0);
    CHECK(s.kind == "image folder");
    CHECK(s.path == dir);
    CHECK(s.ignored_files == 2);
    REQUIRE(s.images.count == 7);
    CHECK(s.images.sources == std::vector<std::string>{dir + "/Z.png", dir + "/a_class/10.png", dir + "/a_class/2.PNG",
                                                       dir + "/a_class/x/1.jpeg", dir + "/b_class/c.png",
                                                       dir + "/top.png", dir + "/\xc3\xa9t\xc3\xa9.png"});
    CHECK(s.images.class_names == std::vector<std::string>{"a_class", "b_class"});
    CHECK(s.images.labels == std::vector<int>{-1, 0, 0, 0, 1, -1, -1});
    const int values[] = {10, 20, 30, 90, 40, 50, 60};
    for (std::size_t i = 0; i < 7; ++i) CHECK(s.images.pixels[i * 4] == float(values[i]) / 255.0f);
    REQUIRE(s.images.skipped.size() == 1);
    CHECK(s.images.skipped[0].path == dir + "/a_class/broken.png");
    CHECK(s.images.skipped[0].reason.find(dir + "/a_class/broken.png: truncated PNG") == 0);
    // The folder's hash: the sha256sum-style listing of the files read, in order.
    std::string listing;
    for (std::size_t i = 0; i < 7; ++i) {
        const auto b = cmd::read_file(s.images.sources[i]);
        listing += sha256_hex(b.data(), b.size()) + "  " + s.images.sources[i].substr(dir.size() + 1) + "\n";
    }
    CHECK(s.files_sha256 == sha256_hex(listing.data(), listing.size()));
    // max_count: reading stops after that many usable images (the broken file is not reached).
    const data::ImageSource first = data::load_images(dir, 3, 2, 2, 2);
    CHECK(first.images.count == 2);
    CHECK(first.images.skipped.empty());
    CHECK(first.images.pixels.size() == 2 * 3 * 4);
}

TEST_CASE("image source: a folder without usable images is an error naming it") {
    const std::string empty = temp_dir();
    write(empty + "/sub/notes.txt", Bytes{'x'});
    CHECK(error_of([&] { data::load_images(empty, 1, 28, 28, 0); }) ==
          empty + ": no usable PNG or JPEG images: no files named *.png, *.jpg or *.jpeg (1 other files)");
    const std::string bad = temp_dir();
    write(bad + "/a.png", Bytes{'n', 'o'});
    write(bad + "/b.jpg", testimg::jpeg_constant({1, 2, 3, 4}));
    CHECK(error_of([&] { data::load_images(bad, 1, 28, 28, 0); }) ==
          bad + ": no usable PNG or JPEG images: none of its 2 image files could be read (the first: " + bad +
              "/a.png: not a PNG or JPEG image)");
    CHECK(error_of([&] { data::load_images(bad + "/missing", 1, 28, 28, 0); }) ==
          bad + "/missing: no such file or folder");
    const std::string text = bad + "/t.txt";
    write(text, Bytes{'h', 'i'});
    CHECK(error_of([&] { data::load_images(text, 1, 28, 28, 0); }) ==
          text + ": not an image folder, a .npy file, an IDX file or a PNG or JPEG image");
    CHECK(error_of([&] { data::load_images(bad + "/b.jpg", 1, 28, 28, 0); }).find(bad + "/b.jpg: CMYK") == 0);
}

TEST_CASE("image source: a .npy file, an IDX folder, an IDX file (gzipped, labels beside), one image") {
    const std::string dir = temp_dir();
    std::vector<std::uint8_t> px(3 * 2 * 2);
    for (std::size_t i = 0; i < px.size(); ++i) px[i] = std::uint8_t(i * 20);
    const Bytes npy = testimg::npy("|u1", {3, 2, 2}, px.data(), px.size());
    write(dir + "/x.npy", npy);
    const data::ImageSource n = data::load_images(dir + "/x.npy", 1, 2, 2, 2);
    CHECK(n.kind == ".npy file");
    CHECK(n.images.count == 2);
    CHECK(n.images.pixels[5] == 100.0f / 255.0f);
    CHECK(n.files_sha256 == sha256_hex(npy.data(), npy.size()));

    IdxImages im;
    im.count = 3;
    im.rows = im.cols = 2;
    im.pixels = px;
    IdxLabels lab;
    lab.labels = {4, 5, 6};
    const Bytes ib = encode_idx_images(im), lb = encode_idx_labels(lab);
    write(dir + "/idx/t10k-images-idx3-ubyte", ib);
    write(dir + "/idx/t10k-labels-idx1-ubyte", lb);
    const data::ImageSource f = data::load_images(dir + "/idx", 1, 2, 2, 0);
    CHECK(f.kind == "IDX folder");
    CHECK(f.images.labels == std::vector<int>{4, 5, 6});
    REQUIRE(f.images.count == 3);  // the same bytes as the .npy: the same first two images
    CHECK(std::equal(n.images.pixels.begin(), n.images.pixels.end(), f.images.pixels.begin()));
    CHECK(f.files_sha256 == sha256_hex(ib.data(), ib.size()));

    // A gzipped images file with its labels beside it.
    const std::string gz = dir + "/files/train-images-idx3-ubyte.gz";
    std::filesystem::create_directories(dir + "/files");
    gzFile g = gzopen(gz.c_str(), "wb");
    REQUIRE(g != nullptr);
    REQUIRE(gzwrite(g, ib.data(), unsigned(ib.size())) == int(ib.size()));
    gzclose(g);
    write(dir + "/files/train-labels-idx1-ubyte.gz", lb);  // plain bytes under a .gz name: read as they are
    const data::ImageSource z = data::load_images(gz, 3, 4, 4, 0);
    CHECK(z.kind == "IDX file");
    CHECK(z.images.count == 3);
    CHECK(z.images.labels == std::vector<int>{4, 5, 6});
    CHECK(z.images.pixels.size() == 3 * 3 * 16);
    write(dir + "/files/t-labels-idx1-ubyte", Bytes(lb.begin(), lb.end() - 1));
    write(dir + "/files/t-images-idx3-ubyte", ib);
    CHECK(error_of([&] {
              data::load_images(dir + "/files/t-images-idx3-ubyte", 1, 2, 2, 0);
          }).find(dir + "/files/t-labels-idx1-ubyte: truncated") == 0);

    write(dir + "/one.jpg", testimg::jpeg_constant({77}));
    const data::ImageSource o = data::load_images(dir + "/one.jpg", 1, 8, 8, 0);
    CHECK(o.kind == "image file");
    CHECK(o.images.count == 1);
    CHECK(o.images.pixels[63] == 77.0f / 255.0f);
}
