// bench_images.cpp: how fast are images read? Prints its figures; not a test.
//
// Index: 1. the images (PNG files written here)  2. timing  3. main
//
// Writes 1,000 PNGs into a fresh temporary folder, half 32 x 32 RGB and half 64 x 64 gray
// (smooth gradients with a little noise, compressed by stb_image_write), then times
//   decode + resize   the core from the files' bytes in memory (add_image_file), to 1 x 28 x 28
//                     (the default models' input) and to 3 x 32 x 32;
//   load_images       the CLI's whole path (walk the folder, sort, read, decode, resize), when
//                     built with the trainer (native_trainer/image_source.hpp).
// Each figure is the best of --repeat runs; the folder is removed at the end.
//
//   bench_images [--count 1000] [--repeat 5]
#include "../tests/core/image_files.hpp"  // stb_image_write into memory
#include "bench_timing.hpp"
#include "images.hpp"
#ifdef STRATA_BENCH_LOAD_IMAGES
#include "image_source.hpp"
#endif

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

// 1. The images -------------------------------------------------------------------------------------------
std::vector<std::uint8_t> make_png(int index, int w, int h, int channels) {
    std::uint32_t state = 2654435761u * std::uint32_t(index + 1);
    std::vector<std::uint8_t> px(std::size_t(w) * std::size_t(h) * std::size_t(channels));
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < channels; ++c) {
                state = state * 1664525u + 1013904223u;
                const int v = (x * 255 / w + y * 128 / h + c * 60 + index) % 256 + int(state >> 29) - 4;
                px[(std::size_t(y) * std::size_t(w) + std::size_t(x)) * std::size_t(channels) + std::size_t(c)] =
                    std::uint8_t(std::clamp(v, 0, 255));
            }
    const std::vector<std::uint8_t> out = testimg::stb_png(w, h, channels, px);
    if (out.empty()) {
        std::fprintf(stderr, "bench_images: stb_image_write failed\n");
        std::exit(1);
    }
    return out;
}

// 2. Timing -----------------------------------------------------------------------------------------------
using bench::best_seconds;

}  // namespace

// 3. Main ---------------------------------------------------------------------------------------------------
int main(int argc, char** argv) {
    int count = 1000, repeat = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--count")) count = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--repeat")) repeat = std::atoi(argv[i + 1]);
        else {
            std::fprintf(stderr, "usage: bench_images [--count 1000] [--repeat 5]\n");
            return 2;
        }
    }
    if (count < 1 || repeat < 1) {
        std::fprintf(stderr, "bench_images: --count and --repeat must be at least 1\n");
        return 2;
    }
    char tmpl[] = "/tmp/strata_bench_images_XXXXXX";
    if (!mkdtemp(tmpl)) {
        std::perror("bench_images: mkdtemp");
        return 1;
    }
    const std::string dir = tmpl;
    std::vector<std::vector<std::uint8_t>> files;
    std::vector<std::string> names;
    std::size_t bytes = 0;
    for (int i = 0; i < count; ++i) {
        const bool rgb = i % 2 == 0;
        files.push_back(rgb ? make_png(i, 32, 32, 3) : make_png(i, 64, 64, 1));
        char name[64];
        std::snprintf(name, sizeof name, "/%s/%05d.png", rgb ? "rgb32" : "gray64", i);
        names.push_back(dir + name);
        std::filesystem::create_directories(std::filesystem::path(names.back()).parent_path());
        std::ofstream(names.back(), std::ios::binary)
            .write(reinterpret_cast<const char*>(files.back().data()), std::streamsize(files.back().size()));
        bytes += files.back().size();
    }
    std::printf("bench_images: %d PNGs (half 32 x 32 RGB, half 64 x 64 gray), %.1f KiB in all, in %s\n", count,
                double(bytes) / 1024.0, dir.c_str());

    for (const auto& [c, h, w] : {std::array<int, 3>{1, 28, 28}, std::array<int, 3>{3, 32, 32}}) {
        std::size_t used = 0;
        const double s = best_seconds(repeat, [&] {
            strata::ImageSet set = strata::make_image_set(c, h, w);
            for (std::size_t i = 0; i < files.size(); ++i)
                strata::add_image_file(set, files[i].data(), files[i].size(), names[i], -1);
            used = set.count;
        });
        std::printf("  decode + resize to %d x %d x %d, from memory: %zu images in %.3f s (%.1f us each)\n", c, h, w,
                    used, s, s / double(count) * 1e6);
    }
#ifdef STRATA_BENCH_LOAD_IMAGES
    std::size_t used = 0;
    const double s = best_seconds(repeat, [&] { used = strata::data::load_images(dir, 1, 28, 28, 0).images.count; });
    std::printf(
        "  load_images (walk, sort, read, decode, resize to 1 x 28 x 28, hash): %zu images in %.3f s "
        "(%.1f us each)\n",
        used, s, s / double(count) * 1e6);
#endif
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return 0;
}
