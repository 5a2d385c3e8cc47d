// app_images.cpp: image textures. Index: 1. PixelImage  2. the strip and the tooltip images
#include "app_images.hpp"
#include "app_present.hpp"

#include <GLES3/gl3.h>

#include <algorithm>
#include <cstdint>
#include <map>

namespace app {

// 1. PixelImage -------------------------------------------------------------------------------------
void PixelImage::set(std::vector<float> values, const InputShape& shape) {
    values_ = std::move(values);
    shape_ = shape;
    if (values_.size() != std::size_t(shape[0]) * std::size_t(shape[1]) * std::size_t(shape[2])) values_.clear();
    dirty_ = true;
}

ImTextureID PixelImage::texture() {
    if (values_.empty()) return nullptr;
    if (dirty_) {
        // RGBA bytes: ImGui's shader multiplies the texture colour, so grey must be in all channels.
        const auto [channels, height, width] = shape_;
        const std::size_t plane = std::size_t(height) * std::size_t(width);
        std::vector<std::uint8_t> rgba(plane * 4);
        for (std::size_t i = 0; i < plane; ++i) {
            for (int c = 0; c < 3; ++c) {
                const float v = values_[std::size_t(channels == 3 ? c : 0) * plane + i];
                rgba[4 * i + std::size_t(c)] = std::uint8_t(std::clamp(v, 0.0f, 1.0f) * 255.0f + 0.5f);
            }
            rgba[4 * i + 3] = 255;
        }
        if (!texture_) glGenTextures(1, &texture_);
        GLint previous = 0;
        glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous);
        glBindTexture(GL_TEXTURE_2D, texture_);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);  // pixels stay crisp when enlarged
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
        glBindTexture(GL_TEXTURE_2D, GLuint(previous));
        dirty_ = false;
        app::texture_changed(
            reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(texture_)));  // same quads, new pixels
    }
    return reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(texture_));
}

ImVec2 image_size(const InputShape& shape, float side) {
    const float h = float(std::max(1, shape[1])), w = float(std::max(1, shape[2]));
    return h >= w ? ImVec2(side * w / h, side) : ImVec2(side, side * h / w);
}

// 2. The strip and the tooltip images --------------------------------------------------------------------
SampleStrip& sample_strip() {
    static SampleStrip s;
    return s;
}

namespace {
struct CleanImages {
    std::vector<unsigned char> bytes;  // N x C x H x W
    PixelImage image;                  // the one shown
    int shown = -1;
};
std::map<InputShape, CleanImages>& clean_images() {
    static std::map<InputShape, CleanImages> m;
    return m;
}
int generation = 0;
}  // namespace

int clean_images_generation() { return generation; }

void set_clean_images(const InputShape& shape, std::vector<unsigned char> bytes) {
    CleanImages& c = clean_images()[shape];
    c.bytes = std::move(bytes);
    c.shown = -1;
    ++generation;
}

void clear_clean_images() {
    clean_images().clear();
    ++generation;
}

std::vector<float> clean_image_values(const InputShape& shape, int sample) {
    auto it = clean_images().find(shape);
    if (it == clean_images().end()) return {};
    const CleanImages& c = it->second;
    const std::size_t size = std::size_t(shape[0]) * std::size_t(shape[1]) * std::size_t(shape[2]);
    if (sample < 0 || size == 0 || std::size_t(sample + 1) * size > c.bytes.size()) return {};
    std::vector<float> v(size);
    for (std::size_t i = 0; i < size; ++i) v[i] = float(c.bytes[std::size_t(sample) * size + i]) / 255.0f;
    return v;
}

ImTextureID clean_image_texture(const InputShape& shape, int sample) {
    auto it = clean_images().find(shape);
    if (it == clean_images().end()) return nullptr;
    CleanImages& c = it->second;
    if (sample != c.shown) {
        std::vector<float> v = clean_image_values(shape, sample);
        if (v.empty()) return nullptr;
        c.image.set(std::move(v), shape);
        c.shown = sample;
    }
    return c.image.texture();
}

}  // namespace app
