// args.cpp: the flag parser.
#include "args.hpp"

#include "error.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace strata::cmd {

ArgParser::ArgParser(const std::vector<std::string>& args, std::vector<FlagSpec> specs) : specs_(std::move(specs)) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            help_ = true;
            continue;
        }
        if (a.size() < 3 || a.compare(0, 2, "--") != 0) {
            positional_.push_back(a);
            continue;
        }
        const std::size_t eq = a.find('=');
        const std::string name = a.substr(0, eq);
        const FlagSpec* spec = nullptr;
        for (const FlagSpec& s : specs_)
            if (s.name == name) spec = &s;
        if (!spec) throw Error(name + ": unknown option (see --help)");
        if (spec->is_switch) {
            if (eq != std::string::npos) throw Error(name + ": takes no value");
            values_.emplace_back(name, "true");
        } else if (eq != std::string::npos) {
            values_.emplace_back(name, a.substr(eq + 1));
        } else {
            if (i + 1 >= args.size()) throw Error(name + ": missing its value");
            values_.emplace_back(name, args[++i]);
        }
    }
}

std::string ArgParser::help_text(const std::string& usage_line) const {
    std::string out = "usage: " + usage_line + "\n\noptions:\n";
    for (const FlagSpec& s : specs_) {
        std::string left = "  " + s.name + (s.is_switch ? "" : " X");
        if (left.size() < 22) left.append(22 - left.size(), ' ');
        out += left + " " + s.help + "\n";
    }
    return out;
}

bool ArgParser::has(const std::string& name) const { return get(name).has_value(); }

std::vector<std::string> ArgParser::all(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : values_)
        if (k == name) out.push_back(v);
    return out;
}

std::optional<std::string> ArgParser::get(const std::string& name) const {
    std::optional<std::string> last;
    for (const auto& [k, v] : values_)
        if (k == name) last = v;
    return last;
}

std::string ArgParser::required(const std::string& name) const {
    auto v = get(name);
    if (!v) throw Error(name + ": required");
    if (v->empty()) throw Error(name + ": empty value");
    return *v;
}

std::string ArgParser::text(const std::string& name, const std::string& fallback) const {
    return get(name).value_or(fallback);
}

double parse_number(const std::string& flag, const std::string& text) {
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE)
        throw Error(flag + ": '" + text + "' is not a number");
    if (!std::isfinite(v)) throw Error(flag + ": '" + text + "' is not a finite number");
    return v;
}

double ArgParser::number(const std::string& name, double fallback) const {
    auto v = get(name);
    return v ? parse_number(name, *v) : fallback;
}

std::optional<double> ArgParser::optional_number(const std::string& name) const {
    auto v = get(name);
    if (!v) return std::nullopt;
    return parse_number(name, *v);
}

long ArgParser::integer(const std::string& name, long fallback) const {
    auto v = get(name);
    if (!v) return fallback;
    errno = 0;
    char* end = nullptr;
    const long x = std::strtol(v->c_str(), &end, 10);
    if (v->empty() || end != v->c_str() + v->size() || errno == ERANGE)
        throw Error(name + ": '" + *v + "' is not an integer");
    return x;
}

bool ArgParser::boolean(const std::string& name, bool fallback) const {
    auto v = get(name);
    if (!v) return fallback;
    if (*v == "true" || *v == "1") return true;
    if (*v == "false" || *v == "0") return false;
    throw Error(name + ": '" + *v + "' is not true or false");
}

std::vector<double> ArgParser::numbers(const std::string& name) const {
    std::vector<double> out;
    auto v = get(name);
    if (!v) return out;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = v->find(',', start);
        out.push_back(parse_number(name, v->substr(start, comma - start)));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

}  // namespace strata::cmd
