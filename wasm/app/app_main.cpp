// app_main.cpp: the window, Dear ImGui's set-up and the frame loop of the explorer.
//
// Index: 1. canvas size  2. one frame  3. main (GLFW + WebGL2 context, ImGui backends, loop)
//
// The page (web/main.mjs) creates this module with its <canvas>; results arrive through
// app_bridge.cpp between frames. The browser calls frame() once per animation frame.
#include "app_panels.hpp"
#include "app_state.hpp"
#include "imgui.h"
#include "imgui_impl_glfw.h"
#include "imgui_impl_opengl3.h"

#include <GLES3/gl3.h>
#include <GLFW/glfw3.h>
#include <emscripten.h>
#include <emscripten/html5.h>

namespace {

GLFWwindow* g_window = nullptr;

// 1. Canvas size: follow the canvas's CSS size (the page lays it out), so the drawing buffer
// always matches what is shown and mouse coordinates map 1:1.
void fit_canvas() {
    double w = 0, h = 0;
    emscripten_get_element_css_size("#canvas", &w, &h);
    int cw = 0, ch = 0;
    glfwGetWindowSize(g_window, &cw, &ch);
    if (w >= 1 && h >= 1 && (int(w) != cw || int(h) != ch)) glfwSetWindowSize(g_window, int(w), int(h));
}

// 2. One frame --------------------------------------------------------------------------------------------------
void frame() {
    fit_canvas();
    glfwPollEvents();
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGuiIO& io = ImGui::GetIO();
    // The browser's clock can repeat a timestamp; ImGui asserts on a zero step.
    if (!(io.DeltaTime > 0.0f)) io.DeltaTime = 1.0f / 60.0f;
    ImGui::NewFrame();
    app::state().fps = double(io.Framerate);
    app::draw_panels(io.DisplaySize.x, io.DisplaySize.y);
    ImGui::Render();
    int w = 0, h = 0;
    glfwGetFramebufferSize(g_window, &w, &h);
    glViewport(0, 0, w, h);
    glClearColor(0.08f, 0.08f, 0.10f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    // The canvas as PNG must be read in the task that drew it (the drawing buffer is not preserved).
    if (app::state().export_request == "png") {
        app::state().export_request.clear();
        EM_ASM({ if (Module.onCanvasDrawn) Module.onCanvasDrawn(); });
    }
    // One plot as PNG: the page crops the same freshly drawn canvas to the plot's rectangle.
    app::AppState::PlotPng& pp = app::state().plot_png;
    if (pp.pending) {
        pp.pending = false;
        EM_ASM({ if (Module.onPlotDrawn) Module.onPlotDrawn($0, $1, $2, $3, UTF8ToString($4)); },
               pp.x, pp.y, pp.w, pp.h, pp.name.c_str());
    }
}

}  // namespace

// 3. main -----------------------------------------------------------------------------------------------------------
int main() {
    if (!glfwInit()) {
        EM_ASM(console.error("strata_app: glfwInit failed"));
        return 1;
    }
    glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    double w = 1280, h = 800;
    emscripten_get_element_css_size("#canvas", &w, &h);
    g_window = glfwCreateWindow(int(w), int(h), "Strata", nullptr, nullptr);
    if (!g_window) {
        EM_ASM(console.error("strata_app: no WebGL2 context (glfwCreateWindow failed)"));
        return 1;
    }
    glfwMakeContextCurrent(g_window);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;   // layout lives in the URL later, not in storage
    ImGui::StyleColorsDark();
    ImGui::GetStyle().WindowRounding = 3.0f;
    ImGui_ImplGlfw_InitForOpenGL(g_window, true);
    ImGui_ImplOpenGL3_Init("#version 300 es");

    // Keeps the runtime alive after main returns (throws 'unwind'); the browser drives frames.
    emscripten_set_main_loop(frame, 0, true);
    return 0;
}
