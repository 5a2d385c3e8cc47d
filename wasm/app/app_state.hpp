// app_state.hpp: everything the interface shows, and the view state the user changes.
//
// Index: 1. SetView (one model at one noise level)  2. ModelView  3. Settings  4. AppState  5. helpers
//
// Why plain structs: the page (web/main.mjs) fills them from the worker's results as they arrive
// (app_bridge.cpp); the panels (app_panels.cpp) only read them and change the view state. A set
// not yet computed has present == false, and every panel draws what is there so far.
#pragma once
#include "imgui.h"

#include <array>
#include <map>
#include <string>
#include <vector>

namespace app {

// 1. One set: the fields of `strata characterize`'s sets[] that the panels draw -------------------------
struct StratumRow {
    std::array<int, 3> ranks{};
    int count = 0;
};

struct SetView {
    bool present = false;
    double sigma = 0.0;
    std::vector<std::array<int, 3>> ranks;  // per sample
    std::vector<StratumRow> strata;         // most frequent first
    bool smooth = false;
    int hilbert_dim = 0;
    std::vector<double> kernel_spectrum;  // centred kernel eigenvalues, descending
    double kernel_min_eigenvalue = 0.0;
    std::vector<std::array<double, 2>> embedding;  // kernel-PCA coordinates per sample
    std::vector<double> angles_deg;                // noisy sets: principal angles vs clean, ascending
    long long cross_stratum_pairs = -1;            // fixed-rank only (-1: not reported)
    long long fixed_rank_ambiguous_pairs = -1;     // fixed-rank only: pairs that needed the zero-cosine rule
    double psnr_mean = 0.0, psnr_std = 0.0;
    // The bandwidth scan (docs/method.md, "Bandwidth scan"), one entry per factor of
    // strata::default_bandwidth_factors(); empty when it was not computed. Angles NaN for the clean set.
    std::vector<int> scan_hilbert_dim;
    std::vector<double> scan_mean_angle, scan_max_angle;
};

// 2. One model -------------------------------------------------------------------------------------------
struct ModelView {
    std::string name, kind;
    std::array<int, 3> input{1, 28, 28};  // the encoder's image: C, H, W (its plan)
    std::string latent_rule;              // how the plan chose the latent output
    std::string architecture;             // how it was built ("norm batch, ..."), "" when unknown
    bool enabled = true;
    std::string failed;  // why the study could not run this model (names the file); empty: it did
    double bandwidth = 0.0;
    std::vector<SetView> sets;  // one per sigma of the grid, clean first
};

// 3. The settings of a study (docs/method.md names), as the settings panel edits them ------------------------
struct Settings {
    std::string metric = "log-euclidean";
    double energy = 0.95;
    bool rank_rtol_default = true;  // the rule max(I_n, m_n) * 2^-23
    double rank_rtol = 1e-5;
    bool bandwidth_median = true;  // the median heuristic on the clean set
    double bandwidth = 1.0;
    bool centered = true;
    std::string vae_latent = "sample";
    int n = 300;
    bool bandwidth_scan = false;  // also compute the bandwidth scan (the default factors)
    bool operator==(const Settings& o) const {
        return metric == o.metric && energy == o.energy && rank_rtol_default == o.rank_rtol_default &&
               (rank_rtol_default || rank_rtol == o.rank_rtol) && bandwidth_median == o.bandwidth_median &&
               (bandwidth_median || bandwidth == o.bandwidth) && centered == o.centered && vae_latent == o.vae_latent &&
               n == o.n && bandwidth_scan == o.bandwidth_scan;
    }
    bool operator!=(const Settings& o) const { return !(*this == o); }
};

// 4. The whole state ----------------------------------------------------------------------------------------
struct AppState {
    // Data (from the page).
    std::vector<double> sigmas;  // the noise grid, sigmas[0] == 0
    std::vector<ModelView> models;
    std::vector<int> labels;               // class index of each sample, -1 for none
    std::vector<std::string> class_names;  // the classes' names (may be empty: "class k")
    int n = 0;                             // samples per set
    float progress = 0.0f;                 // 0..1 of the whole study
    std::string status = "loading";
    std::string error;             // shown in red when not empty
    bool busy = true;              // the worker is computing
    Settings applied;              // what the shown results were computed with
    Settings edited;               // the settings panel's values
    bool apply_requested = false;  // Apply pressed; the page takes the request
    std::string export_request;    // "json" | "csv" | "png" pressed; the page takes it
    // Bundled models loaded but not in the study (the page studies the paper's models first);
    // pressing one's button asks the page to add it (the page takes the name).
    std::vector<std::string> available_models;
    std::string add_model_request;

    // View state (the user's; also read and written by the page for the URL and tests).
    int sigma_index = 0;       // selected noise level in the grid
    int selected_sample = -1;  // -1: none
    int kpca_model = 0;        // model shown in the kernel-PCA and spectrum views
    int hovered_sample = -1;   // under the mouse in the kernel-PCA view (-1: none)
    enum class ColorBy { Set, Class, Stratum };
    ColorBy color_by = ColorBy::Set;  // colouring of the kernel-PCA points
    struct Highlight {                // a strata-table row: its members are highlighted
        bool active = false;
        int model = 0, k = 0;  // the model and grid index of the row's set
        std::array<int, 3> ranks{};
    } highlight;
    // The t-SNE view of the kernel-PCA panel: computed by the worker on request (the page takes
    // the request), for one model and one grid index; clean points first, then that sigma's.
    struct Tsne {
        bool show = false;       // the panel shows t-SNE instead of kernel PCA
        bool requested = false;  // a computation is asked for (model, k below)
        bool computing = false;
        int want_model = 0, want_k = 0;     // what was asked for
        int iteration = 0, iterations = 0;  // progress of the running computation
        int model = -1, k = -1;             // what `clean` and `noisy` are of (-1: nothing yet)
        std::vector<std::array<double, 2>> clean, noisy;
    } tsne;
    // A plot to save as PNG (its right-click menu): the canvas region is read after the frame is
    // drawn (app_main.cpp), as for the whole canvas.
    struct PlotPng {
        bool pending = false;
        int wait = 0;  // frames to build before the one taken (the menu that asked must be gone)
        float x = 0, y = 0, w = 0, h = 0;
        std::string name;  // file name stem (the plot's id)
    } plot_png;

    // Panel layout: each panel's first placement (from the canvas size) and where it is now, so the
    // page can keep moved panels in the URL; `restore` holds places from a URL not applied yet.
    struct Panel {
        const char* title = "";        // the window's title (draw_panels)
        ImVec2 first_pos, first_size;  // the default arrangement (draw_panels)
        ImVec2 pos, size;              // now (size: uncollapsed)
        bool collapsed = false;
        bool seen = false;         // drawn at least once
        bool user_placed = false;  // moved, resized or collapsed by the user (or a link): it stays there
    };
    std::array<Panel, 9> panels;
    struct Place {
        int panel = 0;
        float x = 0, y = 0, w = 0, h = 0;
        bool collapsed = false;
    };
    std::vector<Place> restore;
    std::vector<std::string> messages;  // lines for the user (bad files, ignored URL values), oldest first
    std::size_t messages_seen = 0;      // lines the messages panel has scrolled to (it follows new ones)

    // Drawing on demand (app_main.cpp): frames the loop still builds before it rests.
    int frames_wanted = 0;
    bool redraw_all = false;  // the next frame draws the whole canvas (app_present.cpp)
    // Where the last mouse press happened, until a frame has seen it (web/main.mjs reports it):
    // the pointer may have moved on before the next frame, and ImGui 1.86's backend reads the
    // pointer's place at the frame, so a quick press-and-drag would land elsewhere.
    bool press_pending = false;
    ImVec2 press_pos;

    // Measurements and test surface.
    double fps = 0.0;             // frames/s while drawing frame after frame (app_main.cpp)
    double frames_drawn = 0;      // frames built since start (double: a JS number)
    double frames_presented = 0;  // of those, frames whose picture changed (sent to WebGL)
    // When each frame was built and when each was presented (ms on the page's performance.now()
    // clock), for frame-rate figures measured frame by frame; the oldest half is dropped when a
    // list reaches kFrameTimes.
    static constexpr std::size_t kFrameTimes = 1 << 16;
    std::vector<double> built_at, presented_at;
    // The first presented frame that drew the clean set of every model (ms, performance.now());
    // -1 until then. The "first complete panel" of the page's timings.
    double first_complete_ms = -1.0;
    // The last drawn frame: ImGui's vertex and draw-call counts, and the milliseconds the
    // interface thread spent building and submitting it (not the GPU process's share).
    int frame_vertices = 0;
    double frame_ms = 0.0;
    struct Rect {
        float x = 0, y = 0, w = 0, h = 0;
    };
    // Canvas rectangles of widgets the tests drive with the mouse, by name (sigma_slider,
    // kpca_plot, settings_centered, settings_apply, ...), refreshed every frame they are drawn.
    std::map<std::string, Rect> rects;
    // The text shown by text_fit() under the same names (cut ones end in "..."), for the tests.
    std::map<std::string, std::string> texts;
    // Help on hover (help()): each widget's text by name, and the one shown this frame ("" if none).
    std::map<std::string, std::string> helps;
    std::string help_shown;
    // The interface's scale: 1 up to 1400 x 900, larger on larger canvases (app_main.cpp picks the
    // font of that size; the plots scale their margins with it).
    float ui_scale = 1.0f;
    // The layout audit (app_audit.cpp): every labelled ImGui item of one frame with its rectangle
    // and the clipping rectangle it was drawn in, and every plot's tick labels, for the tests.
    struct AuditItem {
        std::string window, label, kind;  // kind: "item" (ImGui's) or "tick" (a plot's tick label)
        Rect box, clip;
        float label_w = 0;  // the visible label's width
    };
    bool audit_requested = false, audit_running = false, audit_ready = false;
    std::vector<AuditItem> audit;
    // The running study: an estimate of its time (ms, 0: none), when it started (ms, performance.now()),
    // and a press of the cancel button. A settings change estimated long waits for the user's
    // confirmation (web/main.mjs decides), with its estimate (confirm_ms > 0).
    double estimate_ms = 0.0, started_ms = 0.0, confirm_ms = 0.0;
    std::string confirm_what;           // what the confirmation runs (its words)
    bool cancel_requested = false;      // the cancel button (the frame loop tells the page at once)
    int confirm_answer = 0;             // 1: run, -1: do not (the page takes it)
    bool drop_requested_files = false;  // "open files..." pressed (the page opens its file input)
    bool drop_requested_folder = false;
};

AppState& state();

// Asks the frame loop for the next few frames (app_main.cpp draws only when something can look
// different): after input (web/main.mjs: kInputFrames) and after every change the page makes
// (below: kDataFrames).
constexpr int kInputFrames = 4, kDataFrames = 3;
void request_frames(int frames);

// A setter of the embind tables that also asks for frames: Waking<&set_x>::call. Every function
// the page calls to change what is shown goes through it, so no change waits for the next input.
template <auto F>
struct Waking;
template <typename R, typename... A, R (*F)(A...)>
struct Waking<F> {
    static R call(A... a) {
        request_frames(kDataFrames);
        return F(a...);
    }
};

// 5. Helpers -------------------------------------------------------------------------------------------------
// The selected noise level, or 0 when the grid is still empty.
double selected_sigma();
// The model's set at grid index k when computed, else nullptr.
const SetView* set_at(const ModelView& m, int k);
// A colour per model index (stable, distinguishable on the dark theme).
ImU32 model_color(int i, float alpha = 1.0f);
// Fashion-MNIST class names, for tooltips.
std::string class_name(int label);  // "none" for -1
// Records the last drawn ImGui item's rectangle under `name` (see AppState::rects).
void record_rect(const std::string& name);
// `text` in the width left on the line (or `width` when > 0): cut with "..." when it does not fit,
// the whole text then in a tooltip on hover. Records its rectangle under `name` when given.
void text_fit(const std::string& text, ImU32 color = 0, float width = 0.0f, const std::string& name = "");
// Help on hover for the last drawn item: what it is, its docs/method.md name and unit. Kept under
// `name` in AppState::helps (tests read it), shown as a tooltip while the item is hovered.
void help(const std::string& name, const std::string& text);
// The layout audit (app_audit.cpp): the frame loop brackets each frame; plots add their tick labels
// (`box` drawn inside `area`).
void audit_begin_frame();
void audit_end_frame();
void audit_tick(const std::string& plot, const AppState::Rect& box, const AppState::Rect& area,
                const std::string& text);
// The finding in one line, from the results shown (app_summary.cpp).
std::string finding_summary();

}  // namespace app
