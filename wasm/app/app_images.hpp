// app_images.hpp: small grayscale images as WebGL textures for ImGui::Image (the sample strip and
// the kernel-PCA tooltip).
//
// Index: 1. GrayImage (28 x 28 values in [0, 1], uploaded on first use after a change)
//        2. the images the panels show
#pragma once
#include "imgui.h"

#include <string>
#include <vector>

namespace app {

// 1. One image and its texture ---------------------------------------------------------------------
class GrayImage {
public:
    void set(std::vector<float> values, int width, int height);  // values row-major, [0, 1]
    bool empty() const { return values_.empty(); }
    // The texture for ImGui::Image; uploads the values first when they changed. Call while drawing.
    ImTextureID texture();

private:
    std::vector<float> values_;
    int width_ = 0, height_ = 0;
    unsigned texture_ = 0;  // GL name; 0 until the first upload
    bool dirty_ = false;
};

// 2. The sample strip: the selected sample clean, noisy at the selected sigma, and the selected
// model's reconstruction of the noisy image; `key` says which (model, sigma index, sample) it shows.
struct SampleStrip {
    std::string key;
    GrayImage clean, noisy, recon;
    double psnr = 0.0;
};
SampleStrip& sample_strip();
// The clean images of all N samples (bytes, 784 each), for tooltips, and the one texture they use.
std::vector<unsigned char>& clean_image_bytes();
ImTextureID clean_image_texture(int sample);  // uploads the sample's image when it changed; 0 if none

}  // namespace app
