// app_plot.hpp: small plotting helpers on ImDrawList (there is no ImPlot in Debian).
//
// Index: 1. Axes (data range -> screen)  2. begin_plot (reserve, frame, ticks, labels)
//        3. marks: lines, bars, points, a vertical marker  4. legends (in the plot, or on a line above it)
//
// A plot is an InvisibleButton that reserves its rectangle and takes the mouse, so hover and click
// work through ImGui as for any widget; everything else is drawn with the window's draw list. Its
// right-click menu saves the plot alone as PNG (AppState::plot_png).
#pragma once
#include "imgui.h"

#include <string>
#include <utility>
#include <vector>

namespace app::plot {

// 1. Axes ------------------------------------------------------------------------------------------------
struct Axes {
    ImVec2 p0, p1;  // plot area (inside the margins), screen coordinates
    double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    bool log_y = false;  // y axis in log10
    bool hovered = false, clicked = false;
    ImVec2 map(double x, double y) const;
    double x_of(float sx) const;  // screen x -> data x
};

// 2. Reserves `size` (the whole widget, margins included) under `id`, draws the frame, nice ticks
// on both axes and the labels, and returns the axes. A range with x0 == x1 (or y0 == y1) is widened.
// integer_x: x ticks only at whole numbers (ranks, indices).
Axes begin_plot(const char* id, ImVec2 size, double x0, double x1, double y0, double y1, const char* x_label,
                const char* y_label, bool log_y = false, bool integer_x = false);

// 3. Marks (clipped to the plot area) ---------------------------------------------------------------------
void line(const Axes& a, const std::vector<double>& xs, const std::vector<double>& ys, ImU32 color,
          bool markers = true);
// A bar from y = 0 (or the bottom for log axes) to y at x, `width` in data units, offset by `shift`;
// at least 2 pixels tall when y > 0.
void bar(const Axes& a, double x, double y, double width, double shift, ImU32 color);
void vline(const Axes& a, double x, ImU32 color);
// The count written above a bar (same x, width and shift as bar()) when the bar is under 6 pixels
// tall (it would not be seen) and wide enough for the number.
void bar_label(const Axes& a, double x, double y, double width, double shift, int count);
// The finite values' range over several series, padded by 10 % of its width (not when it is one value:
// begin_plot widens that itself); [0, 1] when no value is finite.
struct Range {
    double lo = 0, hi = 1;
};
Range y_range(const std::vector<std::vector<double>>& series);
// Nice tick positions covering [a, b] (about `target` of them); `integers`: a step of at least 1.
std::vector<double> ticks(double a, double b, int target, bool integers = false);

// 4. Legend in the top-right corner of the plot area.
void legend(const Axes& a, const std::vector<std::pair<std::string, ImU32>>& entries);
// A legend on a line of its own (at the cursor), for plots whose data fills every corner.
void legend_line(const std::vector<std::pair<std::string, ImU32>>& entries);

}  // namespace app::plot
