// json.hpp: a minimal JSON value for writing results (the core needs no JSON library).
//
// Index: 1. Json (null, bool, number, string, array, object with insertion order)  2. dump()
//        3. to_json for the analysis types
//
// Numbers are written with 17 significant digits so a result read back is bit-identical; NaN and
// Inf (which JSON cannot hold) are written as null.
#pragma once
#include "analysis.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace strata {

// 1. A JSON value -------------------------------------------------------------------------------
class Json {
public:
    enum class Type { Null, Bool, Number, Integer, String, Array, Object };

    Json() = default;                                   // null
    Json(bool b) : type_(Type::Bool), bool_(b) {}
    Json(double x) : type_(Type::Number), number_(x) {}
    Json(int i) : type_(Type::Integer), integer_(i) {}
    Json(long i) : type_(Type::Integer), integer_(i) {}
    Json(long long i) : type_(Type::Integer), integer_(i) {}
    Json(unsigned long i) : type_(Type::Integer), integer_(static_cast<std::int64_t>(i)) {}
    Json(unsigned long long i) : type_(Type::Integer), integer_(static_cast<std::int64_t>(i)) {}
    Json(const char* s) : type_(Type::String), string_(s) {}
    Json(std::string s) : type_(Type::String), string_(std::move(s)) {}

    static Json array() { Json j; j.type_ = Type::Array; return j; }
    static Json object() { Json j; j.type_ = Type::Object; return j; }
    template <class T> static Json array_of(const std::vector<T>& v) {
        Json j = array();
        for (const T& x : v) j.push(Json(x));
        return j;
    }

    Type type() const { return type_; }
    Json& push(Json v);                                 // arrays
    Json& set(const std::string& key, Json v);          // objects: replaces or appends
    const Json* find(const std::string& key) const;     // objects: nullptr when absent
    Json* find(const std::string& key);
    std::vector<Json>& items() { return items_; }       // arrays
    const std::vector<Json>& items() const { return items_; }

    // 2. Text: indent < 0 gives one line; otherwise pretty-printed with that many spaces.
    std::string dump(int indent = -1) const;

private:
    void dump_to(std::string& out, int indent, int depth) const;
    Type type_ = Type::Null;
    bool bool_ = false;
    double number_ = 0.0;
    std::int64_t integer_ = 0;
    std::string string_;
    std::vector<Json> items_;                               // array elements
    std::vector<std::pair<std::string, Json>> members_;     // object members, in order
};

// 3. The analysis types, with the field names of the `strata geometry` JSON --------------------
Json to_json(const GeometrySettings& settings, double bandwidth_used);
Json to_json(const SetResult& set);
Json to_json(const GeometryResult& result);   // {"settings": ..., "sets": [...]}

}  // namespace strata
