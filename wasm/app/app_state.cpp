// app_state.cpp: the single AppState and its small helpers. Index: 1. state  2. helpers (text that fits, help on hover)
#include "app_state.hpp"

#include <algorithm>

namespace app {

// 1. State --------------------------------------------------------------------------------------------
AppState& state() {
    static AppState s;
    return s;
}

// 2. Helpers ------------------------------------------------------------------------------------------
// Enough frames for ImGui to settle: after input, hover highlights, window sizes and table column
// widths take a frame or two to follow; new data needs one frame, and one more for anything sized
// by what that frame drew.
void request_frames(int frames) { state().frames_wanted = std::max(state().frames_wanted, frames); }

double selected_sigma() {
    const AppState& s = state();
    if (s.sigmas.empty()) return 0.0;
    return s.sigmas[std::size_t(s.sigma_index)];
}

const SetView* set_at(const ModelView& m, int k) {
    if (k < 0 || std::size_t(k) >= m.sets.size() || !m.sets[std::size_t(k)].present) return nullptr;
    return &m.sets[std::size_t(k)];
}

ImU32 model_color(int i, float alpha) {
    // Tableau-like hues: blue, orange, green, red, purple, brown.
    static const float rgb[][3] = {{0.35f, 0.62f, 0.95f}, {1.00f, 0.60f, 0.20f}, {0.40f, 0.80f, 0.40f},
                                   {0.95f, 0.35f, 0.35f}, {0.70f, 0.50f, 0.95f}, {0.75f, 0.55f, 0.40f}};
    const float* c = rgb[i % 6];
    return ImGui::ColorConvertFloat4ToU32(ImVec4(c[0], c[1], c[2], alpha));
}

std::string class_name(int label) {
    const auto& names = state().class_names;
    if (label < 0) return "none";
    return std::size_t(label) < names.size() ? names[std::size_t(label)] : "class " + std::to_string(label);
}

void record_rect(const std::string& name) {
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    state().rects[name] = {a.x, a.y, b.x - a.x, b.y - a.y};
}

// The longest prefix that fits with "..." is found by bisection (the width grows with the prefix),
// ending on a whole UTF-8 character.
void text_fit(const std::string& text, ImU32 color, float width, const std::string& name) {
    const float avail = width > 0.0f ? width : ImGui::GetContentRegionAvail().x;
    const char* t = text.c_str();
    const bool cut = ImGui::CalcTextSize(t, t + text.size()).x > avail;
    std::string shown = text;
    if (cut) {
        const float dots = ImGui::CalcTextSize("...").x;
        std::size_t lo = 0, hi = text.size();  // prefix lo fits, prefix hi does not
        while (hi - lo > 1) {
            const std::size_t mid = (lo + hi) / 2;
            (ImGui::CalcTextSize(t, t + mid).x + dots <= avail ? lo : hi) = mid;
        }
        while (lo > 0 && (static_cast<unsigned char>(text[lo]) & 0xC0) == 0x80) --lo;
        shown = text.substr(0, lo) + "...";
    }
    if (color) ImGui::PushStyleColor(ImGuiCol_Text, color);
    ImGui::TextUnformatted(shown.c_str());
    if (color) ImGui::PopStyleColor();
    if (cut && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", text.c_str());
    if (!name.empty()) {
        record_rect(name);
        state().texts[name] = shown;
    }
}

void help(const std::string& name, const std::string& text) {
    AppState& s = state();
    s.helps[name] = text;
    if (!ImGui::IsItemHovered()) return;
    s.help_shown = text;
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32.0f);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
}

}  // namespace app
