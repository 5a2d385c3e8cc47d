// app_view.cpp: the URL view state, between the page and the interface (embind).
//
// Index: 1. ViewState -> JS object (parseViewState)  2. JS object -> query (formatViewState)
//        3. the interface's own part of the view: colouring, t-SNE switch, panel layout, messages
//        4. the embind table
//
// The query is read and written by the core's view_state.cpp (std only, unit-tested and fuzzed);
// this file only converts between its ViewState and the plain JS object main.mjs works with:
//   {n, seed, vae_latent, models: [..], geometry: {metric, energy, rank_rtol|null, bandwidth|null,
//    centered}, sigma|null, sample, hide: [..], view, color, tsne, find, isolate, walk: [a, b]|null,
//    steps, layout: [{panel, x, y, w, h, collapsed}], problems: [..]}
#include "app_state.hpp"
#include "js_value.hpp"
#include "view_state.hpp"

#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>

using emscripten::val;

namespace {

val strings(const std::vector<std::string>& v) {
    val a = val::array();
    for (const std::string& s : v) a.call<void>("push", s);
    return a;
}

using app::has;
using app::strings_of;

// 1. Reading the URL ---------------------------------------------------------------------------------------
val parse_view_state(const std::string& query) {
    const strata::ViewState v = strata::parse_view_state(query);
    val o = val::object();
    o.set("n", v.n);
    o.set("seed", double(v.seed));
    o.set("vae_latent", v.vae_latent);
    o.set("models", strings(v.models));
    val g = val::object();
    g.set("metric", v.geometry.metric);
    g.set("energy", v.geometry.energy);
    g.set("rank_rtol", v.geometry.rank_rtol ? val(*v.geometry.rank_rtol) : val::null());
    g.set("bandwidth", v.geometry.bandwidth ? val(*v.geometry.bandwidth) : val::null());
    g.set("centered", v.geometry.centered);
    o.set("geometry", g);
    o.set("sigma", v.sigma ? val(*v.sigma) : val::null());
    o.set("sample", v.sample);
    o.set("hide", strings(v.hide));
    o.set("view", v.view);
    o.set("color", v.color);
    o.set("tsne", v.tsne);
    o.set("find", v.find);
    o.set("isolate", v.isolate);
    if (v.walk) {
        val ends = val::array();
        ends.call<void>("push", (*v.walk)[0]);
        ends.call<void>("push", (*v.walk)[1]);
        o.set("walk", ends);
    } else o.set("walk", val::null());
    o.set("steps", v.steps);
    val layout = val::array();
    for (const strata::PanelPlace& p : v.layout) {
        val q = val::object();
        q.set("panel", p.panel);
        q.set("x", p.x);
        q.set("y", p.y);
        q.set("w", p.w);
        q.set("h", p.h);
        q.set("collapsed", p.collapsed);
        layout.call<void>("push", q);
    }
    o.set("layout", layout);
    o.set("problems", strings(v.problems));
    return o;
}

// 2. Writing the URL: the same object's shape (missing keys keep their defaults) ---------------------
std::string format_view_state(const val& o) {
    strata::ViewState v;
    if (has(o, "n")) v.n = o["n"].as<int>();
    if (has(o, "seed")) v.seed = std::uint64_t(std::max(0.0, o["seed"].as<double>()));
    if (has(o, "vae_latent")) v.vae_latent = o["vae_latent"].as<std::string>();
    v.models = strings_of(o["models"]);
    if (has(o, "geometry")) {
        const val g = o["geometry"];
        if (has(g, "metric")) v.geometry.metric = g["metric"].as<std::string>();
        if (has(g, "energy")) v.geometry.energy = g["energy"].as<double>();
        if (has(g, "rank_rtol")) v.geometry.rank_rtol = g["rank_rtol"].as<double>();
        if (has(g, "bandwidth")) v.geometry.bandwidth = g["bandwidth"].as<double>();
        if (has(g, "centered")) v.geometry.centered = g["centered"].as<bool>();
    }
    if (has(o, "sigma")) v.sigma = o["sigma"].as<double>();
    if (has(o, "sample")) v.sample = o["sample"].as<int>();
    v.hide = strings_of(o["hide"]);
    if (has(o, "view")) v.view = o["view"].as<std::string>();
    if (has(o, "color")) v.color = o["color"].as<std::string>();
    if (has(o, "tsne")) v.tsne = o["tsne"].as<bool>();
    if (has(o, "find")) v.find = o["find"].as<std::string>();
    if (has(o, "isolate")) v.isolate = o["isolate"].as<bool>();
    if (has(o, "walk")) v.walk = std::array<int, 2>{o["walk"][0].as<int>(), o["walk"][1].as<int>()};
    if (has(o, "steps")) v.steps = o["steps"].as<int>();
    const val layout = o["layout"];
    if (layout.isArray())
        for (unsigned i = 0, n = layout["length"].as<unsigned>(); i < n; ++i) {
            const val q = layout[i];
            v.layout.push_back({q["panel"].as<int>(), q["x"].as<int>(), q["y"].as<int>(), q["w"].as<int>(),
                                q["h"].as<int>(), q["collapsed"].as<bool>()});
        }
    return strata::format_view_state(v);
}

// 3. The interface's part ------------------------------------------------------------------------------
void set_color_by(const std::string& c) {
    using C = app::AppState::ColorBy;
    app::state().color_by = c == "class" ? C::Class : c == "stratum" ? C::Stratum : C::Set;
}

std::string color_by() {
    using C = app::AppState::ColorBy;
    const C c = app::state().color_by;
    return c == C::Class ? "class" : c == C::Stratum ? "stratum" : "set";
}

void set_tsne_show(bool on) { app::state().tsne.show = on; }

// Places to apply once each panel is next drawn: [{panel, x, y, w, h, collapsed}].
void set_layout(const val& layout) {
    app::AppState& s = app::state();
    s.restore.clear();
    for (unsigned i = 0, n = layout["length"].as<unsigned>(); i < n; ++i) {
        const val q = layout[i];
        const int panel = q["panel"].as<int>();
        if (panel < 0 || panel >= int(s.panels.size())) continue;
        s.restore.push_back({panel, q["x"].as<float>(), q["y"].as<float>(), q["w"].as<float>(), q["h"].as<float>(),
                             q["collapsed"].as<bool>()});
    }
}

// The panels the user moved, resized or collapsed (app_panels.cpp: they no longer follow the
// arrangement), rounded to whole pixels, for the URL.
val layout() {
    const app::AppState& s = app::state();
    val out = val::array();
    for (int i = 0; i < int(s.panels.size()); ++i) {
        const app::AppState::Panel& p = s.panels[std::size_t(i)];
        if (!p.seen || !p.user_placed) continue;
        val q = val::object();
        q.set("panel", i);
        q.set("x", int(std::lround(p.pos.x)));
        q.set("y", int(std::lround(p.pos.y)));
        q.set("w", std::max(1, int(std::lround(p.size.x))));
        q.set("h", std::max(1, int(std::lround(p.size.y))));
        q.set("collapsed", p.collapsed);
        out.call<void>("push", q);
    }
    return out;
}

// Every panel's place now (tests, and the console): [{title, x, y, w, h, collapsed, userPlaced}].
val panels() {
    val out = val::array();
    for (const app::AppState::Panel& p : app::state().panels) {
        if (!p.seen) continue;
        val q = val::object();
        q.set("title", std::string(p.title));
        q.set("x", p.pos.x);
        q.set("y", p.pos.y);
        q.set("w", p.size.x);
        q.set("h", p.size.y);
        q.set("collapsed", p.collapsed);
        q.set("userPlaced", p.user_placed);
        out.call<void>("push", q);
    }
    return out;
}

void add_message(const std::string& line) {
    auto& m = app::state().messages;
    m.push_back(line);
    if (m.size() > 100) m.erase(m.begin());
}

}  // namespace

// 4. The embind table ----------------------------------------------------------------------------------------
EMSCRIPTEN_BINDINGS(strata_app_view) {
    emscripten::function("parseViewState", &parse_view_state);
    emscripten::function("formatViewState", &format_view_state);
    emscripten::function("setColorBy", &app::Waking<&set_color_by>::call);
    emscripten::function("colorBy", &color_by);
    emscripten::function("setTsneShow", &app::Waking<&set_tsne_show>::call);
    emscripten::function("setLayout", &app::Waking<&set_layout>::call);
    emscripten::function("layout", &layout);
    emscripten::function("panels", &panels);
    emscripten::function("addMessage", &app::Waking<&add_message>::call);
}
