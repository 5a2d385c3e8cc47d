// app_panels.cpp: the explorer's panels, each a function, all from app::state().
//
// Index: 1. layout  2. controls (progress, models, noise slider, selection)  3. strata table (a row
//        click highlights its members)
//        4. rank histograms (clean vs selected sigma)  5. curves vs sigma, angle spectrum  6. kernel-PCA view (sample
//        strip, colour by set, class or stratum, hover tooltip with the image, click to select), and
//        its t-SNE view (switch, request, progress)
//        7. kernel diagnostics  8. messages  9. the finding's line (app_summary.cpp)  10. draw_panels
//        (the finding on top, three columns below; find, neighbours and walk in app_walk.cpp)
//
// Every panel draws whatever results have arrived so far (clean sets come first), so the page
// fills in progressively while the worker computes.
#include "app_panels.hpp"

#include "app_images.hpp"
#include "app_plot.hpp"
#include "app_state.hpp"
#include "app_walk.hpp"
#include "imgui.h"
#include "imgui_internal.h"  // FindWindowByName: a panel's place for the URL

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace app {
namespace {

using Highlight = AppState::Highlight;
const ImU32 kCleanColor = IM_COL32(150, 150, 160, 255);
const ImU32 kNoisyColor = IM_COL32(255, 140, 40, 255);

std::string sigma_text(double s) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", s);
    return b;
}

// Ten distinguishable colours for the Fashion-MNIST classes.
ImU32 class_color(int label) {
    static const ImU32 c[10] = {IM_COL32(31, 119, 180, 220),  IM_COL32(255, 127, 14, 220),  IM_COL32(44, 160, 44, 220),
                                IM_COL32(214, 39, 40, 220),   IM_COL32(148, 103, 189, 220), IM_COL32(140, 86, 75, 220),
                                IM_COL32(227, 119, 194, 220), IM_COL32(160, 160, 160, 220), IM_COL32(188, 189, 34, 220),
                                IM_COL32(23, 190, 207, 220)};
    return c[(label % 10 + 10) % 10];
}

// Help on hover: what each thing is, its docs/method.md name, its unit.
const char* kHelpVerdict =
    "Verdict of a set (docs/method.md section 4): 'smooth' when every latent has the same rank triple "
    "(r1, r2, r3), i.e. the set lies on one smooth stratum; 'stratified (k)' when k different triples occur.";
const char* kHelpTriple =
    "Rank triple (r1, r2, r3): the ranks of the mode-1 (H), mode-2 (W) and mode-3 (C) covariance matrices "
    "S(n) of a latent (docs/method.md sections 3-4, rank rule `rank_rtol`). Click a row to highlight its "
    "members in the kernel-PCA view.";
const char* kHelpCount = "count: how many of the N latents of the set have this rank triple.";
const char* kHelpHistogram =
    "Rank histogram: for each mode n, how many latents have rank r of S(n) (docs/method.md section 4). "
    "Grey bars: the clean set; orange: the selected noise level sigma. Several bars = several strata.";
const char* kHelpCurve[4] = {
    "Hilbert dimension dim_eta (`energy`, docs/method.md section 6): the smallest number of kernel-PCA "
    "components holding the fraction eta of the centred kernel's spectrum, per noise level sigma. "
    "Unit: components.",
    "Reconstruction PSNR (docs/method.md section 8): 10 log10(1 / MSE) between each clean image and the "
    "decoder's output for its noisy version, mean over the set. Unit: dB.",
    "Mean principal angle (docs/method.md section 7) between the clean and the noisy subspace in the "
    "kernel's feature space, per noise level sigma. 0 = the subspaces coincide. Unit: degrees.",
    "Largest principal angle (docs/method.md section 7) between the clean and the noisy subspace in the "
    "kernel's feature space, per noise level sigma. 90 = some direction of one is orthogonal to the other. "
    "Unit: degrees.",
};
const char* kHelpAngles =
    "Principal angles theta_k (docs/method.md section 7), ascending, between the clean subspace (dim_eta "
    "of the clean set) and the noisy one at the selected sigma. Unit: degrees.";
const char* kHelpView =
    "Kernel-PCA view (docs/method.md section 6): the clean latents on the top two components of the centred "
    "kernel, and the same images at the selected sigma placed by out-of-sample projection. Hover a point for "
    "its image and ranks; click to select it.";
const char* kHelpSpectrum =
    "Spectrum of the centred kernel Kc of the clean set and the selected sigma: eigenvalues mu_i (log scale); "
    "the vertical lines mark dim_eta.";
const char* kHelpBandwidth =
    "h: the kernel bandwidth (docs/method.md section 6), by default the median of the clean set's pairwise "
    "distances d_PM (the median heuristic); the same h serves every noise level. Unit: d_PM's.";
const char* kHelpMinEig =
    "The smallest eigenvalue of the kernel matrix K (docs/method.md section 6): negative means the kernel of "
    "this metric is not positive definite on this set (negative eigenvalues of Kc are clipped to zero).";

std::string triple_text(const std::array<int, 3>& r) {
    char b[48];
    std::snprintf(b, sizeof b, "(%d, %d, %d)", r[0], r[1], r[2]);
    return b;
}
// The same without spaces, for the strata table's narrow column.
std::string triple_tight(const std::array<int, 3>& r) {
    char b[48];
    std::snprintf(b, sizeof b, "(%d,%d,%d)", r[0], r[1], r[2]);
    return b;
}

// 1. Layout: an arrangement computed from the canvas size every frame (draw_panels), which every
// panel follows until the user moves, resizes or collapses it: from then on it stays where the
// user put it (and the URL keeps it); "reset layout" returns every panel to the arrangement. A
// shared link may carry places (AppState::restore, from the URL's `layout`), applied once.
void place(int panel, const char* title, float x, float y, float w, float h) {
    AppState& s = state();
    AppState::Panel& p = s.panels[std::size_t(panel)];
    p.first_pos = ImVec2(x, y);
    p.first_size = ImVec2(w, h);
    for (auto it = s.restore.begin(); it != s.restore.end(); ++it) {
        if (it->panel != panel) continue;
        ImGui::SetNextWindowPos(ImVec2(it->x, it->y), ImGuiCond_Always);
        ImGui::SetNextWindowSize(ImVec2(it->w, it->h), ImGuiCond_Always);
        ImGui::SetNextWindowCollapsed(it->collapsed, ImGuiCond_Always);
        p.user_placed = true;
        s.restore.erase(it);
        return;
    }
    if (p.user_placed) return;
    // Not while the user drags it or one of its widgets: the drag moves it this frame.
    const ImGuiContext& g = *ImGui::GetCurrentContext();
    const ImGuiWindow* win = ImGui::FindWindowByName(title);
    if (win && ((g.MovingWindow && g.MovingWindow->RootWindow == win) || (g.ActiveId && g.ActiveIdWindow == win)))
        return;
    ImGui::SetNextWindowPos(ImVec2(x, y), ImGuiCond_Always);
    ImGui::SetNextWindowSize(ImVec2(w, h), ImGuiCond_Always);
    ImGui::SetNextWindowCollapsed(false, ImGuiCond_Always);
}

// Where the panel (drawn just before) is now, read through ImGui's window list by its title; one
// that is no longer where the arrangement put it was placed by the user.
void record_panel(int panel, const char* title) {
    ImGuiWindow* w = ImGui::FindWindowByName(title);
    if (!w) return;
    AppState::Panel& p = state().panels[std::size_t(panel)];
    p.title = title;
    p.pos = w->Pos;
    p.size = w->SizeFull;
    p.collapsed = w->Collapsed;
    auto off = [](ImVec2 a, ImVec2 b) { return std::fabs(a.x - b.x) > 2 || std::fabs(a.y - b.y) > 2; };
    if (p.seen && (p.collapsed || off(p.pos, p.first_pos) || off(p.size, p.first_size))) p.user_placed = true;
    p.seen = true;
}

// The next item on this line when it fits (`w` wide), else on the next line.
void flow(float w) {
    ImGui::SameLine();
    if (ImGui::GetContentRegionAvail().x < w) ImGui::NewLine();
}
float button_width(const char* label) {
    return ImGui::CalcTextSize(label, nullptr, true).x + 2 * ImGui::GetStyle().FramePadding.x;
}
bool small_button_flow(const char* label, bool first = false) {
    if (!first) flow(button_width(label));
    return ImGui::SmallButton(label);
}

// A table's header row of texts that fit (cut with "..." and a tooltip), each with its help.
void header_row(std::initializer_list<std::pair<const char*, const char*>> columns, const std::string& table) {
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    int c = 0;
    for (const auto& [name, tip] : columns) {
        ImGui::TableSetColumnIndex(c++);
        text_fit(name, 0, 0.0f, "header_" + table + "_" + name);
        if (tip) help("header_" + table + "_" + name, tip);
    }
}

// 2. Controls ---------------------------------------------------------------------------------------
void controls() {
    AppState& s = state();
    ImGui::Begin("Strata");
    char overlay[64];
    std::snprintf(overlay, sizeof overlay, "%.0f%%", double(s.progress) * 100.0);
    ImGui::ProgressBar(s.progress, ImVec2(-1, 0), overlay);
    ImGui::TextWrapped("%s", s.status.c_str());
    // A running study: its estimate, the time left, and the cancel button (the page takes the press).
    if (s.busy && s.estimate_ms > 0) {
        const double left = std::max(0.0, s.estimate_ms - (ImGui::GetTime() * 1000.0 - s.started_ms));
        char t[64];
        std::snprintf(t, sizeof t, "about %.0f s left", left / 1000.0);
        text_fit(t, 0, 0.0f, "time_left");
    }
    if (s.busy) {
        ImGui::BeginDisabled(s.cancel_requested);
        if (ImGui::SmallButton("Cancel")) s.cancel_requested = true;
        ImGui::EndDisabled();
        record_rect("cancel");
        help("cancel", "Stops the running study; the results of the last complete study come back.");
    }
    // A settings change that takes long waits for a yes: its estimate and what it runs.
    if (s.confirm_ms > 0) {
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.85f, 0.5f, 1));
        ImGui::TextWrapped("This will take about %.0f s (%s).", s.confirm_ms / 1000.0, s.confirm_what.c_str());
        ImGui::PopStyleColor();
        if (ImGui::SmallButton("Run it")) s.confirm_answer = 1;
        record_rect("confirm_run");
        if (small_button_flow("Keep the current results")) s.confirm_answer = -1;
        record_rect("confirm_keep");
    }
    // An error that stopped the page: one line here (whole in its tooltip and the messages panel).
    if (!s.error.empty()) text_fit(s.error, IM_COL32(255, 100, 100, 255), 0.0f, "error");
    // The noise slider: an index into the grid, labelled with the sigma it selects.
    ImGui::TextUnformatted("Noise level sigma");
    if (!s.sigmas.empty()) {
        const int last = int(s.sigmas.size()) - 1;
        const std::string label = "sigma = " + sigma_text(selected_sigma());
        ImGui::SetNextItemWidth(-1);
        ImGui::SliderInt("##sigma", &s.sigma_index, 0, last, label.c_str(), ImGuiSliderFlags_AlwaysClamp);
        record_rect("sigma_slider");
        help("sigma_slider",
             "The noise level sigma shown (docs/method.md section 1): images y = clip(x + sigma e, "
             "0, 1), e ~ N(0, I) with a fixed seed. Pixel values in [0, 1].");
    }
    ImGui::Separator();
    ImGui::TextUnformatted("Models");
    for (std::size_t i = 0; i < s.models.size(); ++i) {
        ModelView& m = s.models[i];
        if (i % 2 == 1) ImGui::SameLine(ImGui::GetWindowContentRegionMax().x * 0.5f);  // two per row
        ImGui::PushStyleColor(ImGuiCol_CheckMark, ImGui::ColorConvertU32ToFloat4(model_color(int(i))));
        // A model the study could not run: its label says so in red, the reason in its tooltip.
        const bool failed = !m.failed.empty();
        if (failed) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 0.4f, 0.4f, 1));
        const std::string label = failed             ? m.name + ": failed"
                                  : m.name == m.kind ? m.name
                                                     : m.name + " (" + m.kind + ")";
        ImGui::Checkbox(label.c_str(), &m.enabled);
        if (failed) ImGui::PopStyleColor();
        ImGui::PopStyleColor();
        if (ImGui::IsItemHovered()) {
            if (failed) ImGui::SetTooltip("failed: %s", m.failed.c_str());
            else
                ImGui::SetTooltip("input %d x %d x %d\nlatent: %s\narchitecture: %s", m.input[0], m.input[1],
                                  m.input[2], m.latent_rule.empty() ? "?" : m.latent_rule.c_str(),
                                  m.architecture.empty() ? "not recorded" : m.architecture.c_str());
        }
        record_rect("model_" + m.name);
        state().texts["model_" + m.name] = label;
        state().texts["model_architecture_" + m.name] = m.architecture;
    }
    // The other bundled models: one button each adds it to the study (computed then; the models
    // already studied are kept). A press during a study waits for its end.
    if (!s.available_models.empty()) {
        ImGui::TextDisabled("add:");
        for (const std::string& name : s.available_models) {
            const bool asked = s.add_model_request == name;
            ImGui::BeginDisabled(asked);
            if (small_button_flow(("+ " + name).c_str())) s.add_model_request = name;
            ImGui::EndDisabled();
            record_rect("add_" + name);
            help("add_" + name, "Adds the bundled model '" + name + "' to the study.");
        }
    }
    // Bring your own: the same path as dropping files on the page (web/drop.mjs).
    ImGui::TextDisabled("yours:");
    if (small_button_flow("open files...")) s.drop_requested_files = true;
    record_rect("open_files");
    const char* own =
        "Your autoencoder, your data: drop ONNX encoders (with their decoders, e.g. encoder.onnx "
        "and decoder.onnx), a model.json, a .npy of images, PNG or JPEG images or whole folders "
        "anywhere on the page, or pick them here. Each model is studied beside the others; "
        "docs/own-model.md says what a model needs.";
    help("open_files", own);
    if (small_button_flow("open folder...")) s.drop_requested_folder = true;
    record_rect("open_folder");
    help("open_folder", own);
    ImGui::Separator();
    // Exports: the page writes the files (web/export.mjs); PNG is taken right after a frame is drawn.
    ImGui::BeginDisabled(s.busy);
    if (small_button_flow("Export JSON", true)) s.export_request = "json";
    record_rect("export_json");
    help("export_json", "The results as `strata characterize` writes them (strata-results.json).");
    if (small_button_flow("Export CSV")) s.export_request = "csv";
    record_rect("export_csv");
    help("export_csv",
         "summary.csv (a row per set) and samples.csv (a row per sample and set), as "
         "`strata characterize --csv` writes them.");
    ImGui::EndDisabled();
    if (small_button_flow("Save PNG")) s.export_request = "png";
    record_rect("export_png");
    help("export_png", "The whole view as PNG. Right-click a plot to save that plot alone.");
    bool placed = false;
    for (const AppState::Panel& p : s.panels) placed = placed || p.user_placed;
    if (placed) {
        if (small_button_flow("reset layout"))
            for (AppState::Panel& p : s.panels) p.user_placed = false;
        record_rect("reset_layout");
        help("reset_layout", "Puts every panel back in the arrangement that follows the window's size.");
    }
    ImGui::Separator();
    if (s.selected_sample >= 0)
        text_fit(
            "Selected sample: " + std::to_string(s.selected_sample) + " (" +
                (std::size_t(s.selected_sample) < s.labels.size() ? class_name(s.labels[std::size_t(s.selected_sample)])
                                                                  : std::string("?")) +
                ")",
            0, 0.0f, "selected_sample");
    else {
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
        ImGui::TextWrapped("Click a point in the kernel-PCA view to select a sample");
        ImGui::PopStyleColor();
    }
    if (s.selected_sample >= 0 && ImGui::SmallButton("clear selection")) s.selected_sample = -1;
    char line[64];
    std::snprintf(line, sizeof line, "N = %d images, %.0f frames/s", s.n, s.fps);
    text_fit(line, 0, 0.0f, "n_fps");
    ImGui::End();
}

// 3. Strata table -------------------------------------------------------------------------------------
void strata_table() {
    AppState& s = state();
    ImGui::Begin("Strata (rank triples)");
    text_fit("clean and s = sigma = " + sigma_text(selected_sigma()), ImGui::GetColorU32(ImGuiCol_TextDisabled), 0.0f,
             "strata_caption");
    // The table scrolls vertically only. The set, triple and count columns take the width of their
    // longest text (the set's at most 40% of the table), the verdict the rest; a text that does not
    // fit is cut with "..." (whole in its tooltip). Narrow cell padding leaves the verdict room.
    const ImGuiTableFlags flags =
        ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit;
    auto width = [](const std::string& t) { return ImGui::CalcTextSize(t.c_str()).x; };
    float set_w = width("set"), triple_w = width("(r1,r2,r3)"), count_w = width("count");
    for (const ModelView& m : s.models) {
        if (!m.enabled || !set_at(m, 0)) continue;  // a model without rows takes no width
        set_w = std::max(set_w, width(m.name + " s=" + sigma_text(selected_sigma())));
        for (const int k : {0, s.sigma_index})
            if (const SetView* set = set_at(m, k))
                for (const StratumRow& row : set->strata) {
                    triple_w = std::max(triple_w, width(triple_tight(row.ranks)));
                    count_w = std::max(count_w, width(std::to_string(row.count)));
                }
    }
    set_w = std::min(set_w, ImGui::GetContentRegionAvail().x * 0.4f);
    ImGui::PushStyleVar(ImGuiStyleVar_CellPadding, ImVec2(2, 2));
    const bool table = ImGui::BeginTable("strata", 4, flags);
    ImGui::PopStyleVar();
    if (table) {
        // The table's visible area (its scrolling child window), for the tests.
        s.rects["strata_table"] = {ImGui::GetWindowPos().x, ImGui::GetWindowPos().y, ImGui::GetWindowWidth(),
                                   ImGui::GetWindowHeight()};
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableSetupColumn("set", ImGuiTableColumnFlags_WidthFixed, set_w);
        ImGui::TableSetupColumn("(r1,r2,r3)", ImGuiTableColumnFlags_WidthFixed, triple_w);
        ImGui::TableSetupColumn("count", ImGuiTableColumnFlags_WidthFixed, count_w);
        ImGui::TableSetupColumn("verdict", ImGuiTableColumnFlags_WidthStretch, 1.0f);
        header_row({{"set", "The model and its set: clean, or s = the noise level sigma."},
                    {"(r1,r2,r3)", kHelpTriple},
                    {"count", kHelpCount},
                    {"verdict", kHelpVerdict}},
                   "strata");
        for (std::size_t mi = 0; mi < s.models.size(); ++mi) {
            const ModelView& m = s.models[mi];
            if (!m.enabled) continue;
            const int ks[2] = {0, s.sigma_index};
            for (int j = 0; j < (s.sigma_index == 0 ? 1 : 2); ++j) {
                const SetView* set = set_at(m, ks[j]);
                if (!set) continue;
                for (std::size_t r = 0; r < set->strata.size(); ++r) {
                    ImGui::TableNextRow();
                    ImGui::TableNextColumn();
                    const std::string cell = "_" + m.name + "_" + std::to_string(ks[j]);
                    if (r == 0)
                        text_fit(m.name + (ks[j] == 0 ? " clean" : " s=" + sigma_text(set->sigma)),
                                 model_color(int(mi)), 0.0f, "strata_set" + cell);
                    ImGui::TableNextColumn();
                    // A click on a row highlights its members in the kernel-PCA view (again: off).
                    const Highlight& h = s.highlight;
                    const bool on = h.active && h.model == int(mi) && h.k == ks[j] && h.ranks == set->strata[r].ranks;
                    const std::string id = triple_tight(set->strata[r].ranks) + "##" + std::to_string(mi) + "_" +
                                           std::to_string(ks[j]) + "_" + std::to_string(r);
                    if (ImGui::Selectable(id.c_str(), on, ImGuiSelectableFlags_SpanAllColumns)) {
                        s.highlight = on ? Highlight{} : Highlight{true, int(mi), ks[j], set->strata[r].ranks};
                        if (!on) s.kpca_model = int(mi);
                    }
                    record_rect("strata_row_" + m.name + "_" + std::to_string(ks[j]) + "_" + std::to_string(r));
                    ImGui::TableNextColumn();
                    ImGui::Text("%d", set->strata[r].count);
                    ImGui::TableNextColumn();
                    if (r == 0) {
                        if (set->smooth) text_fit("smooth", IM_COL32(128, 230, 128, 255), 0.0f, "verdict" + cell);
                        else
                            text_fit("stratified (" + std::to_string(set->strata.size()) + ")",
                                     IM_COL32(255, 180, 77, 255), 0.0f, "verdict" + cell);
                        help("verdict" + cell, kHelpVerdict);
                    }
                }
            }
        }
        ImGui::EndTable();
    }
    ImGui::End();
}

// 4. Rank histograms: per model and mode, counts of each rank, clean (grey) beside the selected sigma.
void rank_histograms() {
    AppState& s = state();
    ImGui::Begin("Rank histograms per mode");
    // The legend on a line of its own: the bars fill the plots up to their top corners.
    std::vector<std::pair<std::string, ImU32>> leg{{"clean", kCleanColor}};
    if (s.sigma_index > 0) leg.push_back({"sigma " + sigma_text(selected_sigma()), kNoisyColor});
    plot::legend_line(leg);
    record_rect("hist_legend");
    const float w = (ImGui::GetContentRegionAvail().x - 8 * s.ui_scale) / 3;
    static const char* mode_names[3] = {"mode 1 (H)", "mode 2 (W)", "mode 3 (C)"};
    for (std::size_t mi = 0; mi < s.models.size(); ++mi) {
        const ModelView& m = s.models[mi];
        const SetView* clean = set_at(m, 0);
        if (!m.enabled || !clean) continue;
        const SetView* noisy = s.sigma_index > 0 ? set_at(m, s.sigma_index) : nullptr;
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(model_color(int(mi))), "%s", m.name.c_str());
        for (int mode = 0; mode < 3; ++mode) {
            std::map<int, int> hc, hn;
            for (const auto& r : clean->ranks) ++hc[r[std::size_t(mode)]];
            if (noisy)
                for (const auto& r : noisy->ranks) ++hn[r[std::size_t(mode)]];
            int lo = hc.begin()->first, hi = hc.rbegin()->first, top = 0;
            for (const auto& [k, v] : hc) top = std::max(top, v);
            for (const auto& [k, v] : hn) {
                lo = std::min(lo, k);
                hi = std::max(hi, k);
                top = std::max(top, v);
            }
            if (mode > 0) ImGui::SameLine();
            const std::string id = "##hist" + std::to_string(mi) + "_" + std::to_string(mode);
            const plot::Axes a = plot::begin_plot(id.c_str(), ImVec2(w, 130 * s.ui_scale), lo - 0.7, hi + 0.7, 0,
                                                  top * 1.15, mode_names[mode], "count", false, true);
            for (const auto& [k, v] : hc) plot::bar(a, k, v, noisy ? 0.4 : 0.8, noisy ? -0.2 : 0, kCleanColor);
            for (const auto& [k, v] : hn) plot::bar(a, k, v, 0.4, 0.2, kNoisyColor);
            // The strata's small bars (a few samples beside hundreds) carry their count.
            for (const auto& [k, v] : hc) plot::bar_label(a, k, v, noisy ? 0.4 : 0.8, noisy ? -0.2 : 0, v);
            for (const auto& [k, v] : hn) plot::bar_label(a, k, v, 0.4, 0.2, v);
            help("hist" + std::to_string(mi) + "_" + std::to_string(mode), kHelpHistogram);
        }
    }
    ImGui::End();
}

// The full spectrum of principal angles (ascending) between the clean and the noisy subspace at
// the selected sigma, one line per model.
void angle_spectrum() {
    AppState& s = state();
    std::size_t longest = 1;
    for (const ModelView& m : s.models)
        if (const SetView* set = set_at(m, s.sigma_index); m.enabled && set)
            longest = std::max(longest, set->angles_deg.size());
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const plot::Axes a = plot::begin_plot("##angles", ImVec2(avail.x, std::max(140.0f, avail.y)), 1, double(longest), 0,
                                          90, "k (ascending)", "principal angle theta_k (deg)");
    help("angles", kHelpAngles);
    std::vector<std::pair<std::string, ImU32>> leg;
    for (std::size_t mi = 0; mi < s.models.size(); ++mi) {
        const SetView* set = set_at(s.models[mi], s.sigma_index);
        if (!s.models[mi].enabled || !set || set->angles_deg.empty()) continue;
        std::vector<double> xs;
        for (std::size_t k = 0; k < set->angles_deg.size(); ++k) xs.push_back(double(k + 1));
        plot::line(a, xs, set->angles_deg, model_color(int(mi)), false);
        leg.push_back({s.models[mi].name, model_color(int(mi))});
    }
    if (s.sigma_index == 0)
        ImGui::GetWindowDrawList()->AddText(ImVec2(a.p0.x + 10, a.p0.y + 10), IM_COL32(200, 200, 205, 255),
                                            "select a noise level > 0");
    leg.insert(leg.begin(), {"sigma " + sigma_text(selected_sigma()), IM_COL32(0, 0, 0, 0)});
    plot::legend(a, leg);
}

// 5. Curves against sigma: Hilbert dimension, PSNR, mean and largest principal angle; a tab
// with the full angle spectrum at the selected sigma.
void curves_tab() {
    AppState& s = state();
    const float w = (ImGui::GetContentRegionAvail().x - 8 * s.ui_scale) / 2;
    const float h = std::max(120.0f * s.ui_scale, (ImGui::GetContentRegionAvail().y - 8 * s.ui_scale) / 2);
    struct Curve {
        const char* title;
        int what;
    };
    static const Curve curves[4] = {
        {"Hilbert dim", 0}, {"PSNR (dB)", 1}, {"mean angle (deg)", 2}, {"max angle (deg)", 3}};
    for (int c = 0; c < 4; ++c) {
        std::vector<std::vector<double>> ys(s.models.size());
        for (std::size_t mi = 0; mi < s.models.size(); ++mi) {
            const ModelView& m = s.models[mi];
            ys[mi].assign(s.sigmas.size(), NAN);
            if (!m.enabled) continue;
            for (std::size_t k = 0; k < s.sigmas.size(); ++k) {
                const SetView* set = set_at(m, int(k));
                if (!set) continue;
                double v = NAN;
                if (c == 0) v = set->hilbert_dim;
                else if (c == 1) v = set->psnr_mean;
                else if (k == 0) v = 0;  // the clean set against itself
                else if (!set->angles_deg.empty()) {
                    double sum = 0, mx = 0;
                    for (double t : set->angles_deg) {
                        sum += t;
                        mx = std::max(mx, t);
                    }
                    v = c == 2 ? sum / double(set->angles_deg.size()) : mx;
                }
                ys[mi][k] = v;
            }
        }
        // A constant series (e.g. the Hilbert dimension at tiny N) gets no pad: begin_plot widens an
        // empty range itself, to readable ticks.
        const plot::Range r = plot::y_range(ys);
        if (c % 2 == 1) ImGui::SameLine();
        const plot::Axes a =
            plot::begin_plot((std::string("##curve") + char('0' + c)).c_str(), ImVec2(w, h), s.sigmas.front(),
                             s.sigmas.back(), c >= 2 ? 0 : r.lo, r.hi, "sigma", curves[c].title);
        plot::vline(a, selected_sigma(), IM_COL32(255, 255, 255, 90));
        std::vector<std::pair<std::string, ImU32>> leg;
        for (std::size_t mi = 0; mi < s.models.size(); ++mi) {
            if (!s.models[mi].enabled || !s.models[mi].failed.empty()) continue;
            plot::line(a, s.sigmas, ys[mi], model_color(int(mi)));
            leg.push_back({s.models[mi].name, model_color(int(mi))});
        }
        if (c == 0) plot::legend(a, leg);
        if (a.hovered) {  // clicking a curve plot selects the nearest sigma of the grid
            const double x = a.x_of(ImGui::GetIO().MousePos.x);
            int best = 0;
            for (std::size_t k = 0; k < s.sigmas.size(); ++k)
                if (std::fabs(s.sigmas[k] - x) < std::fabs(s.sigmas[std::size_t(best)] - x)) best = int(k);
            help("curve" + std::to_string(c), std::string(kHelpCurve[c]) + "\n\nsigma = " +
                                                  sigma_text(s.sigmas[std::size_t(best)]) + " (click to select)");
            if (a.clicked) s.sigma_index = best;
        } else help("curve" + std::to_string(c), kHelpCurve[c]);
    }
}

void curves() {
    ImGui::Begin("Curves vs sigma");
    if (!state().sigmas.empty() && ImGui::BeginTabBar("##curve_tabs")) {
        const bool curves_open = ImGui::BeginTabItem("curves vs sigma");
        record_rect("tab_curves");
        if (curves_open) {
            curves_tab();
            ImGui::EndTabItem();
        }
        const bool angles_open = ImGui::BeginTabItem("angle spectrum");
        record_rect("tab_angles");
        if (angles_open) {
            angle_spectrum();
            ImGui::EndTabItem();
        }
        const bool scan_open = ImGui::BeginTabItem("bandwidth scan");
        record_rect("tab_scan");
        if (scan_open) {
            bandwidth_scan_tab();
            ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
    }
    ImGui::End();
}

// A combo choosing which model the kernel-PCA view and the spectrum show.
void model_combo(const char* id) {
    AppState& s = state();
    if (s.models.empty()) return;
    s.kpca_model = std::clamp(s.kpca_model, 0, int(s.models.size()) - 1);
    ImGui::SetNextItemWidth(std::min(160.0f * s.ui_scale, ImGui::GetContentRegionAvail().x * 0.4f));
    if (ImGui::BeginCombo(id, s.models[std::size_t(s.kpca_model)].name.c_str())) {
        for (std::size_t i = 0; i < s.models.size(); ++i)
            if (ImGui::Selectable(s.models[i].name.c_str(), int(i) == s.kpca_model)) s.kpca_model = int(i);
        ImGui::EndCombo();
    }
}

// The selected sample clean, noisy at the selected sigma and as the model reconstructs it (the page
// fetches these from the worker when the selection changes; see sample_strip()).
void sample_strip_row(const ModelView& m) {
    const AppState& s = state();
    if (s.selected_sample < 0) {
        ImGui::TextDisabled("click a point to see its images");
        return;
    }
    SampleStrip& st = sample_strip();
    const std::string want = m.name + "/" + std::to_string(s.sigma_index) + "/" + std::to_string(s.selected_sample);
    if (st.key != want || st.clean.empty()) {
        ImGui::TextDisabled("sample %d: loading images...", s.selected_sample);
        return;
    }
    const ImVec2 size = image_size(st.clean.shape(), 56.0f);
    const char* captions[3] = {"clean", "noisy", "reconstruction"};
    PixelImage* images[3] = {&st.clean, &st.noisy, &st.recon};
    for (int i = 0; i < 3; ++i) {
        if (i) ImGui::SameLine();
        ImGui::BeginGroup();
        ImGui::Image(images[i]->texture(), size);
        if (ImGui::IsItemClicked()) pick_sample(s.selected_sample);  // while picking: this sample is A or B
        record_rect(std::string("strip_") + captions[i]);
        help(std::string("strip_") + captions[i],
             "Sample " + std::to_string(s.selected_sample) + ", " + captions[i] +
                 ". While the Walk tab picks (\"pick in view\"), a click makes this sample "
                 "the walk's next endpoint.");
        ImGui::TextDisabled("%s", captions[i]);
        ImGui::EndGroup();
    }
    ImGui::SameLine();
    ImGui::BeginGroup();
    ImGui::Text("sample %d", s.selected_sample);
    ImGui::TextDisabled("sigma %s", sigma_text(selected_sigma()).c_str());
    ImGui::TextDisabled("PSNR %.2f dB", st.psnr);
    ImGui::EndGroup();
}

// 6. Kernel-PCA view: clean points (grey) and the same images at the selected sigma (orange),
// projected onto the clean set's two components; a line joins a selected sample's two positions.
// The same panel shows the t-SNE view instead when switched to it: the worker computes it on
// request for the shown model and sigma (asked again when either changes), and the points are
// drawn, hovered, selected and coloured by the same code.
void view_switch(const ModelView& m) {
    AppState& s = state();
    AppState::Tsne& t = s.tsne;
    if (ImGui::RadioButton("kernel PCA", !t.show)) t.show = false;
    record_rect("view_kpca");
    ImGui::SameLine();
    if (ImGui::RadioButton("t-SNE", t.show)) t.show = true;
    record_rect("view_tsne");
    if (!t.show) return;
    ImGui::SameLine();
    const bool current = t.model == s.kpca_model && t.k == s.sigma_index;
    const bool ready = !s.busy && set_at(m, 0) && set_at(m, s.sigma_index);
    ImGui::BeginDisabled(t.computing || !ready);
    const bool again = ImGui::SmallButton("recompute");
    ImGui::EndDisabled();
    record_rect("tsne_recompute");
    if (ready && !t.computing && !t.requested && (again || !current)) {
        t.requested = true;
        t.want_model = s.kpca_model;
        t.want_k = s.sigma_index;
    }
    if (t.computing || t.requested) {
        // Before the worker's first progress report the number of iterations is not known yet.
        ImGui::SameLine();
        const std::string label =
            t.iterations > 0 ? "t-SNE: iteration " + std::to_string(t.iteration) + " / " + std::to_string(t.iterations)
                             : std::string("t-SNE: starting...");
        text_fit(label, 0, 0.0f, "tsne_progress");
    }
}

// The model chosen in the kernel-PCA view and the diagnostics (null when there is none), its clean
// set and its noisy set at the selected sigma (null at sigma 0; either null until computed).
struct ShownSets {
    const ModelView* model = nullptr;
    const SetView* clean = nullptr;
    const SetView* noisy = nullptr;
};
ShownSets shown_sets() {
    const AppState& s = state();
    if (s.models.empty()) return {};
    const ModelView& m = s.models[std::size_t(s.kpca_model)];
    return {&m, set_at(m, 0), s.sigma_index > 0 ? set_at(m, s.sigma_index) : nullptr};
}

// What the view shows of the chosen model: its clean set, the noisy set at the selected sigma (if any), and
// the coordinates drawn, kernel PCA's or the t-SNE result's (clean points, then the noisy set's).
struct ViewSets {
    const ModelView* model;
    const SetView* clean;
    const SetView* noisy;
    bool tsne;
    const std::vector<std::array<double, 2>>& coords(const SetView* set) const {
        if (!tsne) return set->embedding;
        return set == clean ? state().tsne.clean : state().tsne.noisy;
    }
};

// The points, coloured by set (clean grey, noisy orange), by class, or by stratum (index of the
// rank triple in that set's strata list, most frequent first); with class or stratum colours,
// noisy points are rings. Members of a highlighted strata-table row are circled, others dimmed;
// a selected sample's clean and noisy positions are joined by a line.
void draw_view_points(const plot::Axes& a, const ViewSets& v, const SetView* hl_set) {
    const AppState& s = state();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PushClipRect(a.p0, a.p1, true);
    auto color_of = [&](const SetView* set, std::size_t i) -> ImU32 {
        if (s.color_by == AppState::ColorBy::Class && i < s.labels.size()) return class_color(s.labels[i]);
        if (s.color_by == AppState::ColorBy::Stratum) {
            for (std::size_t r = 0; r < set->strata.size(); ++r)
                if (set->strata[r].ranks == set->ranks[i]) return model_color(int(r));
        }
        return set == v.clean ? IM_COL32(150, 150, 160, 180) : IM_COL32(255, 140, 40, 180);
    };
    for (const SetView* set : {v.clean, v.noisy}) {
        if (!set) continue;
        const bool ring = set != v.clean && s.color_by != AppState::ColorBy::Set;
        for (std::size_t i = 0; i < v.coords(set).size(); ++i) {
            const ImVec2 p = a.map(v.coords(set)[i][0], v.coords(set)[i][1]);
            ImU32 c = color_of(set, i);
            const bool member = hl_set && i < hl_set->ranks.size() && hl_set->ranks[i] == s.highlight.ranks;
            if (hl_set && !member) c = (c & 0x00FFFFFF) | 0x40000000;  // dim non-members
            if (faded(int(i))) c = (c & 0x00FFFFFF) | 0x1C000000;      // isolation: outside the selection
            if (ring) dl->AddCircle(p, 3.0f, c);
            else dl->AddCircleFilled(p, 2.5f, c);
            if (member) dl->AddCircle(p, 5.0f, IM_COL32(255, 255, 255, 230));
        }
    }
    if (s.selected_sample >= 0 && std::size_t(s.selected_sample) < v.coords(v.clean).size()) {
        const auto& c = v.coords(v.clean)[std::size_t(s.selected_sample)];
        const ImVec2 pc = a.map(c[0], c[1]);
        if (v.noisy && std::size_t(s.selected_sample) < v.coords(v.noisy).size()) {
            const auto& q = v.coords(v.noisy)[std::size_t(s.selected_sample)];
            dl->AddLine(pc, a.map(q[0], q[1]), IM_COL32(255, 255, 255, 255), 1.5f);
            dl->AddCircle(a.map(q[0], q[1]), 6, IM_COL32(255, 255, 255, 255), 0, 2);
        }
        dl->AddCircle(pc, 6, IM_COL32(255, 255, 255, 255), 0, 2);
    }
    dl->PopClipRect();
}

// The view's legend; by class (up to 20 entries) it goes on lines above the plot, else in its corner.
std::vector<std::pair<std::string, ImU32>> view_legend(const ViewSets& v, const SetView* hl_set) {
    const AppState& s = state();
    std::vector<std::pair<std::string, ImU32>> leg;
    if (s.color_by == AppState::ColorBy::Set) {
        leg.push_back({"clean", kCleanColor});
        if (v.noisy) leg.push_back({"sigma " + sigma_text(v.noisy->sigma), kNoisyColor});
    } else if (s.color_by == AppState::ColorBy::Class) {
        const int classes = s.class_names.empty() ? 10 : std::min(int(s.class_names.size()), 20);
        for (int c = 0; c < classes; ++c) leg.push_back({class_name(c), class_color(c)});
    } else {
        for (std::size_t r = 0; r < v.clean->strata.size() && r < 6; ++r)
            leg.push_back({triple_text(v.clean->strata[r].ranks) + " clean", model_color(int(r))});
    }
    // Colours by class or stratum leave the set to the marker: filled dots clean, rings noisy.
    if (s.color_by != AppState::ColorBy::Set && v.noisy)
        leg.insert(leg.begin(), {"filled = clean, hollow = sigma " + sigma_text(v.noisy->sigma), IM_COL32(0, 0, 0, 0)});
    if (hl_set)
        leg.push_back(
            {"row " + triple_text(s.highlight.ranks) + (s.highlight.k ? " s=" + sigma_text(hl_set->sigma) : " clean"),
             IM_COL32(255, 255, 255, 230)});
    std::string words;  // for the tests
    for (const auto& e : leg) words += (words.empty() ? "" : "; ") + e.first;
    state().texts["kpca_legend"] = words;
    return leg;
}

// Hover: the nearest point within 8 px (noisy points first: they are drawn on top), with a tooltip
// of its image and ranks; a click selects it, a click elsewhere clears the selection.
void view_hover(const plot::Axes& a, const ViewSets& v) {
    AppState& s = state();
    if (!a.hovered) return;
    const ImVec2 mp = ImGui::GetIO().MousePos;
    int best = -1;
    const SetView* best_set = nullptr;
    float best_d = 64.0f;
    for (const SetView* set : {v.noisy, v.clean}) {
        if (!set) continue;
        for (std::size_t i = 0; i < v.coords(set).size(); ++i) {
            const ImVec2 q = a.map(v.coords(set)[i][0], v.coords(set)[i][1]);
            const float d = (q.x - mp.x) * (q.x - mp.x) + (q.y - mp.y) * (q.y - mp.y);
            if (d < best_d) {
                best_d = d;
                best = int(i);
                best_set = set;
            }
        }
    }
    if (best < 0) {
        if (a.clicked && !walk().picking) s.selected_sample = -1;
        return;
    }
    const std::size_t b = std::size_t(best);
    s.hovered_sample = best;
    ImGui::BeginTooltip();
    if (ImTextureID tex = clean_image_texture(v.model->input, best)) ImGui::Image(tex, image_size(v.model->input, 56));
    ImGui::Text("sample %d (%s)", best, b < s.labels.size() ? class_name(s.labels[b]).c_str() : "?");
    ImGui::Text("%s, ranks %s", best_set == v.clean ? "clean" : ("sigma " + sigma_text(best_set->sigma)).c_str(),
                triple_text(best_set->ranks[b]).c_str());
    if (v.noisy && best_set == v.clean)
        ImGui::Text("at sigma %s: ranks %s", sigma_text(v.noisy->sigma).c_str(),
                    triple_text(v.noisy->ranks[b]).c_str());
    ImGui::EndTooltip();
    if (a.clicked) pick_sample(best);
}

void kpca_view() {
    AppState& s = state();
    s.hovered_sample = -1;
    ImGui::Begin("Kernel-PCA view");
    model_combo("model##kpca");
    static const char* color_names[3] = {"colour: set", "colour: class", "colour: stratum"};
    const float cw = std::min(140.0f * s.ui_scale, ImGui::GetContentRegionAvail().x * 0.4f);
    flow(cw);
    int cb = int(s.color_by);
    ImGui::SetNextItemWidth(cw);
    if (ImGui::Combo("##colorby", &cb, color_names, 3)) s.color_by = AppState::ColorBy(cb);
    const ShownSets shown = shown_sets();
    if (shown.model && !shown.clean) ImGui::TextDisabled("waiting for the clean set of %s", shown.model->name.c_str());
    if (!shown.clean) {
        ImGui::End();
        return;
    }
    const ModelView& m = *shown.model;
    const SetView *clean = shown.clean, *noisy = shown.noisy;
    view_switch(m);
    sample_strip_row(m);
    const AppState::Tsne& t = s.tsne;
    const bool tsne = t.show;
    if (tsne && !(t.model == s.kpca_model && t.k == s.sigma_index)) {
        ImGui::TextDisabled("t-SNE of %s: %s", m.name.c_str(), s.busy ? "waiting for the study" : "computing");
        ImGui::End();
        return;
    }
    const ViewSets v{&m, clean, noisy, tsne};
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (const SetView* set : {clean, noisy})
        if (set)
            for (const auto& p : v.coords(set)) {
                x0 = std::min(x0, p[0]);
                x1 = std::max(x1, p[0]);
                y0 = std::min(y0, p[1]);
                y1 = std::max(y1, p[1]);
            }
    const double px = (x1 - x0) * 0.05 + 1e-12, py = (y1 - y0) * 0.05 + 1e-12;
    const bool highlighting = s.highlight.active && s.highlight.model == s.kpca_model;
    const SetView* hl_set = highlighting ? set_at(m, s.highlight.k) : nullptr;
    const auto legend = view_legend(v, hl_set);
    const bool legend_above = s.color_by == AppState::ColorBy::Class;
    if (legend_above) { plot::legend_line(legend); }
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const plot::Axes a =
        plot::begin_plot(tsne ? "##tsne" : "##kpca", ImVec2(avail.x, std::max(160.0f, avail.y)), x0 - px, x1 + px,
                         y0 - py, y1 + py, tsne ? "t-SNE 1" : "component 1", tsne ? "t-SNE 2" : "component 2");
    s.rects["kpca_plot"] = {a.p0.x, a.p0.y, a.p1.x - a.p0.x, a.p1.y - a.p0.y};
    if (!a.hovered) help("kpca_view", kHelpView);
    draw_view_points(a, v, hl_set);
    if (!tsne) draw_walk_path(a, m.name);
    if (!legend_above) plot::legend(a, legend);
    view_hover(a, v);
    ImGui::End();
}

// 7. Kernel diagnostics: smallest eigenvalue of K (negative: not positive definite), for fixed-rank
// the pair counts (cross-stratum, 90-degree), and the centred spectrum (log scale) of the clean set
// and the selected sigma.
void kernel_diagnostics() {
    AppState& s = state();
    ImGui::Begin("Kernel diagnostics");
    if (ImGui::BeginTable("kdiag", 4, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg)) {
        ImGui::TableSetupColumn("model");
        ImGui::TableSetupColumn("h");
        ImGui::TableSetupColumn("min eig K clean");
        ImGui::TableSetupColumn("min eig K sigma");
        header_row({{"model", nullptr},
                    {"h", kHelpBandwidth},
                    {"min eig K clean", kHelpMinEig},
                    {"min eig K sigma", kHelpMinEig}},
                   "kdiag");
        for (const ModelView& m : s.models) {
            const SetView* c = set_at(m, 0);
            const SetView* n = set_at(m, s.sigma_index);
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            text_fit(m.name);
            ImGui::TableNextColumn();
            // The bandwidth comes with the clean set: none before it (or for a model that failed).
            char h[32];
            std::snprintf(h, sizeof h, "%.4g", m.bandwidth);
            text_fit(c ? h : "-", 0, 0.0f, "h_" + m.name);
            ImGui::TableNextColumn();
            char v[32];
            std::snprintf(v, sizeof v, "%.3e", c ? c->kernel_min_eigenvalue : 0.0);
            if (c) text_fit(v);
            ImGui::TableNextColumn();
            std::snprintf(v, sizeof v, "%.3e", n ? n->kernel_min_eigenvalue : 0.0);
            if (n) text_fit(v);
        }
        ImGui::EndTable();
    }
    // Fixed-rank: pairs within a set whose ranks differ (compared at the smaller rank) and pairs
    // that had principal angles of 90 degrees (the distance needed docs/method.md's zero-cosine rule).
    bool fixed_rank = false;
    for (const ModelView& m : s.models)
        if (const SetView* c = set_at(m, 0); c && c->fixed_rank_ambiguous_pairs >= 0) fixed_rank = true;
    if (fixed_rank && ImGui::BeginTable("fixed-rank pairs", 5, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg)) {
        const char* cross =
            "Fixed-rank: pairs of latents whose ranks differ (compared at the smaller rank, "
            "docs/method.md section 5).";
        const char* ninety =
            "Fixed-rank: pairs with principal angles of 90 degrees, which needed the "
            "zero-cosine rule (docs/method.md section 5, fixed_rank_ambiguous_pairs).";
        header_row({{"model", nullptr},
                    {"cross-stratum clean", cross},
                    {"cross-stratum sigma", cross},
                    {"90-degree pairs clean", ninety},
                    {"90-degree pairs sigma", ninety}},
                   "fixed_rank");
        auto count = [](const SetView* v, long long SetView::*field) {
            ImGui::TableNextColumn();
            if (v && v->*field >= 0) ImGui::Text("%lld", v->*field);
        };
        for (const ModelView& m : s.models) {
            const SetView* c = set_at(m, 0);
            const SetView* n = set_at(m, s.sigma_index);
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(m.name.c_str());
            count(c, &SetView::cross_stratum_pairs);
            count(n, &SetView::cross_stratum_pairs);
            count(c, &SetView::fixed_rank_ambiguous_pairs);
            count(n, &SetView::fixed_rank_ambiguous_pairs);
        }
        ImGui::EndTable();
    }
    model_combo("model##spectrum");
    const ShownSets shown_model = shown_sets();
    if (!shown_model.clean) {
        ImGui::End();
        return;
    }
    const SetView *clean = shown_model.clean, *noisy = shown_model.noisy;
    const std::size_t shown = std::min<std::size_t>(60, clean->kernel_spectrum.size());
    double hi = 1e-12, lo = INFINITY;
    for (const SetView* set : {clean, noisy})
        if (set)
            for (std::size_t i = 0; i < shown && i < set->kernel_spectrum.size(); ++i) {
                hi = std::max(hi, set->kernel_spectrum[i]);
                if (set->kernel_spectrum[i] > 0) lo = std::min(lo, set->kernel_spectrum[i]);
            }
    if (!std::isfinite(lo)) lo = hi * 1e-6;
    lo = std::max(lo, hi * 1e-12);
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const plot::Axes a = plot::begin_plot("##spectrum", ImVec2(avail.x, std::max(140.0f, avail.y)), 1, double(shown),
                                          lo * 0.5, hi * 2, "index i", "eigenvalue mu_i of Kc", true);
    help("spectrum", kHelpSpectrum);
    std::vector<std::pair<std::string, ImU32>> leg;
    for (const SetView* set : {clean, noisy}) {
        if (!set) continue;
        std::vector<double> xs, ys;
        for (std::size_t i = 0; i < shown && i < set->kernel_spectrum.size(); ++i) {
            xs.push_back(double(i + 1));
            ys.push_back(set->kernel_spectrum[i] > 0 ? set->kernel_spectrum[i] : NAN);
        }
        const ImU32 col = set == clean ? kCleanColor : kNoisyColor;
        plot::line(a, xs, ys, col, false);
        plot::vline(a, set->hilbert_dim, col);  // dim_eta: where the energy threshold is reached
        leg.push_back({(set == clean ? std::string("clean") : "sigma " + sigma_text(set->sigma)) + ", dim " +
                           std::to_string(set->hilbert_dim),
                       col});
    }
    plot::legend(a, leg);
    ImGui::End();
}

// 8. Messages: every line for the user (dropped files, files that could not load, models that
// failed, ignored URL values; the page keeps them in window.strata.messages too), oldest first, in a
// panel of their own that scrolls and follows new lines, so none ever covers a plot.
void messages_panel() {
    AppState& s = state();
    ImGui::Begin("Messages");
    if (s.messages.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
        ImGui::TextWrapped("No messages. Drop ONNX models (encoder and decoder) or images anywhere on the page.");
        ImGui::PopStyleColor();
    }
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.8f, 0.5f, 1));
    for (const std::string& line : s.messages) ImGui::TextWrapped("%s", line.c_str());
    ImGui::PopStyleColor();
    if (s.messages_seen != s.messages.size()) {
        ImGui::SetScrollHereY(1.0f);
        s.messages_seen = s.messages.size();
    }
    ImGui::End();
}

// 9. The finding: one line above the panels (app_summary.cpp), cut to the canvas with its tooltip.
void summary_bar(float x, float y, float w, float h) {
    ImGui::SetNextWindowPos(ImVec2(x, y), ImGuiCond_Always);
    ImGui::SetNextWindowSize(ImVec2(w, h), ImGuiCond_Always);
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
    ImGui::Begin("##finding", nullptr, flags);
    const std::string line = finding_summary();
    ImGui::TextUnformatted("Finding:");
    ImGui::SameLine();
    text_fit(line.empty() ? "waiting for the first results" : line, IM_COL32(235, 235, 150, 255), 0.0f, "summary");
    ImGui::End();
}

}  // namespace

// 10. All panels ---------------------------------------------------------------------------------------------
void draw_panels(float cw, float ch) {
    // The finding's line on top; below it three columns, fractions of the canvas's width. A column
    // stacks its panels by fractions of its height, a gap apart (8 pixels at scale 1).
    const float g = 8 * state().ui_scale;  // the gap between panels
    const float bar_h = ImGui::GetTextLineHeight() + 2 * ImGui::GetStyle().WindowPadding.y;
    summary_bar(g, g, cw - 2 * g, bar_h);
    const float top = g + bar_h + g, column_h = ch - top - g;
    // The left column never narrower than the strata table's four columns need at the smallest type.
    const float c1 = std::max(cw * 0.25f, 320.0f * state().ui_scale), c2 = cw * 0.36f, c3 = cw - c1 - c2 - 4 * g;
    struct Slot {
        float y, h;
    };
    auto stack = [&](std::initializer_list<float> fractions, int i) {
        const float usable = column_h - g * float(fractions.size() - 1);
        float y = top;
        int j = 0;
        for (float f : fractions) {
            if (j++ == i) return Slot{y, usable * f};
            y += usable * f + g;
        }
        return Slot{top, usable};
    };
    const auto left = [&](int i) { return stack({0.34f, 0.33f, 0.33f}, i); };
    const auto middle = [&](int i) { return stack({0.42f, 0.42f, 0.16f}, i); };
    const auto right = [&](int i) { return stack({0.46f, 0.20f, 0.34f}, i); };
    // Panel indices are part of shared links (the URL's `layout`): append new panels, never renumber.
    struct Panel {
        const char* title;
        void (*draw)();
        float x;
        Slot slot;
        float w;
    };
    const Panel all[] = {
        {"Strata", controls, g, left(0), c1},
        {"Settings", settings_panel, g, left(1), c1},
        {"Strata (rank triples)", strata_table, g, left(2), c1},
        {"Rank histograms per mode", rank_histograms, c1 + 2 * g, middle(0), c2},
        {"Curves vs sigma", curves, c1 + 2 * g, middle(1), c2},
        {"Kernel-PCA view", kpca_view, c1 + c2 + 3 * g, right(0), c3},
        {"Kernel diagnostics", kernel_diagnostics, c1 + c2 + 3 * g, right(1), c3},
        {"Messages", messages_panel, c1 + 2 * g, middle(2), c2},
        {"Find, neighbours, walk", find_walk_panel, c1 + c2 + 3 * g, right(2), c3},
    };
    static_assert(sizeof all / sizeof all[0] == std::tuple_size<decltype(AppState::panels)>::value);
    for (int i = 0; i < int(sizeof all / sizeof all[0]); ++i) {
        place(i, all[i].title, all[i].x, all[i].slot.y, all[i].w, all[i].slot.h);
        all[i].draw();
        record_panel(i, all[i].title);
    }
}

}  // namespace app
