// app_images.cpp: grayscale textures. Index: 1. GrayImage  2. the strip and the tooltip image
#include "app_images.hpp"
#include "app_present.hpp"

#include <GLES3/gl3.h>

#include <algorithm>
#include <cstdint>

namespace app {

// 1. GrayImage --------------------------------------------------------------------------------------
void GrayImage::set(std::vector<float> values, int width, int height) {
    values_ = std::move(values);
    width_ = width;
    height_ = height;
    dirty_ = true;
}

ImTextureID GrayImage::texture() {
    if (values_.empty()) return nullptr;
    if (dirty_) {
        // RGBA bytes: ImGui's shader multiplies the texture colour, so grey must be in all channels.
        std::vector<std::uint8_t> rgba(values_.size() * 4);
        for (std::size_t i = 0; i < values_.size(); ++i) {
            const auto v = std::uint8_t(std::clamp(values_[i], 0.0f, 1.0f) * 255.0f + 0.5f);
            rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = v;
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
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width_, height_, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
        glBindTexture(GL_TEXTURE_2D, GLuint(previous));
        dirty_ = false;
        app::texture_changed(
            reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(texture_)));  // same quads, new pixels
    }
    return reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(texture_));
}

// 2. The strip and the tooltip image --------------------------------------------------------------------
SampleStrip& sample_strip() {
    static SampleStrip s;
    return s;
}

std::vector<unsigned char>& clean_image_bytes() {
    static std::vector<unsigned char> b;
    return b;
}

ImTextureID clean_image_texture(int sample) {
    static GrayImage image;
    static int shown = -1;
    const auto& bytes = clean_image_bytes();
    constexpr int kPixels = 28 * 28;
    if (sample < 0 || std::size_t(sample + 1) * kPixels > bytes.size()) return nullptr;
    if (sample != shown) {
        std::vector<float> v(kPixels);
        for (int i = 0; i < kPixels; ++i)
            v[std::size_t(i)] = float(bytes[std::size_t(sample) * kPixels + std::size_t(i)]) / 255.0f;
        image.set(std::move(v), 28, 28);
        shown = sample;
    }
    return image.texture();
}

}  // namespace app
