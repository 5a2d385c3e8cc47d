// js_value.hpp: reading plain JS objects the page hands to C++ (embind's emscripten::val), for
// both modules (strata_app, strata_worker).
#pragma once
#include <emscripten/val.h>

namespace app {

// True when object `o` has key `k` with a value other than null or undefined (an optional
// setting the page left out or set to null: "use the default").
inline bool has(const emscripten::val& o, const char* k) {
    return o.hasOwnProperty(k) && !o[k].isNull() && !o[k].isUndefined();
}

}  // namespace app
