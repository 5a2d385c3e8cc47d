// app_images.hpp: small images as WebGL textures for ImGui::Image (the sample strip and the
// kernel-PCA tooltip), grayscale or colour, at each model's input size.
//
// Index: 1. PixelImage (C x H x W values in [0, 1], uploaded on first use after a change)
//        2. the images the panels show
#pragma once
#include "imgui.h"

#include <array>
#include <string>
#include <vector>

namespace app {

// A model's input shape: channels (1 or 3), height, width.
using InputShape = std::array<int, 3>;

// 1. One image and its texture ---------------------------------------------------------------------
class PixelImage {
public:
    // values channel-major (C x H x W, as the models take them), in [0, 1]; C = 1 or 3
    void set(std::vector<float> values, const InputShape& shape);
    bool empty() const { return values_.empty(); }
    const InputShape& shape() const { return shape_; }
    // The texture for ImGui::Image; uploads the values first when they changed. Call while drawing.
    ImTextureID texture();

private:
    std::vector<float> values_;
    InputShape shape_{1, 0, 0};
    unsigned texture_ = 0;  // GL name; 0 until the first upload
    bool dirty_ = false;
};

// On-screen size of an image of `shape` about `side` pixels on its longer side, aspect kept.
ImVec2 image_size(const InputShape& shape, float side);

// 2. The sample strip: the selected sample clean, noisy at the selected sigma, and the selected
// model's reconstruction of the noisy image; `key` says which (model, sigma index, sample) it shows.
struct SampleStrip {
    std::string key;
    PixelImage clean, noisy, recon;
    double psnr = 0.0;
};
SampleStrip& sample_strip();
// The clean images of all N samples at one input shape (bytes, C x H x W each), for tooltips.
void set_clean_images(const InputShape& shape, std::vector<unsigned char> bytes);
void clear_clean_images();
// The texture of a sample's clean image at `shape` (uploaded when it changed); 0 if none.
ImTextureID clean_image_texture(const InputShape& shape, int sample);
// A sample's clean image at `shape` as values in [0, 1] (empty if none), and a counter that grows
// whenever the clean images change (so copies made from them know when they are stale).
std::vector<float> clean_image_values(const InputShape& shape, int sample);
int clean_images_generation();

}  // namespace app
