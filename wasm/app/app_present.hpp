// app_present.hpp: sending a built frame to WebGL, redrawing only where its picture changed.
//
// Why: in browsers without a usable GPU (and on headless machines) WebGL is software GL
// (SwiftShader), whose cost is the pixels it fills: a full frame of this interface costs its GPU
// process tens of milliseconds of CPU, on the cores the study needs (docs/explorer.md). Most frames change one panel (a hover,
// a dragged window, a plot filling in), so the canvas keeps its drawing buffer between frames
// (preserveDrawingBuffer, web/main.mjs) and only the changed rectangles are cleared and drawn.
#pragma once

#include "imgui.h"

namespace app {

// What the last call to present() did, for window.strata.view() and the benchmark.
struct PresentStats {
    int rects = 0;         // damaged rectangles redrawn (0: the picture had not changed)
    double redrawn = 0.0;  // their area as a fraction of the canvas
};

// New pixels in a texture (same quads, another image): the triangles drawn with it count as changed.
void texture_changed(ImTextureID texture);

// Draws `dd` (ImGui::GetDrawData() after ImGui::Render()) into the canvas of fb_w x fb_h pixels
// where it differs from the last presented frame; the whole canvas when `full`, on the first frame,
// after a resize, or when the damage covers most of it. Returns false when
// the picture is the same as the last one (then nothing is sent to WebGL).
bool present(ImDrawData& dd, int fb_w, int fb_h, bool full);

const PresentStats& last_present();

}  // namespace app
