// json.hpp: a minimal JSON value for results and the few JSON files the core reads (the core needs
// no JSON library). The analysis types as JSON are in results_json.hpp.
//
// Index: 1. Json (null, bool, number, string, array, object with insertion order)  2. dump()
//        2b. parse() and reading accessors (json_read.cpp)
//
// Numbers are written with 17 significant digits so a result read back is bit-identical; NaN and
// Inf (which JSON cannot hold) are written as null. parse() is strict RFC 8259 (no comments, no
// trailing commas, no duplicate keys) with a nesting limit, and names the line and column of the
// first problem: it reads files from anywhere (models/manifest.json) and is fuzzed (fuzz/).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata {

// 1. A JSON value -------------------------------------------------------------------------------
class Json {
public:
    enum class Type { Null, Bool, Number, Integer, String, Array, Object };

    Json() = default;  // null
    Json(bool b) : type_(Type::Bool), bool_(b) {}
    Json(double x) : type_(Type::Number), number_(x) {}
    Json(int i) : type_(Type::Integer), integer_(i) {}
    Json(long i) : type_(Type::Integer), integer_(i) {}
    Json(long long i) : type_(Type::Integer), integer_(i) {}
    Json(unsigned long i) : type_(Type::Integer), integer_(static_cast<std::int64_t>(i)) {}
    Json(unsigned long long i) : type_(Type::Integer), integer_(static_cast<std::int64_t>(i)) {}
    Json(const char* s) : type_(Type::String), string_(s) {}
    Json(std::string s) : type_(Type::String), string_(std::move(s)) {}

    static Json array() {
        Json j;
        j.type_ = Type::Array;
        return j;
    }
    static Json object() {
        Json j;
        j.type_ = Type::Object;
        return j;
    }
    template <class T>
    static Json array_of(const std::vector<T>& v) {
        Json j = array();
        for (const T& x : v) j.push(Json(x));
        return j;
    }

    Type type() const { return type_; }
    Json& push(Json v);                              // arrays
    Json& set(const std::string& key, Json v);       // objects: replaces or appends
    const Json* find(const std::string& key) const;  // objects: nullptr when absent
    Json* find(const std::string& key);
    std::vector<Json>& items() { return items_; }  // arrays
    const std::vector<Json>& items() const { return items_; }

    // 2. Text: indent < 0 gives one line; otherwise pretty-printed with that many spaces.
    std::string dump(int indent = -1) const;

    // 2b. Reading. parse() throws strata::Error "NAME: line L, column C: what is wrong".
    static Json parse(std::string_view text, const std::string& name);
    static constexpr int max_depth = 64;  // nesting deeper than this is refused
    bool is_null() const { return type_ == Type::Null; }
    bool is_number() const { return type_ == Type::Number || type_ == Type::Integer; }
    bool is_integer() const { return type_ == Type::Integer; }
    bool is_string() const { return type_ == Type::String; }
    bool is_bool() const { return type_ == Type::Bool; }
    bool is_array() const { return type_ == Type::Array; }
    bool is_object() const { return type_ == Type::Object; }
    double number() const { return type_ == Type::Integer ? double(integer_) : number_; }  // 0 if not a number
    std::int64_t integer() const { return integer_; }                                      // 0 if not an integer
    bool boolean() const { return bool_; }
    const std::string& string() const { return string_; }  // "" if not a string
    const std::vector<std::pair<std::string, Json>>& members() const { return members_; }

private:
    void dump_to(std::string& out, int indent, int depth) const;
    Type type_ = Type::Null;
    bool bool_ = false;
    double number_ = 0.0;
    std::int64_t integer_ = 0;
    std::string string_;
    std::vector<Json> items_;                            // array elements
    std::vector<std::pair<std::string, Json>> members_;  // object members, in order
};

}  // namespace strata
