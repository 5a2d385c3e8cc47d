// app_audit.cpp: the layout audit. For one frame on request, every labelled ImGui item is recorded
// with its rectangle and the clipping rectangle it was drawn in, so a test can check that no
// label is cut at any canvas size through ImGui's own geometry, not through screenshots.
//
// Index: 1. ImGui's test-engine hooks (IMGUI_ENABLE_TEST_ENGINE, wasm/app/CMakeLists.txt)
//        2. one audited frame (app_main.cpp calls begin/end)  3. the page's calls (embind)
//
// Why the hooks: ImGui calls ImGuiTestEngineHook_ItemAdd with each interactive item's bounding box
// and ImGuiTestEngineHook_ItemInfo with its label, whatever widget drew it (buttons, checkboxes,
// sliders, combos, tabs, table headers, window titles), only while TestEngineHookItems is set.
// Plain texts have no id and are not hooked: the panels draw them with text_fit (cut with "..."
// and a tooltip) or wrapped. The plots record their tick labels themselves (app_plot.cpp).
#include "app_state.hpp"
#include "imgui.h"
#include "imgui_internal.h"
#include "js_value.hpp"

#include <emscripten/bind.h>
#include <emscripten/val.h>

namespace {

using Item = app::AppState::AuditItem;

app::AppState::Rect rect_of(const ImRect& r) { return {r.Min.x, r.Min.y, r.Max.x - r.Min.x, r.Max.y - r.Min.y}; }

}  // namespace

// 1. ImGui's hooks ---------------------------------------------------------------------------------------
void ImGuiTestEngineHook_ItemAdd(ImGuiContext* ctx, const ImRect& bb, ImGuiID id) {
    ImGuiWindow* w = ctx->CurrentWindow;
    if (!w || !app::state().audit_running) return;
    Item it;
    it.window = w->Name;
    it.kind = "item";
    it.box = rect_of(bb);
    it.clip = rect_of(w->ClipRect);
    it.label = "#" + std::to_string(id);  // replaced by ItemInfo when the widget gives a label
    app::state().audit.push_back(std::move(it));
}

void ImGuiTestEngineHook_ItemInfo(ImGuiContext*, ImGuiID id, const char* label, ImGuiItemStatusFlags) {
    auto& items = app::state().audit;
    const std::string key = "#" + std::to_string(id);
    for (auto it = items.rbegin(); it != items.rend(); ++it)
        if (it->label == key) {
            const char* end = ImGui::FindRenderedTextEnd(label);  // the part before "##"
            it->label.assign(label, end);
            it->label_w = ImGui::CalcTextSize(label, end).x;
            return;
        }
}

void ImGuiTestEngineHook_Log(ImGuiContext*, const char*, ...) {}
const char* ImGuiTestEngine_FindItemDebugLabel(ImGuiContext*, ImGuiID) { return nullptr; }

namespace app {

// 2. One audited frame --------------------------------------------------------------------------------------
void audit_begin_frame() {
    AppState& s = state();
    s.audit_running = s.audit_requested;
    s.audit_requested = false;
    if (s.audit_running) s.audit.clear();
    ImGui::GetCurrentContext()->TestEngineHookItems = s.audit_running;
}

void audit_end_frame() {
    AppState& s = state();
    if (!s.audit_running) return;
    s.audit_running = false;
    s.audit_ready = true;
    ImGui::GetCurrentContext()->TestEngineHookItems = false;
}

void audit_tick(const std::string& plot, const AppState::Rect& box, const AppState::Rect& area,
                const std::string& text) {
    AppState& s = state();
    if (!s.audit_running) return;
    Item it;
    it.window = ImGui::GetCurrentWindow()->Name;
    it.kind = "tick";
    it.label = plot + ":" + text;
    it.box = box;
    it.clip = area;
    it.label_w = box.w;
    s.audit.push_back(std::move(it));
}

}  // namespace app

// 3. The page's calls -------------------------------------------------------------------------------------------
namespace {

using emscripten::val;

// Asks the next frame to be audited.
void request_audit() {
    app::state().audit_requested = true;
    app::state().audit_ready = false;
    app::request_frames(app::kDataFrames);
}

// The audited frame's items, [{window, label, kind, x, y, w, h, clip: {x, y, w, h}, labelW}], or null
// before it was drawn.
val audit_items() {
    const app::AppState& s = app::state();
    if (!s.audit_ready) return val::null();
    auto box = [](const app::AppState::Rect& r) { return app::rect_js(r.x, r.y, r.w, r.h); };
    val out = val::array();
    for (const Item& it : s.audit) {
        if (it.label.empty() || it.label[0] == '#') continue;  // no visible label
        val o = box(it.box);
        o.set("window", it.window);
        o.set("label", it.label);
        o.set("kind", it.kind);
        o.set("labelW", it.label_w);
        o.set("clip", box(it.clip));
        out.call<void>("push", o);
    }
    return out;
}

}  // namespace

EMSCRIPTEN_BINDINGS(strata_app_audit) {
    emscripten::function("requestAudit", &request_audit);
    emscripten::function("auditItems", &audit_items);
}
