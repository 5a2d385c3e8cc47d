// json.cpp: the JSON value and writing it as text.
//
// Index: 1. Json value  2. text output
#include "json.hpp"

#include "error.hpp"

#include <cmath>
#include <cstdio>

namespace strata {

// 1. The value ---------------------------------------------------------------------------------------
Json& Json::push(Json v) {
    if (type_ != Type::Array) throw Error("internal: Json::push on a non-array");
    items_.push_back(std::move(v));
    return items_.back();
}

Json& Json::set(const std::string& key, Json v) {
    if (type_ != Type::Object) throw Error("internal: Json::set on a non-object");
    for (auto& m : members_)
        if (m.first == key) return m.second = std::move(v);
    members_.emplace_back(key, std::move(v));
    return members_.back().second;
}

const Json* Json::find(const std::string& key) const {
    for (const auto& m : members_)
        if (m.first == key) return &m.second;
    return nullptr;
}

Json* Json::find(const std::string& key) {
    for (auto& m : members_)
        if (m.first == key) return &m.second;
    return nullptr;
}

// 2. Text -----------------------------------------------------------------------------------------------
namespace {

void write_string(std::string& out, const std::string& s) {
    out.push_back('"');
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out.push_back(char(c));
                }
        }
    }
    out.push_back('"');
}

void newline(std::string& out, int indent, int depth) {
    if (indent < 0) return;
    out.push_back('\n');
    out.append(std::size_t(indent * depth), ' ');
}

// Arrays of plain numbers stay on one line even when pretty-printing: spectra and embeddings
// would otherwise take thousands of lines.
bool all_scalars(const std::vector<Json>& items) {
    for (const Json& j : items)
        if (j.type() == Json::Type::Array || j.type() == Json::Type::Object) return false;
    return true;
}

}  // namespace

void Json::dump_to(std::string& out, int indent, int depth) const {
    switch (type_) {
        case Type::Null: out += "null"; break;
        case Type::Bool: out += bool_ ? "true" : "false"; break;
        case Type::Integer: out += std::to_string(integer_); break;
        case Type::Number: {
            if (!std::isfinite(number_)) {
                out += "null";
                break;
            }
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.17g", number_);
            out += buf;
            break;
        }
        case Type::String: write_string(out, string_); break;
        case Type::Array: {
            out.push_back('[');
            const bool flat = indent < 0 || all_scalars(items_);
            for (std::size_t i = 0; i < items_.size(); ++i) {
                if (i) out += flat && indent >= 0 ? ", " : ",";
                if (!flat) newline(out, indent, depth + 1);
                items_[i].dump_to(out, flat ? -1 : indent, depth + 1);
            }
            if (!flat && !items_.empty()) newline(out, indent, depth);
            out.push_back(']');
            break;
        }
        case Type::Object: {
            out.push_back('{');
            for (std::size_t i = 0; i < members_.size(); ++i) {
                if (i) out.push_back(',');
                newline(out, indent, depth + 1);
                write_string(out, members_[i].first);
                out += indent >= 0 ? ": " : ":";
                members_[i].second.dump_to(out, indent, depth + 1);
            }
            if (!members_.empty()) newline(out, indent, depth);
            out.push_back('}');
            break;
        }
    }
}

std::string Json::dump(int indent) const {
    std::string out;
    dump_to(out, indent, 0);
    return out;
}

}  // namespace strata
