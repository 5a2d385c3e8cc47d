// json.cpp: writing JSON text, and the analysis types as JSON.
//
// Index: 1. Json value  2. text output  3. to_json
#include "json.hpp"

#include "error.hpp"
#include "rank.hpp"

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

// 3. The analysis types ------------------------------------------------------------------------------------
namespace {

Json triple(const std::array<int, 3>& r) { return Json::array_of(std::vector<int>(r.begin(), r.end())); }

template <class T, std::size_t K>
Json rows(const std::vector<std::array<T, K>>& v) {
    Json a = Json::array();
    for (const auto& row : v) a.push(Json::array_of(std::vector<T>(row.begin(), row.end())));
    return a;
}

}  // namespace

Json to_json(const GeometrySettings& s, double bandwidth_used) {
    Json j = Json::object();
    j.set("metric", s.metric);
    Json params = Json::object();
    if (s.metric == "log-euclidean" || s.metric == "affine-invariant") params.set("spd_eps", s.spd_eps);
    if (s.metric == "fixed-rank") params.set("fixed_rank_k", s.fixed_rank_k);
    j.set("metric_params", params);
    j.set("weights", Json::array_of(std::vector<double>(s.weights.begin(), s.weights.end())));
    j.set("centered", s.centered);
    j.set("rank_rule", s.rank_rtol ? "s_i > s_1 * rank_rtol" : "s_i > s_1 * max(I_n, m_n) * 2^-23");
    j.set("rank_rtol", s.rank_rtol ? Json(*s.rank_rtol) : Json());
    if (!rank_rule_resolvable(s.rank_rtol))
        j.set("rank_rule_warning", "rank_rtol below 1e-7 is finer than the eigenvalue-based rank test resolves");
    j.set("bandwidth", bandwidth_used);
    j.set("bandwidth_rule", s.bandwidth ? "given" : "median of clean pairwise distances");
    j.set("energy", s.energy);
    return j;
}

Json to_json(const SetResult& r) {
    Json j = Json::object();
    j.set("name", r.name);
    j.set("clean", r.clean);
    j.set("sigma", r.sigma);
    j.set("n", r.n);
    j.set("shape", triple({r.shape.C, r.shape.H, r.shape.W}));
    j.set("ranks", rows(r.ranks));
    j.set("effective_ranks", rows(r.effective_ranks));
    Json strata = Json::array();
    for (const StratumCount& s : r.strata) {
        Json e = Json::object();
        e.set("ranks", triple(s.ranks));
        e.set("count", s.count);
        strata.push(std::move(e));
    }
    j.set("strata", std::move(strata));
    j.set("smooth", r.smooth);
    j.set("hilbert_dim", r.hilbert_dim);
    j.set("kernel_spectrum", Json::array_of(r.kernel_spectrum));
    j.set("kernel_min_eigenvalue", r.kernel_min_eigenvalue);
    j.set("embedding_2d", rows(r.embedding_2d));
    if (!r.clean) j.set("principal_angles_deg", Json::array_of(r.principal_angles_deg));
    if (r.cross_stratum_pairs) j.set("cross_stratum_pairs", Json(static_cast<long long>(*r.cross_stratum_pairs)));
    if (r.cross_stratum_pairs_vs_clean)
        j.set("cross_stratum_pairs_vs_clean", Json(static_cast<long long>(*r.cross_stratum_pairs_vs_clean)));
    if (r.fixed_rank_ambiguous_pairs)
        j.set("fixed_rank_ambiguous_pairs", Json(static_cast<long long>(*r.fixed_rank_ambiguous_pairs)));
    return j;
}

Json to_json(const GeometryResult& result) {
    Json j = Json::object();
    j.set("settings", to_json(result.settings, result.bandwidth));
    Json sets = Json::array();
    for (const SetResult& s : result.sets) sets.push(to_json(s));
    j.set("sets", std::move(sets));
    return j;
}

}  // namespace strata
