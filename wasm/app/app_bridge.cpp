// app_bridge.cpp: the embind functions web/main.mjs calls on the interface module.
//
// Index: 1. results in (grid, models, one set at a time, labels, progress, a model that failed)
//        2. view state in and out (noise level, selection, model toggles; for the URL and tests)
//        3. settings in and out (the settings panel's Apply; the estimate and its confirmation;
//           the open-files buttons)
//        3b. the t-SNE view: requests out, progress and results in
//        4. the embind table
//
// Results come as the parsed JS objects of `strata characterize`'s JSON (one sets[] entry at a
// time), read with emscripten::val, so no JSON parser is needed in C++.
#include "app_images.hpp"
#include "app_present.hpp"
#include "app_state.hpp"
#include "js_value.hpp"
#include "settings.hpp"

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <cmath>
#include <string>

using emscripten::val;

namespace {

std::vector<double> doubles(const val& a) { return emscripten::vecFromJSArray<double>(a); }

std::array<int, 3> triple(const val& a) { return {a[0].as<int>(), a[1].as<int>(), a[2].as<int>()}; }

using app::has;

// 1. Results in --------------------------------------------------------------------------------------------
void set_grid(const val& sigmas, int n) {
    app::AppState& s = app::state();
    s.sigmas = doubles(sigmas);
    s.n = n;
    s.sigma_index = std::clamp(s.sigma_index, 0, std::max(0, int(s.sigmas.size()) - 1));
    for (auto& m : s.models) m.sets.assign(s.sigmas.size(), app::SetView{});
}

// A studied model: its name, kind, input [C, H, W], latent rule (from its plan) and architecture (one
// line, "" when unknown).
int add_model(const std::string& name, const std::string& kind, const val& input, const std::string& latent_rule,
              const std::string& architecture) {
    app::AppState& s = app::state();
    app::ModelView m;
    m.name = name;
    m.kind = kind;
    const std::vector<int> in = emscripten::vecFromJSArray<int>(input);
    if (in.size() == 3) m.input = {in[0], in[1], in[2]};
    m.latent_rule = latent_rule;
    m.architecture = architecture;
    m.sets.assign(s.sigmas.size(), app::SetView{});
    s.models.push_back(std::move(m));
    return int(s.models.size()) - 1;
}

// Before a rerun: results and what refers to them (a highlighted stratum may no longer exist).
void clear_models() {
    app::state().models.clear();
    app::state().highlight = {};
    const bool show = app::state().tsne.show;
    app::state().tsne = {};
    app::state().tsne.show = show;
}

// A set's "bandwidth_scan" {hilbert_dim, mean_angle_deg, max_angle_deg (noisy sets)}; null entries
// (an empty subspace) and the clean set's absent angles read as NaN.
void scan_from(const val& scan, app::SetView& v) {
    const auto numbers = [&scan](const char* key, std::size_t n) {
        std::vector<double> out(n, NAN);
        if (!has(scan, key)) return out;
        for (std::size_t i = 0; i < n && i < scan[key]["length"].as<std::size_t>(); ++i)
            if (scan[key][i].isNumber()) out[i] = scan[key][i].as<double>();
        return out;
    };
    v.scan_hilbert_dim = emscripten::vecFromJSArray<int>(scan["hilbert_dim"]);
    v.scan_mean_angle = numbers("mean_angle_deg", v.scan_hilbert_dim.size());
    v.scan_max_angle = numbers("max_angle_deg", v.scan_hilbert_dim.size());
}

// One entry of a model's sets[] (with psnr_mean / psnr_std) at grid index k.
void set_result(int model, int k, const val& set, double bandwidth) {
    app::AppState& s = app::state();
    if (model < 0 || std::size_t(model) >= s.models.size()) return;
    app::ModelView& m = s.models[std::size_t(model)];
    if (k < 0 || std::size_t(k) >= m.sets.size()) return;
    m.bandwidth = bandwidth;
    app::SetView v;
    v.sigma = set["sigma"].as<double>();
    const unsigned n = set["ranks"]["length"].as<unsigned>();
    for (unsigned i = 0; i < n; ++i) v.ranks.push_back(triple(set["ranks"][i]));
    const unsigned ns = set["strata"]["length"].as<unsigned>();
    for (unsigned i = 0; i < ns; ++i)
        v.strata.push_back({triple(set["strata"][i]["ranks"]), set["strata"][i]["count"].as<int>()});
    v.smooth = set["smooth"].as<bool>();
    v.hilbert_dim = set["hilbert_dim"].as<int>();
    v.kernel_spectrum = doubles(set["kernel_spectrum"]);
    v.kernel_min_eigenvalue = set["kernel_min_eigenvalue"].as<double>();
    const unsigned ne = set["embedding_2d"]["length"].as<unsigned>();
    for (unsigned i = 0; i < ne; ++i)
        v.embedding.push_back({set["embedding_2d"][i][0].as<double>(), set["embedding_2d"][i][1].as<double>()});
    if (has(set, "principal_angles_deg")) v.angles_deg = doubles(set["principal_angles_deg"]);
    if (has(set, "cross_stratum_pairs")) v.cross_stratum_pairs = set["cross_stratum_pairs"].as<long long>();
    if (has(set, "fixed_rank_ambiguous_pairs"))
        v.fixed_rank_ambiguous_pairs = set["fixed_rank_ambiguous_pairs"].as<long long>();
    v.psnr_mean = has(set, "psnr_mean") ? set["psnr_mean"].as<double>() : 0.0;
    v.psnr_std = has(set, "psnr_std") ? set["psnr_std"].as<double>() : 0.0;
    if (has(set, "bandwidth_scan")) scan_from(set["bandwidth_scan"], v);
    v.present = true;
    m.sets[std::size_t(k)] = std::move(v);
}

// Each sample's class index (-1: none) and the classes' names ([] when the images name none).
void set_labels(const val& labels, const val& class_names) {
    app::state().labels = emscripten::vecFromJSArray<int>(labels);
    app::state().class_names = emscripten::vecFromJSArray<std::string>(class_names);
}

app::InputShape shape_from(const val& shape) {
    const std::vector<int> v = emscripten::vecFromJSArray<int>(shape);
    return v.size() == 3 ? app::InputShape{v[0], v[1], v[2]} : app::InputShape{1, 0, 0};
}

// The clean images of the N samples at one input shape [C, H, W] (Uint8Array, C x H x W bytes
// each), for the tooltip; clearImages() drops every shape's (before a rerun).
void set_clean_images(const val& shape, const val& bytes) {
    app::set_clean_images(shape_from(shape), emscripten::convertJSArrayToNumberVector<unsigned char>(bytes));
}

// The sample strip for `key` ("model/sigma index/sample"): three Float32Arrays of `shape`.
void set_sample_strip(const std::string& key, const val& shape, const val& clean, const val& noisy, const val& recon,
                      double psnr) {
    app::SampleStrip& st = app::sample_strip();
    const app::InputShape sh = shape_from(shape);
    st.key = key;
    st.clean.set(emscripten::convertJSArrayToNumberVector<float>(clean), sh);
    st.noisy.set(emscripten::convertJSArrayToNumberVector<float>(noisy), sh);
    st.recon.set(emscripten::convertJSArrayToNumberVector<float>(recon), sh);
    st.psnr = psnr;
}

void set_progress(double fraction, const std::string& status) {
    app::state().progress = float(std::clamp(fraction, 0.0, 1.0));
    app::state().status = status;
}

void set_error(const std::string& error) { app::state().error = error; }

// A model the study could not run (at any noise level): why, naming the file. The other models go on.
void set_model_failed(int model, const std::string& reason) {
    app::AppState& s = app::state();
    if (model >= 0 && std::size_t(model) < s.models.size()) s.models[std::size_t(model)].failed = reason;
}

// 2. View state ----------------------------------------------------------------------------------------------
val view_state() {
    const app::AppState& s = app::state();
    val o = val::object();
    o.set("sigmaIndex", s.sigma_index);
    o.set("sigma", app::selected_sigma());
    o.set("selectedSample", s.selected_sample);
    o.set("hoveredSample", s.hovered_sample);
    o.set("stripKey", app::sample_strip().key);  // which sample's images the strip holds
    val hl = val::object();
    hl.set("active", s.highlight.active);
    hl.set("model", s.highlight.model);
    hl.set("k", s.highlight.k);
    val ranks = val::array();
    for (int r : s.highlight.ranks) ranks.call<void>("push", r);
    hl.set("ranks", ranks);
    o.set("highlight", hl);
    o.set("kpcaModel", s.kpca_model);
    val enabled = val::array();
    for (const auto& m : s.models) enabled.call<void>("push", m.enabled);
    o.set("modelsEnabled", enabled);
    o.set("fps", s.fps);
    o.set("framesDrawn", s.frames_drawn);
    o.set("framesPresented", s.frames_presented);
    o.set("firstCompleteFrame", s.first_complete_ms);
    o.set("frameVertices", s.frame_vertices);
    o.set("frameMs", s.frame_ms);
    o.set("frameRedrawn", app::last_present().redrawn);  // fraction of the canvas drawn again
    o.set("frameRects", app::last_present().rects);
    val rects = val::object();
    for (const auto& [name, r] : s.rects) rects.set(name, app::rect_js(r.x, r.y, r.w, r.h));
    o.set("rects", rects);
    val texts = val::object();
    for (const auto& [name, t] : s.texts) texts.set(name, t);
    o.set("texts", texts);
    val helps = val::object();  // help on hover by widget name, and the one shown in the last frame
    for (const auto& [name, t] : s.helps) helps.set(name, t);
    o.set("helps", helps);
    o.set("helpShown", s.help_shown);
    o.set("uiScale", s.ui_scale);
    o.set("display", std::to_string(int(ImGui::GetIO().DisplaySize.x)) + "x" +
                         std::to_string(int(ImGui::GetIO().DisplaySize.y)));  // the canvas as ImGui sees it
    o.set("summary", app::finding_summary());
    val tsne = val::object();
    tsne.set("show", s.tsne.show);
    tsne.set("computing", s.tsne.computing || s.tsne.requested);
    tsne.set("model", s.tsne.model);
    tsne.set("k", s.tsne.k);
    tsne.set("iteration", s.tsne.iteration);
    o.set("tsne", tsne);
    return o;
}

// When frames were built and presented (ms, performance.now()), each list from `since` on.
val frame_times(double since) {
    auto after = [since](const std::vector<double>& t) {
        const auto from = std::upper_bound(t.begin(), t.end(), since);
        const std::size_t at = std::size_t(from - t.begin());
        return val::global("Float64Array").new_(emscripten::typed_memory_view(t.size() - at, t.data() + at));
    };
    val o = val::object();
    o.set("built", after(app::state().built_at));
    o.set("presented", after(app::state().presented_at));
    return o;
}

void set_sigma_index(int k) {
    app::AppState& s = app::state();
    s.sigma_index = std::clamp(k, 0, std::max(0, int(s.sigmas.size()) - 1));
}
void set_selected_sample(int i) { app::state().selected_sample = std::max(-1, i); }
void set_model_enabled(int model, bool on) {
    app::AppState& s = app::state();
    if (model >= 0 && std::size_t(model) < s.models.size()) s.models[std::size_t(model)].enabled = on;
}
void set_kpca_model(int model) { app::state().kpca_model = std::max(0, model); }

// 3. Settings ------------------------------------------------------------------------------------------------
// Keys as in the page's params: n, vae_latent, and geometry {metric, energy, rank_rtol, bandwidth,
// centered, bandwidth_scan} with null for the default rule / the median heuristic / no scan.
val settings_to_js(const app::Settings& e) {
    val o = val::object();
    o.set("n", e.n);
    o.set("vae_latent", e.vae_latent);
    val g = val::object();
    g.set("metric", e.metric);
    g.set("energy", e.energy);
    g.set("rank_rtol", e.rank_rtol_default ? val::null() : val(e.rank_rtol));
    g.set("bandwidth", e.bandwidth_median ? val::null() : val(e.bandwidth));
    g.set("centered", e.centered);
    val factors = val::null();
    if (e.bandwidth_scan) {
        factors = val::array();
        for (double f : strata::default_bandwidth_factors()) factors.call<void>("push", f);
    }
    g.set("bandwidth_scan", factors);
    o.set("geometry", g);
    return o;
}

void set_settings(const val& o) {
    app::Settings e;
    e.n = o["n"].as<int>();
    e.vae_latent = o["vae_latent"].as<std::string>();
    const val g = o["geometry"];
    e.metric = g["metric"].as<std::string>();
    e.energy = g["energy"].as<double>();
    e.rank_rtol_default = !has(g, "rank_rtol");
    if (!e.rank_rtol_default) e.rank_rtol = g["rank_rtol"].as<double>();
    e.bandwidth_median = !has(g, "bandwidth");
    if (!e.bandwidth_median) e.bandwidth = g["bandwidth"].as<double>();
    e.centered = g["centered"].as<bool>();
    e.bandwidth_scan = has(g, "bandwidth_scan");
    app::state().applied = e;
    app::state().edited = e;
}

// The edited settings when Apply was pressed since the last call, else null.
val take_settings_request() {
    app::AppState& s = app::state();
    if (!s.apply_requested) return val::null();
    s.apply_requested = false;
    return settings_to_js(s.edited);
}

void set_busy(bool busy) { app::state().busy = busy; }

void set_available_models(const val& names) { app::state().available_models = app::strings_of(names); }

// The name of the model whose "add" button was pressed since the last call, else "".
std::string take_add_model_request() {
    std::string out;
    out.swap(app::state().add_model_request);
    return out;
}

// "json" or "csv" when that export button was pressed since the last call, else "" (PNG exports are
// handled in the frame loop, app_main.cpp).
std::string take_export_request() {
    std::string& r = app::state().export_request;
    if (r == "png") return "";
    std::string out;
    out.swap(r);
    return out;
}

// A study's estimate (ms; 0: none), shown with the time left while it runs, from now.
void set_estimate(double ms) {
    app::state().estimate_ms = ms;
    app::state().started_ms = ImGui::GetTime() * 1000.0;
}

// Asks the user to confirm a run estimated at `ms` ("what" says what it runs); 0 takes the question away.
void ask_confirm(double ms, const std::string& what) {
    app::state().confirm_ms = ms;
    app::state().confirm_what = what;
    app::state().confirm_answer = 0;
}

// The user's answer since the last call: 1 run, -1 do not, 0 none yet (the question then stays).
int take_confirm_answer() {
    app::AppState& s = app::state();
    const int a = s.confirm_answer;
    s.confirm_answer = 0;
    if (a) s.confirm_ms = 0;
    return a;
}

// "files" or "folder" when that open button was pressed since the last call, else "".
std::string take_open_request() {
    app::AppState& s = app::state();
    const std::string out = s.drop_requested_files ? "files" : s.drop_requested_folder ? "folder" : "";
    s.drop_requested_files = s.drop_requested_folder = false;
    return out;
}

// 3b. The t-SNE view ------------------------------------------------------------------------------------------
// {model, k} when the view asked for a t-SNE since the last call (it is then computing), else null.
val take_tsne_request() {
    app::AppState::Tsne& t = app::state().tsne;
    if (!t.requested) return val::null();
    t.requested = false;
    t.computing = true;
    t.iteration = 0;
    val o = val::object();
    o.set("model", t.want_model);
    o.set("k", t.want_k);
    return o;
}

void set_tsne_progress(int iteration, int iterations) {
    app::state().tsne.iteration = iteration;
    app::state().tsne.iterations = iterations;
}

// The result for (model, k): coords holds x, y per point, the n_clean clean points first. An
// empty coords (an error, shown by the page) only ends the computation.
void set_tsne(int model, int k, const val& coords, int n_clean) {
    app::AppState::Tsne& t = app::state().tsne;
    t.computing = false;
    const std::vector<double> xy = emscripten::convertJSArrayToNumberVector<double>(coords);
    if (xy.empty()) return;
    t.model = model;
    t.k = k;
    t.clean.clear();
    t.noisy.clear();
    for (std::size_t i = 0; i + 1 < xy.size(); i += 2)
        (int(i / 2) < n_clean ? t.clean : t.noisy).push_back({xy[i], xy[i + 1]});
}

}  // namespace

// 4. The embind table ----------------------------------------------------------------------------------------------
EMSCRIPTEN_BINDINGS(strata_app) {
    emscripten::function("setGrid", &app::Waking<&set_grid>::call);
    emscripten::function("addModel", &app::Waking<&add_model>::call);
    emscripten::function("clearModels", &app::Waking<&clear_models>::call);
    emscripten::function("setResult", &app::Waking<&set_result>::call);
    emscripten::function("setLabels", &app::Waking<&set_labels>::call);
    emscripten::function("setCleanImages", &app::Waking<&set_clean_images>::call);
    emscripten::function("clearImages", &app::Waking<&app::clear_clean_images>::call);
    emscripten::function("setSampleStrip", &app::Waking<&set_sample_strip>::call);
    emscripten::function("setProgress", &app::Waking<&set_progress>::call);
    emscripten::function("setError", &app::Waking<&set_error>::call);
    emscripten::function("setModelFailed", &app::Waking<&set_model_failed>::call);
    emscripten::function("viewState", &view_state);
    emscripten::function("frameTimes", &frame_times);
    emscripten::function(
        "requestFrames", +[] { app::request_frames(app::kInputFrames); });
    // The next frame draws the whole canvas (tests compare it with the partly redrawn one).
    emscripten::function(
        "redrawAll", +[] {
            app::state().redraw_all = true;
            app::request_frames(1);
        });
    emscripten::function(
        "pointerPressed", +[](double x, double y) {
            app::state().press_pending = true;
            app::state().press_pos = ImVec2(float(x), float(y));
            app::request_frames(app::kInputFrames);
        });
    emscripten::function("setSigmaIndex", &app::Waking<&set_sigma_index>::call);
    emscripten::function("setSelectedSample", &app::Waking<&set_selected_sample>::call);
    emscripten::function("setModelEnabled", &app::Waking<&set_model_enabled>::call);
    emscripten::function("setKpcaModel", &app::Waking<&set_kpca_model>::call);
    emscripten::function("setSettings", &app::Waking<&set_settings>::call);
    emscripten::function("takeSettingsRequest", &take_settings_request);
    emscripten::function("setBusy", &app::Waking<&set_busy>::call);
    emscripten::function("takeExportRequest", &take_export_request);
    emscripten::function("setAvailableModels", &app::Waking<&set_available_models>::call);
    emscripten::function("takeAddModelRequest", &take_add_model_request);
    emscripten::function("takeTsneRequest", &take_tsne_request);
    emscripten::function("setEstimate", &app::Waking<&set_estimate>::call);
    emscripten::function("askConfirm", &app::Waking<&ask_confirm>::call);
    emscripten::function("takeConfirmAnswer", &take_confirm_answer);
    emscripten::function("takeOpenRequest", &take_open_request);
    emscripten::function("setTsneProgress", &app::Waking<&set_tsne_progress>::call);
    emscripten::function("setTsne", &app::Waking<&set_tsne>::call);
}
