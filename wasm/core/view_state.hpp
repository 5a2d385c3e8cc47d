// view_state.hpp: the explorer's view state as a URL query, both ways.
//
// Index: 1. ViewState (the study, the geometry settings, the view, the panel layout)
//        2. parse_view_state / format_view_state
//
// A shared link reopens exactly a view, so the page keeps its whole state in the URL's query. The
// query comes from anyone (a link in a chat, an edited address bar), so it is read here in C++:
// one strict reader, unit-tested and fuzzed (fuzz/fuzz_view_state.cpp), that never throws and
// never trusts a value. Each parameter that cannot be used is ignored (its default stays) with one
// line in ViewState::problems saying which and why; the page shows those lines.
//
// Parameters (all optional; defaults are omitted by format_view_state):
//   study     n (2..10000, default 300), seed (0..2^53-1), vae_latent (sample|mean),
//             models (comma list of model names: only these)
//   geometry  metric, energy, rank_rtol, bandwidth, centered (docs/method.md names and ranges)
//   view      sigma (the selected noise level, >= 0), sample (selected sample index),
//             hide (comma list of models toggled off), view (the model of the kernel-PCA view),
//             color (set|class|stratum), tsne (1: the t-SNE view instead of kernel PCA)
//   find      find (the selection set: class:C, a class index 0..9999, or stratum:R1-R2-R3, a rank
//             triple of the kernel-PCA view's model's clean set), isolate (1: fade every point
//             outside the selection), walk (the interpolation's endpoints, "A,B", two sample
//             indices), steps (the interpolation's steps, 3..1000, default 9)
//   layout    layout: panels the user moved, "i.x.y.w.h" or "i.x.y.w.h.c" (collapsed) per panel
//             i (0..15), comma-separated, in canvas pixels
// Model names are 1-64 letters, digits, '.', '_' or '-'. A query longer than 8192 characters is
// ignored as a whole.
#pragma once
#include "settings.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

// 1. The state ---------------------------------------------------------------------------------------------
struct PanelPlace {
    int panel = 0;  // index of the panel in the interface's drawing order
    int x = 0, y = 0, w = 0, h = 0;
    bool collapsed = false;
};

struct ViewState {
    // The study: what is computed.
    int n = 300;
    std::uint64_t seed = 0;
    std::string vae_latent = "sample";
    std::vector<std::string> models;  // only these models (empty: every model)
    GeometrySettings geometry;        // metric, energy, rank_rtol, bandwidth, centered
    // The view: what is shown.
    std::optional<double> sigma;     // the selected noise level (nearest in the grid)
    int sample = -1;                 // the selected sample (-1: none)
    std::vector<std::string> hide;   // models toggled off
    std::string view;                // the kernel-PCA view's model ("": the first)
    std::string color = "set";       // kernel-PCA colouring: set | class | stratum
    bool tsne = false;               // the t-SNE view instead of kernel PCA
    std::vector<PanelPlace> layout;  // panels moved or resized by the user
    // Find and walk: the selection set, its isolation, and the interpolation's endpoints and steps.
    std::string find;                        // "" (none), "class:C" or "stratum:R1-R2-R3" (canonical form)
    bool isolate = false;                    // fade the points outside the selection
    std::optional<std::array<int, 2>> walk;  // endpoints A, B (sample indices)
    int steps = 9;                           // interpolation steps
    // Lines for the user: each parameter that was ignored, and why.
    std::vector<std::string> problems;
};

// 2. Both ways ---------------------------------------------------------------------------------------------
constexpr std::size_t kMaxQueryLength = 8192;
constexpr int kMaxN = 10000;

// `query`: the URL's search part, with or without the leading '?'. Never throws.
ViewState parse_view_state(std::string_view query);

// The canonical query (without '?'): parameters in the order above, defaults left out, values
// percent-encoded. parse_view_state(format_view_state(v)) gives v back (problems aside).
std::string format_view_state(const ViewState& v);

}  // namespace strata
