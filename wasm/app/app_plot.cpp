// app_plot.cpp: plotting helpers. Index: 1. axes  2. begin_plot (with the PNG menu)  3. marks  4. legends
#include "app_plot.hpp"

#include "app_state.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace app::plot {
namespace {
const ImU32 kFrame = IM_COL32(110, 110, 120, 255);
const ImU32 kGrid = IM_COL32(70, 70, 80, 120);
const ImU32 kText = IM_COL32(200, 200, 205, 255);
// Margins at the default font (13 px), scaled with it: y title above, ticks and x title below.
constexpr float kLeft = 46, kRight = 8, kTop = 18, kBottom = 32;
float em() { return ImGui::GetFontSize() / 13.0f; }

std::string tick_label(double v, double step) {
    char buf[32];
    if (std::fabs(v) < step * 1e-6) v = 0;
    if (std::fabs(v) >= 1e4 || (std::fabs(v) < 1e-3 && v != 0)) std::snprintf(buf, sizeof buf, "%.0e", v);
    else if (step >= 1) std::snprintf(buf, sizeof buf, "%.0f", v);
    else std::snprintf(buf, sizeof buf, "%.*f", std::min(6, int(std::ceil(-std::log10(step)))), v);
    return buf;
}
}  // namespace

// 1. Axes ---------------------------------------------------------------------------------------------
ImVec2 Axes::map(double x, double y) const {
    double ty;
    if (log_y) {
        const double ly = std::log10(std::max(y, 1e-300));
        ty = (ly - y0) / (y1 - y0);
    } else {
        ty = (y - y0) / (y1 - y0);
    }
    const double tx = (x - x0) / (x1 - x0);
    return ImVec2(float(p0.x + tx * (p1.x - p0.x)), float(p1.y - ty * (p1.y - p0.y)));
}

double Axes::x_of(float sx) const { return x0 + double(sx - p0.x) / double(p1.x - p0.x) * (x1 - x0); }

Range y_range(const std::vector<std::vector<double>>& series) {
    double lo = INFINITY, hi = -INFINITY;
    for (const auto& ys : series)
        for (double v : ys)
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
    if (!std::isfinite(lo)) return {};
    const double pad = hi > lo ? (hi - lo) * 0.1 : 0.0;
    return {lo - pad, hi + pad};
}

std::vector<double> ticks(double a, double b, int target, bool integers) {
    std::vector<double> out;
    if (!(b > a)) return out;
    const double raw = (b - a) / std::max(1, target);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / mag;
    double step = (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
    if (integers) step = std::max(step, 1.0);  // a nice step of at least 1 is a whole number
    for (double t = std::ceil(a / step) * step; t <= b + step * 1e-9; t += step) out.push_back(t);
    return out;
}

// 2. begin_plot ------------------------------------------------------------------------------------------
Axes begin_plot(const char* id, ImVec2 size, double x0, double x1, double y0, double y1, const char* x_label,
                const char* y_label, bool log_y, bool integer_x) {
    Axes a;
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton(id, size);
    a.hovered = ImGui::IsItemHovered();
    a.clicked = ImGui::IsItemClicked();
    // Right-click menu: save this plot's whole rectangle (ticks, labels and legend included) as PNG.
    // Names for the tests: "plot<id>" (the rectangle), "shown<id>" (its part inside the panel) and
    // "plot_png_menu" (the menu item).
    std::string stem = id;
    stem.erase(0, stem.find_first_not_of('#'));
    record_rect("plot" + std::string(id));
    {  // "shown<id>": the part of it inside its panel (the rest is scrolled out of view)
        const ImVec2 w0 = ImGui::GetWindowPos(), w1(w0.x + ImGui::GetWindowWidth(), w0.y + ImGui::GetWindowHeight());
        const float x0 = std::max(origin.x, w0.x), y0 = std::max(origin.y, w0.y);
        const float x1 = std::min(origin.x + size.x, w1.x), y1 = std::min(origin.y + size.y, w1.y);
        state().rects["shown" + std::string(id)] = {x0, y0, std::max(0.0f, x1 - x0), std::max(0.0f, y1 - y0)};
    }
    if (ImGui::BeginPopupContextItem()) {
        // Taken from the next frame, drawn without this menu (closed by then) and without hover.
        if (ImGui::MenuItem("Save plot as PNG")) state().plot_png = {true, 1, origin.x, origin.y, size.x, size.y, stem};
        record_rect("plot_png_menu");
        ImGui::EndPopup();
    }
    const float k = em();
    a.p0 = ImVec2(origin.x + kLeft * k, origin.y + kTop * k);
    a.p1 = ImVec2(origin.x + size.x - kRight * k, origin.y + size.y - kBottom * k);
    a.log_y = log_y;
    if (log_y) {
        y0 = std::log10(std::max(y0, 1e-300));
        y1 = std::log10(std::max(y1, 1e-300));
    }
    if (!(x1 > x0)) {
        x0 -= 0.5;
        x1 = x0 + 1;
    }
    if (!(y1 > y0)) {
        const double c = y0;
        y0 = c - (log_y ? 0.5 : std::max(0.5, std::fabs(c) * 0.1));
        y1 = c + (c - y0);
    }
    a.x0 = x0;
    a.x1 = x1;
    a.y0 = y0;
    a.y1 = y1;

    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(a.p0, a.p1, IM_COL32(25, 25, 30, 255));
    // x ticks: fewer until their labels stand apart (a label is as wide as its text plus a gap).
    const AppState::Rect area{origin.x, origin.y, size.x, size.y};
    const float gap = 8 * k;
    // A label centred under its tick, moved inwards where it would leave the widget.
    auto label_x = [&](float sx, float w) { return std::clamp(sx - w / 2, origin.x, origin.x + size.x - w); };
    std::vector<double> xt;
    double xstep = 1;
    for (int target = std::max(2, int((a.p1.x - a.p0.x) / (60 * k))); target >= 1; --target) {
        xt = ticks(x0, x1, target, integer_x);
        xstep = xt.size() > 1 ? xt[1] - xt[0] : 1;
        float right = -INFINITY;
        bool apart = true;
        for (double t : xt) {
            const float sx = float(a.p0.x + (t - x0) / (x1 - x0) * (a.p1.x - a.p0.x));
            const float w = ImGui::CalcTextSize(tick_label(t, xstep).c_str()).x;
            apart = apart && label_x(sx, w) >= right + gap;
            right = label_x(sx, w) + w;
        }
        if (apart) break;
    }
    const std::vector<double> yt = ticks(y0, y1, std::max(2, int((a.p1.y - a.p0.y) / (35 * k))));
    const double ystep = yt.size() > 1 ? yt[1] - yt[0] : 1;
    std::string x_ticks;  // the x tick labels, for the tests (AppState::texts "ticks<id>")
    const float lh = ImGui::GetTextLineHeight();
    for (double t : xt) {
        const float sx = float(a.p0.x + (t - x0) / (x1 - x0) * (a.p1.x - a.p0.x));
        dl->AddLine(ImVec2(sx, a.p0.y), ImVec2(sx, a.p1.y), kGrid);
        dl->AddLine(ImVec2(sx, a.p1.y), ImVec2(sx, a.p1.y + 4 * k), kFrame);
        const std::string s = tick_label(t, xstep);
        x_ticks += (x_ticks.empty() ? "" : " ") + s;
        const float w = ImGui::CalcTextSize(s.c_str()).x;
        dl->AddText(ImVec2(label_x(sx, w), a.p1.y + 4 * k), kText, s.c_str());
        audit_tick(stem, {label_x(sx, w), a.p1.y + 4 * k, w, lh}, area, s);
    }
    for (double t : yt) {
        const float sy = float(a.p1.y - (t - y0) / (y1 - y0) * (a.p1.y - a.p0.y));
        dl->AddLine(ImVec2(a.p0.x, sy), ImVec2(a.p1.x, sy), kGrid);
        dl->AddLine(ImVec2(a.p0.x - 4 * k, sy), ImVec2(a.p0.x, sy), kFrame);
        const std::string s = log_y ? tick_label(std::pow(10.0, t), std::pow(10.0, t)) : tick_label(t, ystep);
        const ImVec2 ts = ImGui::CalcTextSize(s.c_str());
        dl->AddText(ImVec2(a.p0.x - 6 * k - ts.x, sy - ts.y / 2), kText, s.c_str());
        audit_tick(stem, {a.p0.x - 6 * k - ts.x, sy - ts.y / 2, ts.x, ts.y}, area, s);
    }
    state().texts["ticks" + std::string(id)] = x_ticks;
    dl->AddRect(a.p0, a.p1, kFrame);
    if (x_label) {
        const float w = ImGui::CalcTextSize(x_label).x;
        const ImVec2 at((a.p0.x + a.p1.x - w) / 2, a.p1.y + 17 * k);
        dl->AddText(at, kText, x_label);
        audit_tick(stem, {at.x, at.y, w, lh}, area, x_label);
    }
    if (y_label) {  // above the axis: ImGui has no rotated text
        const ImVec2 at(a.p0.x - 30 * k, a.p0.y - 17 * k);
        dl->AddText(at, kText, y_label);
        audit_tick(stem, {at.x, at.y, ImGui::CalcTextSize(y_label).x, lh}, area, y_label);
    }
    return a;
}

// 3. Marks --------------------------------------------------------------------------------------------------
void line(const Axes& a, const std::vector<double>& xs, const std::vector<double>& ys, ImU32 color, bool markers) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PushClipRect(a.p0, a.p1, true);
    std::vector<ImVec2> pts;
    for (std::size_t i = 0; i < xs.size() && i < ys.size(); ++i)
        if (std::isfinite(ys[i])) pts.push_back(a.map(xs[i], ys[i]));
    if (pts.size() > 1) dl->AddPolyline(pts.data(), int(pts.size()), color, 0, 2.0f);
    if (markers)
        for (const ImVec2& p : pts) dl->AddCircleFilled(p, 3.0f * em(), color);
    dl->PopClipRect();
}

void bar(const Axes& a, double x, double y, double width, double shift, ImU32 color) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const double base = a.log_y ? std::pow(10.0, a.y0) : std::max(a.y0, 0.0);
    const ImVec2 q0 = a.map(x + shift - width / 2, y), q1 = a.map(x + shift + width / 2, base);
    dl->PushClipRect(a.p0, a.p1, true);
    // A bar of a non-zero count is at least 2 pixels tall: the strata's few samples beside hundreds.
    const float top = y > 0 ? std::min(q0.y, q1.y - 2.0f) : q0.y;
    dl->AddRectFilled(ImVec2(q0.x, top), ImVec2(std::max(q1.x, q0.x + 1), q1.y), color);
    dl->PopClipRect();
}

void vline(const Axes& a, double x, ImU32 color) {
    const ImVec2 p = a.map(x, 0);
    ImGui::GetWindowDrawList()->AddLine(ImVec2(p.x, a.p0.y), ImVec2(p.x, a.p1.y), color, 1.5f);
}

// 4. Legend ----------------------------------------------------------------------------------------------------
void legend(const Axes& a, const std::vector<std::pair<std::string, ImU32>>& entries) {
    if (entries.empty()) return;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    float w = 0;
    for (const auto& e : entries) w = std::max(w, ImGui::CalcTextSize(e.first.c_str()).x);
    const float lh = ImGui::GetTextLineHeight();
    const ImVec2 b0(a.p1.x - w - 28, a.p0.y + 4), b1(a.p1.x - 4, a.p0.y + 8 + lh * float(entries.size()));
    dl->AddRectFilled(b0, b1, IM_COL32(20, 20, 24, 210));
    dl->AddRect(b0, b1, kFrame);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const float y = b0.y + 2 + lh * float(i);
        dl->AddRectFilled(ImVec2(b0.x + 4, y + lh * 0.3f), ImVec2(b0.x + 16, y + lh * 0.7f), entries[i].second);
        dl->AddText(ImVec2(b0.x + 20, y), kText, entries[i].first.c_str());
    }
}

}  // namespace app::plot

namespace app::plot {

void legend_line(const std::vector<std::pair<std::string, ImU32>>& entries) {
    const float lh = ImGui::GetTextLineHeight();
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (i) {  // on this line when the entry fits, else on the next
            ImGui::SameLine(0, lh);
            const float w = lh + ImGui::GetStyle().ItemSpacing.x + ImGui::CalcTextSize(entries[i].first.c_str()).x;
            if (ImGui::GetContentRegionAvail().x < w) ImGui::NewLine();
        }
        const ImVec2 p = ImGui::GetCursorScreenPos();
        ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + lh * 0.25f), ImVec2(p.x + lh, p.y + lh * 0.75f),
                                                  entries[i].second);
        ImGui::Dummy(ImVec2(lh, lh));
        ImGui::SameLine();
        ImGui::TextUnformatted(entries[i].first.c_str());
    }
}

// Count labels over bars too short to read (under 6 pixels), when the bar is wide enough for them.
void bar_label(const Axes& a, double x, double y, double width, double shift, int count) {
    const ImVec2 top = a.map(x + shift, y), base = a.map(x + shift, a.log_y ? std::pow(10.0, a.y0) : 0.0);
    const float bar_w = float(width / (a.x1 - a.x0)) * (a.p1.x - a.p0.x);
    const std::string t = std::to_string(count);
    const ImVec2 ts = ImGui::CalcTextSize(t.c_str());
    if (count <= 0 || base.y - top.y >= 6.0f || ts.x > bar_w) return;
    ImGui::GetWindowDrawList()->AddText(ImVec2(top.x - ts.x / 2, std::max(a.p0.y, top.y - ts.y - 1)),
                                        IM_COL32(230, 230, 235, 255), t.c_str());
}

}  // namespace app::plot
