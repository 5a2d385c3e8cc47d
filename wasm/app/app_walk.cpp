// app_walk.cpp: the "Find, neighbours, walk" panel (three tabs), the walk's path in the kernel-PCA
// view, and the embind functions the page uses to feed them.
//
// Index: 1. help texts and small helpers (thumbnails of clean images)  2. the selection set
//        3. the walk's and the neighbours' requests  4. the Find tab  5. the Neighbours tab
//        6. the Walk tab (a strip per model, the triples under it, the distance-to-data plot)
//        7. the panel  8. the path in the 2-D view  9. the embind table
//
// Numbers come from the worker (web/worker.mjs: the core's interpolate, neighbours and the
// out-of-sample projection of the path's steps); this file only shows them and asks for them.
#include "app_walk.hpp"

#include "imgui.h"
#include "js_value.hpp"

#include <emscripten.h>
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

using emscripten::val;

namespace app {

// 1. Help texts and helpers -----------------------------------------------------------------------------------
namespace {

const char* kHelpFindSample =
    "The selected sample (its index in the analysed set, 0 .. N-1): the kernel-PCA view rings it, the "
    "Neighbours tab lists its nearest samples. Clicking a point in a view selects it too.";
const char* kHelpFindRule =
    "Select a set of samples: all of one class (the images' labels), or all whose clean latent has one rank "
    "triple (a stratum, docs/method.md section 4) in the kernel-PCA view's model. The URL keeps it (find=).";
const char* kHelpIsolate =
    "Isolate: the 2-D views fade every point outside the selection set (with no set: every point but the "
    "selected sample), so its members stand out. The URL keeps it (isolate=1).";
const char* kHelpNeighbours =
    "The k nearest clean samples of the selected one in the kernel-PCA view's model (docs/method.md, "
    "\"Neighbours\"): in the latent metric (d_PM between SPSD points, the chosen metric) and in the kernel's "
    "feature space (Euclidean distance between kernel-PCA coordinates on the top dim_eta components). "
    "Click a row to select that sample.";
const char* kHelpWalkEnds =
    "The walk's endpoints A and B: sample indices (0 .. N-1). Set them here, or press 'pick in view' and click "
    "A, then B in the kernel-PCA view or the Neighbours list: the second pick starts the walk.";
const char* kHelpWalkSteps =
    "K, the number of steps of the path (docs/method.md, \"Interpolation\": t_k = k / (K - 1), both endpoints "
    "included; default 9).";
const char* kHelpWalk =
    "Walks the straight line Z(t) = (1 - t) Z_A + t Z_B between the latents of A and B for every studied model "
    "(variational models in their mean mu, the others in their latent), decodes each step with the model's "
    "decoder, and places each step in the kernel-PCA view by out-of-sample projection.";
const char* kHelpWalkStrip =
    "Each step decoded, and under it the step's rank triple r1, r2, r3 (one per line). Orange: the step "
    "changes stratum (its triple differs from the previous step's). Hover a step for its t, distance to data "
    "and nearest clean sample.";
const char* kHelpWalkDistance =
    "Distance to data of each step: the smallest d_PM from the step's SPSD point to a clean latent of the model "
    "(docs/method.md, \"Interpolation\"), against t. One line per model, in the models' colours.";

const ImU32 kChangeColor = IM_COL32(255, 140, 40, 255);

// Clean images of samples as textures, one per (shape, sample), for the lists and the endpoints.
ImTextureID thumbnail(const InputShape& shape, int sample) {
    static int generation = -1;
    static std::map<std::pair<InputShape, int>, PixelImage> images;
    if (generation != clean_images_generation()) {
        images.clear();
        generation = clean_images_generation();
    }
    const auto key = std::make_pair(shape, sample);
    auto it = images.find(key);
    if (it == images.end()) {
        std::vector<float> v = clean_image_values(shape, sample);
        if (v.empty()) return nullptr;
        it = images.emplace(key, PixelImage{}).first;
        it->second.set(std::move(v), shape);
    }
    return it->second.texture();
}

// The neighbours the panel wants: "model/sample/k" of the selected sample in the view's model, "" for
// none (no selection, or its clean set not analysed yet).
const ModelView* view_model();
std::string wanted_neighbours() {
    const AppState& s = state();
    const ModelView* m = view_model();
    if (s.selected_sample < 0 || !m || !set_at(*m, 0)) return "";
    return m->name + "/" + std::to_string(s.selected_sample) + "/" + std::to_string(neighbours().k);
}

const ModelView* view_model() {
    const AppState& s = state();
    if (s.models.empty()) return nullptr;
    return &s.models[std::size_t(std::clamp(s.kpca_model, 0, int(s.models.size()) - 1))];
}

std::string triple_string(const std::array<int, 3>& r) {
    return "(" + std::to_string(r[0]) + ", " + std::to_string(r[1]) + ", " + std::to_string(r[2]) + ")";
}

float field_width(float want) { return std::min(want * state().ui_scale, ImGui::GetContentRegionAvail().x * 0.45f); }

// The next item on this line when `w` pixels fit, else on the next line.
void next_fits(float w) {
    ImGui::SameLine();
    if (ImGui::GetContentRegionAvail().x < w) ImGui::NewLine();
}

float label_button_width(const char* label) {
    return ImGui::CalcTextSize(label, nullptr, true).x + 2 * ImGui::GetStyle().FramePadding.x;
}

// The width of a field `w` wide with its label to the right.
float labelled_width(float w, const char* label) {
    return w + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label, nullptr, true).x;
}

// Asks the page to take the panel's requests now (not at its next poll).
void wake_page() {
    EM_ASM({
        if (Module.onWalkRequest) Module.onWalkRequest();
    });
}

}  // namespace

// 2. The selection set ----------------------------------------------------------------------------------------
Selection& selection() {
    static Selection s;
    return s;
}

bool in_selection(int i) {
    const AppState& s = state();
    const Selection& sel = selection();
    if (i < 0 || i >= s.n) return false;
    switch (sel.rule) {
        case Selection::Rule::Class: return std::size_t(i) < s.labels.size() && s.labels[std::size_t(i)] == sel.label;
        case Selection::Rule::Stratum: {
            const ModelView* m = view_model();
            const SetView* clean = m ? set_at(*m, 0) : nullptr;
            return clean && std::size_t(i) < clean->ranks.size() && clean->ranks[std::size_t(i)] == sel.ranks;
        }
        default: return i == s.selected_sample;
    }
}

int selection_count() {
    int c = 0;
    for (int i = 0; i < state().n; ++i) c += in_selection(i);
    return c;
}

bool faded(int sample) { return selection().isolate && !in_selection(sample); }

std::string find_text() {
    const Selection& sel = selection();
    if (sel.rule == Selection::Rule::Class) return "class:" + std::to_string(sel.label);
    if (sel.rule == Selection::Rule::Stratum)
        return "stratum:" + std::to_string(sel.ranks[0]) + "-" + std::to_string(sel.ranks[1]) + "-" +
               std::to_string(sel.ranks[2]);
    return "";
}

// The canonical forms only (the core's view_state.cpp checked the URL's); anything else clears the set.
void set_find_text(const std::string& rule) {
    Selection& sel = selection();
    sel.rule = Selection::Rule::None;
    int a = 0, b = 0, c = 0;
    if (std::sscanf(rule.c_str(), "class:%d", &a) == 1) {
        sel.rule = Selection::Rule::Class;
        sel.label = a;
    } else if (std::sscanf(rule.c_str(), "stratum:%d-%d-%d", &a, &b, &c) == 3) {
        sel.rule = Selection::Rule::Stratum;
        sel.ranks = {a, b, c};
    }
}

// 3. Requests -------------------------------------------------------------------------------------------------
Neighbours& neighbours() {
    static Neighbours n;
    return n;
}

Walk& walk() {
    static Walk w;
    return w;
}

void request_walk(int a, int b, int steps) {
    AppState& s = state();
    Walk& w = walk();
    w.a = a;
    w.b = b;
    w.steps = std::clamp(steps, 3, 1000);
    w.picking = 0;
    if (a < 0 || b < 0 || a >= s.n || b >= s.n) return;
    w.requested = true;
    ++w.serial;
    w.asked_ms = emscripten_get_now();
    w.first_ms = w.done_ms = -1.0;
    w.models.clear();
    for (const ModelView& m : s.models) {
        if (!m.failed.empty()) continue;
        WalkModel wm;
        wm.name = m.name;
        wm.image = m.input;
        w.models.push_back(std::move(wm));
    }
    w.tab_request = 2;
    wake_page();
}

void pick_sample(int i) {
    AppState& s = state();
    Walk& w = walk();
    s.selected_sample = i;
    if (w.picking == 1) {
        w.a = i;
        w.picking = 2;
    } else if (w.picking == 2) {
        w.b = i;
        request_walk(w.a, w.b, w.steps);
    }
}

namespace {

// 4. The Find tab ------------------------------------------------------------------------------------------------
void find_tab() {
    AppState& s = state();
    Selection& sel = selection();
    int index = s.selected_sample;
    ImGui::SetNextItemWidth(field_width(110));
    if (ImGui::InputInt("sample", &index) && s.n > 0) pick_sample(std::clamp(index, -1, s.n - 1));
    record_rect("find_sample");
    help("find_sample", kHelpFindSample);

    static const char* rules[3] = {"select: none", "select: class", "select: stratum"};
    int rule = int(sel.rule);
    const float combo_w = field_width(150);
    ImGui::SetNextItemWidth(combo_w);
    if (ImGui::Combo("##findrule", &rule, rules, 3)) sel.rule = Selection::Rule(rule);
    record_rect("find_rule");
    help("find_rule", kHelpFindRule);
    if (sel.rule == Selection::Rule::Class) {
        next_fits(combo_w);
        ImGui::SetNextItemWidth(combo_w);
        if (ImGui::BeginCombo("##findclass", class_name(sel.label).c_str())) {
            const int classes = s.class_names.empty() ? 10 : int(s.class_names.size());
            for (int c = 0; c < classes; ++c)
                if (ImGui::Selectable(class_name(c).c_str(), c == sel.label)) sel.label = c;
            ImGui::EndCombo();
        }
        record_rect("find_class");
        help("find_class", kHelpFindRule);
    } else if (sel.rule == Selection::Rule::Stratum) {
        const ModelView* m = view_model();
        const SetView* clean = m ? set_at(*m, 0) : nullptr;
        next_fits(combo_w);
        ImGui::SetNextItemWidth(combo_w);
        if (ImGui::BeginCombo("##findstratum", triple_string(sel.ranks).c_str())) {
            if (clean)
                for (std::size_t r = 0; r < clean->strata.size(); ++r) {
                    const std::string label = triple_string(clean->strata[r].ranks) + " x " +
                                              std::to_string(clean->strata[r].count) + "##s" + std::to_string(r);
                    if (ImGui::Selectable(label.c_str(), clean->strata[r].ranks == sel.ranks))
                        sel.ranks = clean->strata[r].ranks;
                }
            ImGui::EndCombo();
        }
        record_rect("find_stratum");
        help("find_stratum", kHelpFindRule);
    }
    ImGui::Checkbox("isolate", &sel.isolate);
    record_rect("find_isolate");
    help("find_isolate", kHelpIsolate);
    ImGui::SameLine();
    const ModelView* m = view_model();
    std::string what = "(" + std::to_string(selection_count()) + " of " + std::to_string(s.n) + " samples selected";
    what += sel.rule == Selection::Rule::Stratum && m ? ", clean " + m->name + ")" : ")";
    text_fit(what, 0, 0.0f, "find_count");

    // The selected sample: its image, class and clean rank triple in every model.
    if (s.selected_sample < 0 || !m) return;
    const int i = s.selected_sample;
    if (ImTextureID tex = thumbnail(m->input, i)) {
        ImGui::Image(tex, image_size(m->input, 40 * s.ui_scale));
        ImGui::SameLine();
    }
    ImGui::BeginGroup();
    text_fit("sample " + std::to_string(i) + ": " +
             (std::size_t(i) < s.labels.size() ? class_name(s.labels[std::size_t(i)]) : std::string("?")));
    for (const ModelView& mv : s.models) {
        const SetView* clean = set_at(mv, 0);
        if (clean && std::size_t(i) < clean->ranks.size())
            text_fit(mv.name + " clean: " + triple_string(clean->ranks[std::size_t(i)]), IM_COL32(180, 180, 190, 255));
    }
    ImGui::EndGroup();
}

// 5. The Neighbours tab ----------------------------------------------------------------------------------------------
void neighbour_table(const char* id, const char* title, const std::vector<Neighbour>& list, const InputShape& shape) {
    const AppState& s = state();
    text_fit(title, IM_COL32(200, 200, 210, 255));
    if (!ImGui::BeginTable(id, 4, ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg)) return;
    const float side = 20 * s.ui_scale;
    for (std::size_t r = 0; r < list.size(); ++r) {
        const Neighbour& e = list[r];
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        if (ImTextureID tex = thumbnail(shape, e.index)) ImGui::Image(tex, image_size(shape, side));
        else ImGui::Dummy(ImVec2(side, side));
        ImGui::TableSetColumnIndex(1);
        const std::string label = std::to_string(e.index) + "##" + id + std::to_string(r);
        if (ImGui::Selectable(label.c_str(), false, ImGuiSelectableFlags_SpanAllColumns)) pick_sample(e.index);
        record_rect(std::string(id) + "_" + std::to_string(r));
        ImGui::TableSetColumnIndex(2);
        ImGui::TextUnformatted(
            std::size_t(e.index) < s.labels.size() ? class_name(s.labels[std::size_t(e.index)]).c_str() : "?");
        ImGui::TableSetColumnIndex(3);
        ImGui::Text("%.4g", e.distance);
    }
    ImGui::EndTable();
}

void neighbours_tab() {
    const AppState& s = state();
    Neighbours& nb = neighbours();
    const ModelView* m = view_model();
    const SetView* clean = m ? set_at(*m, 0) : nullptr;
    nb.want = wanted_neighbours();
    if (nb.want.empty()) {
        text_fit(clean ? "select a sample: click a point, or type its index in Find" : "waiting for the clean set");
        return;
    }
    text_fit(m->name + ", sample " + std::to_string(s.selected_sample) + ": its " + std::to_string(nb.k) +
                 " nearest clean samples",
             0, 0.0f, "neighbours_title");
    help("neighbours_title", kHelpNeighbours);
    if (nb.key != nb.want) {
        ImGui::TextDisabled("asking the worker...");
        return;
    }
    if (!nb.error.empty()) {
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextColored(ImVec4(1.0f, 0.4f, 0.4f, 1.0f), "%s", nb.error.c_str());
        ImGui::PopTextWrapPos();
        return;
    }
    neighbour_table("nb_latent", "latent metric (d_PM)", nb.latent, m->input);
    neighbour_table("nb_kernel", ("kernel features (dim_eta = " + std::to_string(nb.kernel_dim) + ")").c_str(),
                    nb.kernel, m->input);
}

// 6. The Walk tab ------------------------------------------------------------------------------------------------
// One model's strip: each decoded step (a grey square until it arrives) with its triple under it.
void walk_strip(WalkModel& wm, float side, float gap) {
    Walk& w = walk();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float line = ImGui::GetTextLineHeight();
    for (std::size_t k = 0; k < std::size_t(w.steps); ++k) {
        if (k) ImGui::SameLine(0.0f, gap);
        ImGui::BeginGroup();
        const ImVec2 p = ImGui::GetCursorScreenPos();
        ImTextureID tex = k < wm.decoded.size() && wm.decoded[k] ? wm.images[k].texture() : nullptr;
        if (tex) {
            ImGui::Image(tex, image_size(wm.image, side));
            if (w.first_ms < 0.0) w.first_ms = emscripten_get_now();
        } else {
            ImGui::Dummy(image_size(wm.image, side));
            dl->AddRectFilled(p, ImVec2(p.x + side, p.y + side), IM_COL32(60, 60, 70, 255));
        }
        record_rect("walk_" + wm.name + "_" + std::to_string(k));
        const bool hovered = ImGui::IsItemHovered();
        if (wm.path && k < wm.ranks.size()) {
            const bool change = wm.changes[k];
            if (change)
                dl->AddRectFilled(ImVec2(p.x - gap * 0.5f - 1, p.y), ImVec2(p.x - gap * 0.5f + 1, p.y + side),
                                  kChangeColor);
            for (int r = 0; r < 3; ++r) {
                const std::string t = std::to_string(wm.ranks[k][std::size_t(r)]);
                const float tw = ImGui::CalcTextSize(t.c_str()).x;
                const ImVec2 at = ImGui::GetCursorScreenPos();
                ImGui::Dummy(ImVec2(side, line));
                dl->AddText(ImVec2(at.x + std::max(0.0f, (side - tw) * 0.5f), at.y),
                            change ? kChangeColor : IM_COL32(200, 200, 210, 255), t.c_str());
            }
        }
        ImGui::EndGroup();
        if (hovered && wm.path && k < wm.t.size()) {
            ImGui::BeginTooltip();
            ImGui::Text("%s, step %zu: t = %.3f", wm.name.c_str(), k, wm.t[k]);
            ImGui::Text("ranks %s%s", triple_string(wm.ranks[k]).c_str(), wm.changes[k] ? " (changes stratum)" : "");
            ImGui::Text("distance to data %.4g", wm.distance[k]);
            ImGui::EndTooltip();
        }
    }
}

void walk_tab() {
    AppState& s = state();
    Walk& w = walk();
    const float fw = field_width(100);
    ImGui::SetNextItemWidth(fw);
    ImGui::InputInt("A", &w.a);
    record_rect("walk_a");
    help("walk_a", kHelpWalkEnds);
    next_fits(labelled_width(fw, "B"));
    ImGui::SetNextItemWidth(fw);
    ImGui::InputInt("B", &w.b);
    record_rect("walk_b");
    help("walk_b", kHelpWalkEnds);
    next_fits(labelled_width(fw, "steps"));
    ImGui::SetNextItemWidth(fw);
    if (ImGui::InputInt("steps", &w.steps)) w.steps = std::clamp(w.steps, 3, 25);
    record_rect("walk_steps");
    help("walk_steps", kHelpWalkSteps);
    w.a = std::clamp(w.a, -1, std::max(-1, s.n - 1));
    w.b = std::clamp(w.b, -1, std::max(-1, s.n - 1));
    const bool can = w.a >= 0 && w.b >= 0 && !s.models.empty();
    next_fits(label_button_width("walk"));
    ImGui::BeginDisabled(!can);
    if (ImGui::Button("walk")) request_walk(w.a, w.b, w.steps);
    ImGui::EndDisabled();
    record_rect("walk_go");
    help("walk_go", kHelpWalk);
    const char* pick = w.picking == 1 ? "click A in a view" : w.picking == 2 ? "click B in a view" : "pick in view";
    next_fits(label_button_width(pick));
    if (ImGui::Button(pick)) w.picking = w.picking ? 0 : 1;
    record_rect("walk_pick");
    help("walk_pick", kHelpWalkEnds);

    if (w.models.empty()) {
        text_fit("no walk yet: set A and B, or pick them in the kernel-PCA view");
        return;
    }
    std::string status = "A = " + std::to_string(w.a) + ", B = " + std::to_string(w.b) + ": ";
    char ms[64];
    if (w.first_ms >= 0.0) {
        std::snprintf(ms, sizeof ms, "first step in %.0f ms", w.first_ms - w.asked_ms);
        status += ms;
    } else status += "decoding...";
    if (w.done_ms >= 0.0) {
        std::snprintf(ms, sizeof ms, ", all in %.0f ms", w.done_ms - w.asked_ms);
        status += ms;
    }
    text_fit(status, 0, 0.0f, "walk_status");
    help("walk_status", kHelpWalk);

    const float gap = 4 * s.ui_scale;
    const float avail = ImGui::GetContentRegionAvail().x;
    const float side = std::clamp((avail - gap * float(w.steps - 1) - 2) / float(w.steps), 8.0f, 40.0f * s.ui_scale);
    double dmax = 0.0;
    for (WalkModel& wm : w.models) {
        std::string head =
            wm.name + (wm.latent == "mu" ? ": walked in mu (its mean latent)" : ": walked in its latent");
        if (!wm.error.empty()) head = wm.name + ": " + wm.error;
        else if (wm.path && !wm.has_decoder) head += ", no decoder";
        text_fit(head, wm.error.empty() ? 0 : IM_COL32(255, 100, 100, 255), 0.0f, "walk_head_" + wm.name);
        if (!wm.error.empty()) continue;
        walk_strip(wm, side, gap);
        if (!w.models.empty() && &wm == &w.models.front()) help("walk_strip", kHelpWalkStrip);
        for (double d : wm.distance) dmax = std::max(dmax, d);
    }
    // Distance to data against t, every model in its colour.
    const ImVec2 room = ImGui::GetContentRegionAvail();
    const plot::Axes a = plot::begin_plot("##walkdist", ImVec2(room.x, std::max(110.0f * s.ui_scale, room.y)), 0.0, 1.0,
                                          0.0, dmax > 0 ? dmax * 1.1 : 1.0, "t", "distance to data");
    s.rects["walk_distance"] = {a.p0.x, a.p0.y, a.p1.x - a.p0.x, a.p1.y - a.p0.y};
    std::vector<std::pair<std::string, ImU32>> legend;
    for (const WalkModel& wm : w.models) {
        if (!wm.path) continue;
        int index = 0;
        for (std::size_t i = 0; i < s.models.size(); ++i)
            if (s.models[i].name == wm.name) index = int(i);
        plot::line(a, wm.t, wm.distance, model_color(index));
        legend.push_back({wm.name, model_color(index)});
    }
    plot::legend(a, legend);
    help("walk_distance", kHelpWalkDistance);
}

}  // namespace

// 7. The panel ---------------------------------------------------------------------------------------------------
void find_walk_panel() {
    Walk& w = walk();
    if (ImGui::Begin("Find, neighbours, walk")) {
        if (ImGui::BeginTabBar("##findwalk")) {
            static const char* names[3] = {"Find", "Neighbours", "Walk"};
            void (*tabs[3])() = {find_tab, neighbours_tab, walk_tab};
            for (int t = 0; t < 3; ++t) {
                const ImGuiTabItemFlags f = w.tab_request == t ? ImGuiTabItemFlags_SetSelected : 0;
                const bool open = ImGui::BeginTabItem(names[t], nullptr, f);
                record_rect(std::string("tab_") + names[t]);
                if (!open) continue;
                w.tab = t;
                tabs[t]();
                ImGui::EndTabItem();
            }
            w.tab_request = -1;
            ImGui::EndTabBar();
        }
    }
    ImGui::End();
    // The neighbours of the selected sample are wanted whenever the selection or the model changes.
    Neighbours& nb = neighbours();
    nb.want = wanted_neighbours();
    if (!nb.want.empty() && nb.want != nb.key && !nb.asked) wake_page();
}

// 8. The path in the 2-D view --------------------------------------------------------------------------------------
void draw_walk_path(const plot::Axes& a, const std::string& model) {
    const Walk& w = walk();
    for (const WalkModel& wm : w.models) {
        if (wm.name != model || !wm.path || wm.coords.size() < 2) continue;
        ImDrawList* dl = ImGui::GetWindowDrawList();
        dl->PushClipRect(a.p0, a.p1, true);
        std::vector<ImVec2> pts;
        for (const auto& c : wm.coords) pts.push_back(a.map(c[0], c[1]));
        const ImU32 path = IM_COL32(255, 230, 90, 255);
        dl->AddPolyline(pts.data(), int(pts.size()), path, 0, 1.5f);
        for (std::size_t k = 0; k < pts.size(); ++k) {
            const bool change = k < wm.changes.size() && wm.changes[k];
            dl->AddCircleFilled(pts[k], change ? 4.0f : 2.5f, change ? kChangeColor : path);
        }
        dl->AddText(ImVec2(pts.front().x + 5, pts.front().y - 14), path, "A");
        dl->AddText(ImVec2(pts.back().x + 5, pts.back().y - 14), path, "B");
        dl->PopClipRect();
    }
}

}  // namespace app

// 9. The embind table -----------------------------------------------------------------------------------------------
namespace {

using app::has;

val doubles_js(const std::vector<double>& v) {
    val a = val::array();
    for (double x : v) a.call<void>("push", x);
    return a;
}

// The walk asked for, once: {serial, a, b, steps, models: [names]}, or null.
val take_walk_request() {
    app::Walk& w = app::walk();
    if (!w.requested) return val::null();
    w.requested = false;
    val o = val::object();
    o.set("serial", w.serial);
    o.set("a", w.a);
    o.set("b", w.b);
    o.set("steps", w.steps);
    val names = val::array();
    for (const app::WalkModel& wm : w.models) names.call<void>("push", wm.name);
    o.set("models", names);
    return o;
}

app::WalkModel* walk_model(int serial, const std::string& name) {
    app::Walk& w = app::walk();
    if (serial != w.serial) return nullptr;  // an older walk's answer
    for (app::WalkModel& wm : w.models)
        if (wm.name == name) return &wm;
    return nullptr;
}

// One model's path: {latent, image: [C, H, W], t, ranks, changes_stratum, distance_to_data, coords
// (2 per step), hasDecoder} or {error}.
void set_walk_path(int serial, const std::string& name, const val& p) {
    app::WalkModel* wm = walk_model(serial, name);
    if (!wm) return;
    if (has(p, "error")) {
        wm->error = p["error"].as<std::string>();
        return;
    }
    wm->latent = p["latent"].as<std::string>();
    const std::vector<int> image = emscripten::vecFromJSArray<int>(p["image"]);
    if (image.size() == 3) wm->image = {image[0], image[1], image[2]};
    wm->t = emscripten::vecFromJSArray<double>(p["t"]);
    wm->distance = emscripten::vecFromJSArray<double>(p["distance_to_data"]);
    const val ranks = p["ranks"], changes = p["changes_stratum"];
    const std::vector<double> coords = emscripten::convertJSArrayToNumberVector<double>(p["coords"]);
    const std::size_t k = wm->t.size();
    wm->ranks.assign(k, {});
    wm->changes.assign(k, false);
    wm->coords.assign(k, {});
    for (std::size_t i = 0; i < k; ++i) {
        const val r = ranks[i];
        wm->ranks[i] = {r[0].as<int>(), r[1].as<int>(), r[2].as<int>()};
        wm->changes[i] = changes[i].as<bool>();
        if (2 * i + 1 < coords.size()) wm->coords[i] = {coords[2 * i], coords[2 * i + 1]};
    }
    wm->has_decoder = p["hasDecoder"].as<bool>();
    wm->images.resize(k);
    wm->decoded.assign(k, false);
    wm->path = true;
}

// One decoded step (a Float32Array of the model's image shape, values in [0, 1]).
void set_walk_step(int serial, const std::string& name, int step, const val& pixels) {
    app::WalkModel* wm = walk_model(serial, name);
    if (!wm || step < 0 || std::size_t(step) >= wm->images.size()) return;
    wm->images[std::size_t(step)].set(emscripten::convertJSArrayToNumberVector<float>(pixels), wm->image);
    wm->decoded[std::size_t(step)] = true;
}

void set_walk_done(int serial) {
    if (serial == app::walk().serial) app::walk().done_ms = emscripten_get_now();
}

// The walk as the panel holds it, for the URL and the tests.
val walk_state() {
    const app::Walk& w = app::walk();
    val o = val::object();
    o.set("a", w.a);
    o.set("b", w.b);
    o.set("steps", w.steps);
    o.set("picking", w.picking);
    o.set("serial", w.serial);
    o.set("askedMs", w.asked_ms);
    o.set("firstMs", w.first_ms);
    o.set("doneMs", w.done_ms);
    o.set("tab", w.tab);
    val models = val::array();
    for (const app::WalkModel& wm : w.models) {
        val m = val::object();
        m.set("name", wm.name);
        m.set("latent", wm.latent);
        m.set("path", wm.path);
        m.set("error", wm.error);
        m.set("t", doubles_js(wm.t));
        m.set("distance", doubles_js(wm.distance));
        val ranks = val::array(), changes = val::array(), coords = val::array();
        for (std::size_t i = 0; i < wm.ranks.size(); ++i) {
            val r = val::array();
            for (int x : wm.ranks[i]) r.call<void>("push", x);
            ranks.call<void>("push", r);
            changes.call<void>("push", bool(wm.changes[i]));
            val c = val::array();
            c.call<void>("push", wm.coords[i][0]);
            c.call<void>("push", wm.coords[i][1]);
            coords.call<void>("push", c);
        }
        m.set("ranks", ranks);
        m.set("changes", changes);
        m.set("coords", coords);
        m.set("decoded", int(std::count(wm.decoded.begin(), wm.decoded.end(), true)));
        models.call<void>("push", m);
    }
    o.set("models", models);
    return o;
}

void set_walk(int a, int b, int steps) { app::request_walk(a, b, steps); }
void set_walk_ends(int a, int b, int steps) {  // endpoints from a link, without walking yet
    app::walk().a = a;
    app::walk().b = b;
    app::walk().steps = std::clamp(steps, 3, 1000);
}
void set_picking(int p) { app::walk().picking = std::clamp(p, 0, 2); }
void set_walk_tab(int t) { app::walk().tab_request = std::clamp(t, 0, 2); }

// The neighbours wanted, once: {key, model, index, k}, or null.
val take_neighbours_request() {
    app::Neighbours& nb = app::neighbours();
    if (nb.want.empty() || nb.want == nb.key || nb.asked) return val::null();
    nb.asked = true;
    const std::size_t s1 = nb.want.find('/'), s2 = nb.want.rfind('/');
    val o = val::object();
    o.set("key", nb.want);
    o.set("model", nb.want.substr(0, s1));
    o.set("index", std::stoi(nb.want.substr(s1 + 1, s2 - s1 - 1)));
    o.set("k", nb.k);
    return o;
}

std::vector<app::Neighbour> neighbour_list(const val& a) {
    std::vector<app::Neighbour> out;
    if (!a.isArray()) return out;
    for (unsigned i = 0, n = a["length"].as<unsigned>(); i < n; ++i)
        out.push_back({a[i]["index"].as<int>(), a[i]["distance"].as<double>()});
    return out;
}

// The worker's answer for `key`: {latent: [{index, distance}], kernel: [...], kernel_dim} or {error}.
void set_neighbours(const std::string& key, const val& r) {
    app::Neighbours& nb = app::neighbours();
    nb.asked = false;
    nb.key = key;
    nb.error = has(r, "error") ? r["error"].as<std::string>() : "";
    nb.latent = neighbour_list(r["latent"]);
    nb.kernel = neighbour_list(r["kernel"]);
    nb.kernel_dim = has(r, "kernel_dim") ? r["kernel_dim"].as<int>() : 0;
}

val neighbours_state() {
    const app::Neighbours& nb = app::neighbours();
    val o = val::object();
    o.set("key", nb.key);
    o.set("want", nb.want);
    o.set("error", nb.error);
    o.set("kernelDim", nb.kernel_dim);
    for (const auto& [name, list] : {std::make_pair("latent", &nb.latent), std::make_pair("kernel", &nb.kernel)}) {
        val a = val::array();
        for (const app::Neighbour& e : *list) {
            val q = val::object();
            q.set("index", e.index);
            q.set("distance", e.distance);
            a.call<void>("push", q);
        }
        o.set(name, a);
    }
    return o;
}

void set_find(const std::string& rule) { app::set_find_text(rule); }
void set_isolate(bool on) { app::selection().isolate = on; }

// The selection set: {find, isolate, count, members: [indices]}.
val find_state() {
    val o = val::object();
    o.set("find", app::find_text());
    o.set("isolate", app::selection().isolate);
    val members = val::array();
    for (int i = 0; i < app::state().n; ++i)
        if (app::in_selection(i)) members.call<void>("push", i);
    o.set("members", members);
    o.set("count", members["length"]);
    return o;
}

}  // namespace

EMSCRIPTEN_BINDINGS(strata_app_walk) {
    emscripten::function("takeWalkRequest", &take_walk_request);
    emscripten::function("setWalkPath", &app::Waking<&set_walk_path>::call);
    emscripten::function("setWalkStep", &app::Waking<&set_walk_step>::call);
    emscripten::function("setWalkDone", &app::Waking<&set_walk_done>::call);
    emscripten::function("walkState", &walk_state);
    emscripten::function("setWalk", &app::Waking<&set_walk>::call);
    emscripten::function("setWalkEnds", &app::Waking<&set_walk_ends>::call);
    emscripten::function("setPicking", &app::Waking<&set_picking>::call);
    emscripten::function("setWalkTab", &app::Waking<&set_walk_tab>::call);
    emscripten::function("takeNeighboursRequest", &take_neighbours_request);
    emscripten::function("setNeighbours", &app::Waking<&set_neighbours>::call);
    emscripten::function("neighboursState", &neighbours_state);
    emscripten::function("setFind", &app::Waking<&set_find>::call);
    emscripten::function("setIsolate", &app::Waking<&set_isolate>::call);
    emscripten::function("findState", &find_state);
}
