// app_main.cpp: the window, Dear ImGui's set-up and the frame loop of the explorer.
//
// Index: 1. canvas size  1b. the mouse wheel  1c. the interface's scale  2. when to draw  3. one frame
//        4. main (GLFW + WebGL2 context, ImGui backends, loop)
//
// The page (web/main.mjs) creates this module with its <canvas>; results arrive through
// app_bridge.cpp between frames. The browser calls frame() once per animation frame; frame()
// draws only when something can look different (section 2).
#include "app_panels.hpp"
#include "app_present.hpp"
#include "app_state.hpp"
#include "imgui.h"
#include "imgui_impl_glfw.h"
#include "imgui_impl_opengl3.h"

#include <GLES3/gl3.h>
#include <GLFW/glfw3.h>
#include <emscripten.h>
#include <emscripten/html5.h>

#include <algorithm>
#include <cfloat>
#include <iterator>

namespace {

GLFWwindow* g_window = nullptr;

// 1. Canvas size: follow the canvas's CSS size (the page lays it out), so the drawing buffer
// always matches what is shown and mouse coordinates map 1:1. True when it changed. The drawing
// buffer is sized directly, not through glfwSetWindowSize: Emscripten's GLFW takes a size equal to
// the screen's as a request for fullscreen and then keeps the old size (a maximised kiosk window,
// or a headless browser whose screen is its viewport). ImGui is given this size every frame.
ImVec2 g_display;
bool fit_canvas() {
    double w = 0, h = 0;
    emscripten_get_element_css_size("#canvas", &w, &h);
    if (w < 1 || h < 1) return false;
    int cw = 0, ch = 0;
    emscripten_get_canvas_element_size("#canvas", &cw, &ch);
    const bool changed = int(w) != cw || int(h) != ch || g_display.x != float(int(w)) || g_display.y != float(int(h));
    if (int(w) != cw || int(h) != ch) emscripten_set_canvas_element_size("#canvas", int(w), int(h));
    g_display = ImVec2(float(int(w)), float(int(h)));
    return changed;
}

// 1b. The mouse wheel: read from the browser's own wheel event. Emscripten's GLFW (3.1.6) hands the
// scroll callback the DOM's deltaX / deltaY as they are: in pixels (about 100 per notch) and with the
// DOM's sign (positive = down), where GLFW and ImGui expect notches with positive = up. Scrolling
// down then scrolled every panel up, by a hundred notches. Here: one notch per 100 pixels (or per 3
// lines, or per page), sign flipped, for whatever panel is under the mouse (ImGui picks it).
EM_BOOL on_wheel(int, const EmscriptenWheelEvent* e, void*) {
    auto notches = [e](double d) {
        if (e->deltaMode == DOM_DELTA_LINE) return d / 3.0;
        if (e->deltaMode == DOM_DELTA_PAGE) return d;
        return d / 100.0;  // DOM_DELTA_PIXEL
    };
    ImGuiIO& io = ImGui::GetIO();
    io.MouseWheel -= float(notches(e->deltaY));
    io.MouseWheelH -= float(notches(e->deltaX));
    app::request_frames(app::kInputFrames);
    return EM_TRUE;  // the page itself never scrolls
}

// 1c. The interface's scale: 1 up to a 1400 x 900 canvas, then growing with the canvas to 2 (a 2560 x
// 1440 canvas gets 1.5), in the steps the font atlas holds: each step is the default font rasterised
// at that size (crisper than a scaled texture) and the style's sizes scaled from the original.
constexpr float kScales[] = {1.0f, 1.25f, 1.5f, 2.0f};
ImGuiStyle g_base_style;

void build_fonts() {
    ImGuiIO& io = ImGui::GetIO();
    for (float k : kScales) {
        ImFontConfig c;
        c.SizePixels = 13.0f * k;
        io.Fonts->AddFontDefault(&c);
    }
}

// True when the scale changed (the whole canvas then redraws).
bool fit_scale(float cw, float ch) {
    const float want = std::min(cw / 1400.0f, ch / 900.0f);
    int pick = 0;
    for (int i = 0; i < int(std::size(kScales)); ++i)
        if (kScales[i] <= std::max(1.0f, want)) pick = i;
    app::AppState& s = app::state();
    if (s.ui_scale == kScales[pick] && ImGui::GetIO().FontDefault) return false;
    s.ui_scale = kScales[pick];
    ImGui::GetIO().FontDefault = ImGui::GetIO().Fonts->Fonts[pick];
    ImGui::GetStyle() = g_base_style;
    ImGui::GetStyle().ScaleAllSizes(s.ui_scale);
    return true;
}

// 2. When to draw ----------------------------------------------------------------------------------------------
// A full frame of this interface costs Chromium's software GL (SwiftShader: headless machines, and
// browsers without a usable GPU) tens of milliseconds of CPU on the cores the study needs
// (docs/explorer.md has the figures).
// So frames are built on demand: for a few frames after any input (web/main.mjs) or any change
// the page makes (app::Waking), and on every frame while a widget is active or a mouse button is
// held (dragging) or a PNG of the canvas waits for a drawn frame. Otherwise the canvas keeps its
// last picture and the frame costs nothing. A built frame is presented only where its picture
// changed (app_present.cpp).
bool frame_wanted() {
    app::AppState& s = app::state();
    const ImGuiIO& io = ImGui::GetIO();
    bool held = false;
    for (bool down : io.MouseDown) held = held || down;
    if (held || ImGui::IsAnyItemActive() || io.WantTextInput || s.export_request == "png" || s.plot_png.pending ||
        s.audit_requested)
        return true;
    if (s.frames_wanted <= 0) return false;
    --s.frames_wanted;
    return true;
}

// The frame rate while the interface draws frame after frame (the mean of the last 60 intervals
// between consecutive drawn frames): what a user moving the mouse sees. Rests do not count.
struct FrameClock {
    double last_ms = 0.0;
    bool drew_last = false;
    double intervals[60] = {};
    int count = 0, at = 0;

    void drawn(double now_ms) {
        if (drew_last) {
            intervals[at] = now_ms - last_ms;
            at = (at + 1) % 60;
            count = count < 60 ? count + 1 : 60;
            double sum = 0.0;
            for (int i = 0; i < count; ++i) sum += intervals[i];
            app::state().fps = sum > 0.0 ? 1000.0 * count / sum : 0.0;
        }
        last_ms = now_ms;
        drew_last = true;
        app::state().frames_drawn += 1;
        stamp(app::state().built_at, now_ms);
    }

    // Appends a frame's time, keeping the newer half when the list is full.
    static void stamp(std::vector<double>& times, double ms) {
        if (times.size() >= app::AppState::kFrameTimes) times.erase(times.begin(), times.begin() + times.size() / 2);
        times.push_back(ms);
    }
} g_clock;

// True when every model's clean set (grid index 0) has arrived: a frame built now draws them all.
bool every_clean_set_present() {
    const app::AppState& s = app::state();
    if (s.models.empty()) return false;
    for (const auto& m : s.models)
        if (m.sets.empty() || !m.sets[0].present) return false;
    return true;
}

// 3. One frame --------------------------------------------------------------------------------------------------
void frame() {
    const double t0 = emscripten_get_now();
    if (fit_canvas()) app::request_frames(app::kInputFrames);
    if (!frame_wanted()) {
        g_clock.drew_last = false;
        return;
    }
    g_clock.drawn(t0);
    glfwPollEvents();
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = g_display;  // section 1: the canvas's size, whatever GLFW believes
    io.DisplayFramebufferScale = ImVec2(1, 1);
    app::AppState& st = app::state();
    if (fit_scale(io.DisplaySize.x, io.DisplaySize.y)) st.redraw_all = true;
    // A PNG (the canvas, or one plot a menu asked for) is taken from a frame drawn as if the mouse
    // were away: no hover highlight, no tooltip, no menu over what is saved.
    app::AppState::PlotPng& pp = st.plot_png;
    if (pp.pending && pp.wait > 0) {
        --pp.wait;
        app::request_frames(app::kDataFrames);
    }
    const bool plot_shot = pp.pending && pp.wait == 0, canvas_shot = st.export_request == "png";
    // A press since the last frame is seen where it happened (AppState::press_pos); the next
    // frame reads the pointer's place again.
    if (st.press_pending && !plot_shot && !canvas_shot) {
        io.MousePos = st.press_pos;
        st.press_pending = false;
    }
    if (plot_shot || canvas_shot) {
        io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
        app::request_frames(app::kDataFrames);  // and the next frame as the mouse really is
    }
    // The browser's clock can repeat a timestamp; ImGui asserts on a zero step.
    if (!(io.DeltaTime > 0.0f)) io.DeltaTime = 1.0f / 60.0f;
    st.help_shown.clear();
    app::audit_begin_frame();
    ImGui::NewFrame();
    app::draw_panels(io.DisplaySize.x, io.DisplaySize.y);
    ImGui::Render();
    app::audit_end_frame();
    const int w = int(g_display.x), h = int(g_display.y);
    ImDrawData* dd = ImGui::GetDrawData();
    st.frame_vertices = dd->TotalVtxCount;
    // Only what changed since the last presented frame is drawn (app_present.cpp).
    const bool full = st.redraw_all;
    st.redraw_all = false;
    if (app::present(*dd, w, h, full)) {
        const double shown = emscripten_get_now();
        st.frames_presented += 1;
        FrameClock::stamp(st.presented_at, shown);
        if (st.first_complete_ms < 0.0 && every_clean_set_present()) st.first_complete_ms = shown;
    }
    st.frame_ms = emscripten_get_now() - t0;
    // The canvas as PNG, now that it holds this frame (the drawing buffer is kept between frames).
    if (canvas_shot) {
        st.export_request.clear();
        EM_ASM({
            if (Module.onCanvasDrawn) Module.onCanvasDrawn();
        });
    }
    // The cancel button: the page stops the study at once (not at its next poll).
    if (st.cancel_requested) {
        st.cancel_requested = false;
        EM_ASM({
            if (Module.onCancel) Module.onCancel();
        });
    }
    // One plot as PNG: the page crops the same freshly drawn canvas to the plot's rectangle.
    if (plot_shot) {
        pp.pending = false;
        EM_ASM(
            {
                if (Module.onPlotDrawn) Module.onPlotDrawn($0, $1, $2, $3, UTF8ToString($4));
            },
            pp.x, pp.y, pp.w, pp.h, pp.name.c_str());
    }
}

}  // namespace

// 4. main -----------------------------------------------------------------------------------------------------------
int main() {
    if (!glfwInit()) {
        EM_ASM(console.error("strata_app: glfwInit failed"));
        return 1;
    }
    glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    // The WebGL2 context itself comes from the page (web/main.mjs: preinitializedWebGLContext),
    // made with the attributes this loop relies on: a drawing buffer kept between frames.
    double w = 1280, h = 800;
    emscripten_get_element_css_size("#canvas", &w, &h);
    g_window = glfwCreateWindow(int(w), int(h), "Strata", nullptr, nullptr);
    g_display = ImVec2(float(int(w)), float(int(h)));
    if (!g_window) {
        EM_ASM(console.error("strata_app: no WebGL2 context (glfwCreateWindow failed)"));
        return 1;
    }
    glfwMakeContextCurrent(g_window);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;  // layout lives in the URL later, not in storage
    ImGui::StyleColorsDark();
    ImGui::GetStyle().WindowRounding = 3.0f;
    // Popups and tooltips opaque: a combo's list over a plot must not show the plot through it.
    ImGui::GetStyle().Colors[ImGuiCol_PopupBg].w = 1.0f;
    g_base_style = ImGui::GetStyle();
    build_fonts();
    ImGui_ImplGlfw_InitForOpenGL(g_window, true);
    // The wheel comes from section 1b instead of GLFW's scroll callback (wrong unit and sign).
    glfwSetScrollCallback(g_window, nullptr);
    emscripten_set_wheel_callback("#canvas", nullptr, EM_TRUE, on_wheel);
    ImGui_ImplOpenGL3_Init("#version 300 es");

    app::request_frames(app::kInputFrames);  // the first frames, before anything arrives
    // Keeps the runtime alive after main returns (throws 'unwind'); the browser drives frames.
    emscripten_set_main_loop(frame, 0, true);
    return 0;
}
