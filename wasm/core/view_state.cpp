// view_state.cpp: reading and writing the explorer's URL query (view_state.hpp lists it).
//
// Index: 1. percent-decoding and -encoding  2. value readers (each returns nullopt and says why)
//        3. parse_view_state  4. format_view_state
#include "view_state.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

namespace strata {

namespace {

// 1. Percent-encoding ----------------------------------------------------------------------------------------
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// application/x-www-form-urlencoded, as URLSearchParams writes it: '+' is a space, %XX a byte.
std::optional<std::string> percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%') {
            if (i + 2 >= s.size()) return std::nullopt;  // a '%' needs two hex digits after it
            const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += char(hi * 16 + lo);
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::string percent_encode(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '*') {
            out += char(c);
        } else if (c == ',') {
            out += ',';  // list separator: readable, and URLSearchParams keeps it as is
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

// Shortest decimal that reads back as the same double.
std::string number_text(double x) {
    char b[40];
    for (int digits = 1; digits <= 17; ++digits) {
        std::snprintf(b, sizeof b, "%.*g", digits, x);
        if (std::strtod(b, nullptr) == x) break;
    }
    return b;
}

// 2. Values: each reader returns nullopt with `why` set when the text is unusable ----------------------------
std::optional<double> real(const std::string& t, std::string& why) {
    if (t.empty() || t.size() > 64) return why = "is not a number", std::nullopt;
    for (char c : t)
        if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
            return why = "is not a number", std::nullopt;
    char* end = nullptr;
    errno = 0;
    const double x = std::strtod(t.c_str(), &end);
    // ERANGE on underflow (a denormal or 0) is fine; on overflow the number is not finite.
    if (end != t.c_str() + t.size() || !std::isfinite(x) || (errno == ERANGE && std::fabs(x) >= 1.0))
        return why = "is not a finite number", std::nullopt;
    return x;
}

std::optional<std::int64_t> whole(const std::string& t, std::int64_t lo, std::int64_t hi, std::string& why) {
    const std::string range = " (" + std::to_string(lo) + ".." + std::to_string(hi) + ")";
    if (t.empty() || t.size() > 19) return why = "is not a whole number" + range, std::nullopt;
    std::size_t i = t[0] == '-' ? 1 : 0;
    if (i == t.size()) return why = "is not a whole number" + range, std::nullopt;
    for (; i < t.size(); ++i)
        if (!std::isdigit(static_cast<unsigned char>(t[i]))) return why = "is not a whole number" + range, std::nullopt;
    const long long v = std::strtoll(t.c_str(), nullptr, 10);
    if (v < lo || v > hi) return why = "is out of range" + range, std::nullopt;
    return v;
}

std::optional<std::vector<std::string>> name_list(const std::string& t, std::string& why) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= t.size()) {
        const std::size_t end = std::min(t.find(',', start), t.size());
        const std::string name = t.substr(start, end - start);
        if (!name.empty()) {
            if (!is_plain_name(name))
                return why = "has a name that is not 1-64 letters, digits, '.', '_' or '-'", std::nullopt;
            if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
        }
        if (out.size() > 64) return why = "lists more than 64 models", std::nullopt;
        start = end + 1;
    }
    return out;
}

std::optional<PanelPlace> panel_place(const std::string& t, std::string& why) {
    // i.x.y.w.h or i.x.y.w.h.c
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= t.size() && parts.size() <= 6) {
        const std::size_t end = std::min(t.find('.', start), t.size());
        parts.push_back(t.substr(start, end - start));
        start = end + 1;
    }
    const bool collapsed = parts.size() == 6 && parts[5] == "c";
    if (parts.size() != 5 && !collapsed) return why = "has a panel that is not i.x.y.w.h or i.x.y.w.h.c", std::nullopt;
    std::string sub;
    const auto i = whole(parts[0], 0, 15, sub), x = whole(parts[1], -100000, 100000, sub),
               y = whole(parts[2], -100000, 100000, sub), w = whole(parts[3], 1, 100000, sub),
               h = whole(parts[4], 1, 100000, sub);
    if (!i || !x || !y || !w || !h) return why = "has a panel with a size or position out of range", std::nullopt;
    return PanelPlace{int(*i), int(*x), int(*y), int(*w), int(*h), collapsed};
}

// "class:C" (C in 0..9999) or "stratum:R1-R2-R3" (each 0..100000), given back in canonical form.
std::optional<std::string> find_rule(const std::string& t, std::string& why) {
    const std::string bad = "is not class:C or stratum:R1-R2-R3";
    std::string sub;
    if (t.rfind("class:", 0) == 0) {
        if (auto c = whole(t.substr(6), 0, 9999, sub)) return "class:" + std::to_string(*c);
        return why = bad, std::nullopt;
    }
    if (t.rfind("stratum:", 0) == 0) {
        std::vector<std::int64_t> r;
        std::size_t s = 8;
        while (s <= t.size() && r.size() < 4) {
            const std::size_t e = std::min(t.find('-', s), t.size());
            auto x = whole(t.substr(s, e - s), 0, 100000, sub);
            if (!x) return why = bad, std::nullopt;
            r.push_back(*x);
            s = e + 1;
        }
        if (r.size() != 3) return why = bad, std::nullopt;
        return "stratum:" + std::to_string(r[0]) + "-" + std::to_string(r[1]) + "-" + std::to_string(r[2]);
    }
    return why = bad, std::nullopt;
}

// "A,B": two sample indices.
std::optional<std::array<int, 2>> walk_ends(const std::string& t, std::string& why) {
    const std::size_t comma = t.find(',');
    std::string sub;
    if (comma == std::string::npos) return why = "is not A,B (two sample indices)", std::nullopt;
    const auto a = whole(t.substr(0, comma), 0, kMaxN - 1, sub), b = whole(t.substr(comma + 1), 0, kMaxN - 1, sub);
    if (!a || !b) return why = "is not A,B (two sample indices)", std::nullopt;
    return std::array<int, 2>{int(*a), int(*b)};
}

}  // namespace

// 3. Reading --------------------------------------------------------------------------------------------------
ViewState parse_view_state(std::string_view query) {
    ViewState v;
    if (!query.empty() && query.front() == '?') query.remove_prefix(1);
    if (query.size() > kMaxQueryLength) {
        v.problems.push_back("URL: the view state is " + std::to_string(query.size()) + " characters long (at most " +
                             std::to_string(kMaxQueryLength) + "): ignored, defaults used");
        return v;
    }
    // Split and decode; the last occurrence of a parameter wins.
    std::map<std::string, std::string> values;
    std::vector<std::string> order;
    std::size_t start = 0;
    while (start <= query.size()) {
        const std::size_t end = std::min(query.find('&', start), query.size());
        const std::string_view piece = query.substr(start, end - start);
        start = end + 1;
        if (piece.empty()) continue;
        const std::size_t eq = piece.find('=');
        const auto key = percent_decode(piece.substr(0, eq));
        const auto value = percent_decode(eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1));
        if (!key || !value) {
            v.problems.push_back("URL: a parameter with a broken %-escape is ignored");
            continue;
        }
        if (values.count(*key)) v.problems.push_back("URL: " + *key + " is given more than once; the last is used");
        else order.push_back(*key);
        values[*key] = *value;
    }

    auto ignore = [&v](const std::string& key, const std::string& value, const std::string& why) {
        const std::string shown = value.size() > 40 ? value.substr(0, 40) + "..." : value;
        v.problems.push_back("URL: " + key + "=" + shown + " " + why + "; ignored");
    };
    static const std::set<std::string> known = {
        "n",      "seed", "vae_latent", "models", "metric", "energy", "rank_rtol", "bandwidth", "centered", "sigma",
        "sample", "hide", "view",       "color",  "tsne",   "layout", "find",      "isolate",   "walk",     "steps"};
    for (const std::string& key : order) {
        const std::string& t = values[key];
        std::string why;
        if (!known.count(key)) {
            const std::string shown = key.size() > 40 ? key.substr(0, 40) + "..." : key;
            v.problems.push_back("URL: unknown parameter '" + shown + "' ignored");
        } else if (key == "n") {
            if (auto x = whole(t, 2, kMaxN, why)) v.n = int(*x);
            else ignore(key, t, why);
        } else if (key == "seed") {
            if (auto x = whole(t, 0, (std::int64_t(1) << 53) - 1, why)) v.seed = std::uint64_t(*x);
            else ignore(key, t, why);
        } else if (key == "vae_latent") {
            if (t == "sample" || t == "mean") v.vae_latent = t;
            else ignore(key, t, "is not 'sample' or 'mean'");
        } else if (key == "models" || key == "hide") {
            if (auto x = name_list(t, why)) (key == "models" ? v.models : v.hide) = *x;
            else ignore(key, t, why);
        } else if (key == "metric") {
            if (is_metric_name(t)) v.geometry.metric = t;
            else ignore(key, t, "is not a metric name");
        } else if (key == "energy") {
            auto x = real(t, why);
            if (x && !(*x > 0.0 && *x <= 1.0)) x = std::nullopt, why = "is not in (0, 1]";
            if (x) v.geometry.energy = *x;
            else ignore(key, t, why);
        } else if (key == "rank_rtol") {
            auto x = real(t, why);
            if (x && !(*x >= 0.0 && *x < 1.0)) x = std::nullopt, why = "is not in [0, 1)";
            if (x) v.geometry.rank_rtol = *x;
            else ignore(key, t, why);
        } else if (key == "bandwidth") {
            auto x = real(t, why);
            if (x && !(*x > 0.0)) x = std::nullopt, why = "is not > 0";
            if (x) v.geometry.bandwidth = *x;
            else ignore(key, t, why);
        } else if (key == "centered") {
            if (t == "true" || t == "false") v.geometry.centered = t == "true";
            else ignore(key, t, "is not 'true' or 'false'");
        } else if (key == "sigma") {
            auto x = real(t, why);
            if (x && !(*x >= 0.0 && *x <= 10.0)) x = std::nullopt, why = "is not in [0, 10]";
            if (x) v.sigma = *x;
            else ignore(key, t, why);
        } else if (key == "sample") {
            if (auto x = whole(t, -1, kMaxN - 1, why)) v.sample = int(*x);
            else ignore(key, t, why);
        } else if (key == "view") {
            if (t.empty() || is_plain_name(t)) v.view = t;
            else ignore(key, t, "is not a model name");
        } else if (key == "color") {
            if (t == "set" || t == "class" || t == "stratum") v.color = t;
            else ignore(key, t, "is not set, class or stratum");
        } else if (key == "tsne") {
            if (t == "1" || t == "0") v.tsne = t == "1";
            else ignore(key, t, "is not 0 or 1");
        } else if (key == "find") {
            if (t.empty()) v.find.clear();
            else if (auto x = find_rule(t, why)) v.find = *x;
            else ignore(key, t, why);
        } else if (key == "isolate") {
            if (t == "1" || t == "0") v.isolate = t == "1";
            else ignore(key, t, "is not 0 or 1");
        } else if (key == "walk") {
            if (auto x = walk_ends(t, why)) v.walk = *x;
            else ignore(key, t, why);
        } else if (key == "steps") {
            if (auto x = whole(t, 3, 1000, why)) v.steps = int(*x);
            else ignore(key, t, why);
        } else if (key == "layout") {
            std::vector<PanelPlace> places;
            std::set<int> seen;
            std::size_t s = 0;
            bool ok = true;
            while (ok && s <= t.size()) {
                const std::size_t e = std::min(t.find(',', s), t.size());
                const std::string item = t.substr(s, e - s);
                s = e + 1;
                if (item.empty()) continue;
                auto p = panel_place(item, why);
                if (!p) ok = false;
                else if (!seen.insert(p->panel).second) ok = false, why = "names a panel twice";
                else places.push_back(*p);
            }
            if (ok) v.layout = places;
            else ignore(key, t, why);
        }
    }
    return v;
}

// 4. Writing --------------------------------------------------------------------------------------------------
std::string format_view_state(const ViewState& v) {
    const ViewState d;  // the defaults, left out
    std::string q;
    auto put = [&q](const char* key, const std::string& value) {
        q += (q.empty() ? "" : "&") + std::string(key) + "=" + percent_encode(value);
    };
    auto join = [](const std::vector<std::string>& names) {
        std::string s;
        for (const std::string& n : names) s += (s.empty() ? "" : ",") + n;
        return s;
    };
    if (v.n != d.n) put("n", std::to_string(v.n));
    if (v.seed != d.seed) put("seed", std::to_string(v.seed));
    if (v.vae_latent != d.vae_latent) put("vae_latent", v.vae_latent);
    if (!v.models.empty()) put("models", join(v.models));
    const GeometrySettings& g = v.geometry;
    if (g.metric != d.geometry.metric) put("metric", g.metric);
    if (g.energy != d.geometry.energy) put("energy", number_text(g.energy));
    if (g.rank_rtol) put("rank_rtol", number_text(*g.rank_rtol));
    if (g.bandwidth) put("bandwidth", number_text(*g.bandwidth));
    if (g.centered != d.geometry.centered) put("centered", g.centered ? "true" : "false");
    if (v.sigma) put("sigma", number_text(*v.sigma));
    if (v.sample != d.sample) put("sample", std::to_string(v.sample));
    if (!v.hide.empty()) put("hide", join(v.hide));
    if (!v.view.empty()) put("view", v.view);
    if (v.color != d.color) put("color", v.color);
    if (v.tsne) put("tsne", "1");
    if (!v.find.empty()) put("find", v.find);
    if (v.isolate) put("isolate", "1");
    if (v.walk) put("walk", std::to_string((*v.walk)[0]) + "," + std::to_string((*v.walk)[1]));
    if (v.steps != d.steps) put("steps", std::to_string(v.steps));
    if (!v.layout.empty()) {
        std::string s;
        for (const PanelPlace& p : v.layout) {
            s += (s.empty() ? "" : ",") + std::to_string(p.panel) + "." + std::to_string(p.x) + "." +
                 std::to_string(p.y) + "." + std::to_string(p.w) + "." + std::to_string(p.h) +
                 (p.collapsed ? ".c" : "");
        }
        put("layout", s);
    }
    return q;
}

}  // namespace strata
