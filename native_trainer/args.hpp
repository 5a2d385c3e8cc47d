// args.hpp: a small flag parser shared by the subcommands.
//
// Flags are `--name value` or `--name=value`; a flag may repeat (e.g. --noisy). Every value is
// checked when it is read, and a bad one throws strata::Error naming the flag:
//     ArgParser p(args, {{"--clean", "latents of the clean images (.npy)"}, ...});
//     std::string clean = p.required("--clean");
//     double energy = p.number("--energy", 0.95);
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace strata::cmd {

struct FlagSpec {
    std::string name;        // "--energy"
    std::string help;        // one line for --help
    bool is_switch = false;  // takes no value (e.g. --resume)
};

class ArgParser {
public:
    // Throws strata::Error on an unknown flag or a flag missing its value.
    ArgParser(const std::vector<std::string>& args, std::vector<FlagSpec> specs);

    bool help_requested() const { return help_; }
    std::string help_text(const std::string& usage_line) const;

    bool has(const std::string& name) const;
    std::vector<std::string> all(const std::string& name) const;    // every occurrence
    std::optional<std::string> get(const std::string& name) const;  // the last occurrence
    std::string required(const std::string& name) const;
    std::string text(const std::string& name, const std::string& fallback) const;
    double number(const std::string& name, double fallback) const;  // finite numbers only
    std::optional<double> optional_number(const std::string& name) const;
    long integer(const std::string& name, long fallback) const;
    bool boolean(const std::string& name, bool fallback) const;  // true|false|1|0
    std::vector<double> numbers(const std::string& name) const;  // comma-separated list
    const std::vector<std::string>& positional() const { return positional_; }

private:
    std::vector<FlagSpec> specs_;
    std::vector<std::pair<std::string, std::string>> values_;
    std::vector<std::string> positional_;
    bool help_ = false;
};

// Parses one number; throws strata::Error "<flag>: '<text>' is not a number" (or not finite).
double parse_number(const std::string& flag, const std::string& text);

}  // namespace strata::cmd
