// js_value.hpp: reading plain JS objects the page hands to C++ (embind's emscripten::val), for
// both modules (strata_app, strata_worker).
#pragma once
#include <emscripten/val.h>

#include <string>
#include <vector>

namespace app {

// True when object `o` has key `k` with a value other than null or undefined (an optional
// setting the page left out or set to null: "use the default").
inline bool has(const emscripten::val& o, const char* k) {
    return o.hasOwnProperty(k) && !o[k].isNull() && !o[k].isUndefined();
}

// The strings of a JS array (anything else: none).
inline std::vector<std::string> strings_of(const emscripten::val& a) {
    std::vector<std::string> out;
    if (a.isArray())
        for (unsigned i = 0, n = a["length"].as<unsigned>(); i < n; ++i) out.push_back(a[i].as<std::string>());
    return out;
}

// A rectangle as the JS object {x, y, w, h} (canvas pixels).
inline emscripten::val rect_js(float x, float y, float w, float h) {
    emscripten::val v = emscripten::val::object();
    v.set("x", x);
    v.set("y", y);
    v.set("w", w);
    v.set("h", h);
    return v;
}

}  // namespace app
