// app_summary.cpp: the finding in one line, computed from the results the interface holds.
//
// Index: 1. one model's pattern across the noise grid  2. the line (models with the same pattern
//        grouped, in model order)
//
// The line the page shows above its panels (and window.strata.summary), for example
//   "CAE, DAE: stratified when clean (7, 6 strata); VAE: one stratum at every sigma".
// A set is stratified when its latents fall in more than one rank triple (docs/method.md: smooth
// otherwise). Each model's pattern is the list of noise levels at which it is stratified:
//   none                      -> "one stratum at every sigma"
//   the clean set only        -> "stratified when clean"
//   every set                 -> "stratified at every sigma"
//   the clean set and others  -> "stratified when clean and at sigma = a, b"
//   noisy sets only           -> "stratified at sigma = a, b"
// A stratified pattern carries, per model, the strata count of its first stratified set. Models
// whose sets have not all arrived are "computing", models the study could not run "failed"; both
// groups come last, in that order.
#include "app_state.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace app {
namespace {

std::string number_text(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", v);
    return b;
}

// 1. One model: its pattern's words and the strata count that goes with them (0: none).
struct Pattern {
    std::string words;
    std::size_t strata = 0;
};

Pattern pattern_of(const ModelView& m) {
    if (!m.failed.empty()) return {"failed"};
    if (m.sets.empty()) return {"computing"};
    for (const SetView& set : m.sets)
        if (!set.present) return {"computing"};
    std::vector<std::size_t> stratified;
    for (std::size_t k = 0; k < m.sets.size(); ++k)
        if (!m.sets[k].smooth) stratified.push_back(k);
    if (stratified.empty()) return {"one stratum at every sigma"};
    const std::size_t count = m.sets[stratified.front()].strata.size();
    if (stratified.size() == m.sets.size()) return {"stratified at every sigma", count};
    const bool clean = stratified.front() == 0;
    if (clean && stratified.size() == 1) return {"stratified when clean", count};
    std::string at = clean ? "stratified when clean and at sigma = " : "stratified at sigma = ";
    for (std::size_t i = clean ? 1 : 0; i < stratified.size(); ++i) {
        if (i > (clean ? 1u : 0u)) at += ", ";
        at += number_text(m.sets[stratified[i]].sigma);
    }
    return {at, count};
}

}  // namespace

// 2. The line ----------------------------------------------------------------------------------------------
std::string finding_summary() {
    const AppState& s = state();
    if (s.models.empty()) return "";
    struct Group {
        std::string words;
        std::vector<std::string> names;
        std::vector<std::size_t> counts;
    };
    std::vector<Group> groups;
    auto add = [&groups](const ModelView& m, const Pattern& p) {
        Group* g = nullptr;
        for (Group& h : groups)
            if (h.words == p.words) g = &h;
        if (!g) g = &groups.emplace_back(Group{p.words, {}, {}});
        g->names.push_back(m.name);
        if (p.strata) g->counts.push_back(p.strata);
    };
    // Findings first, in model order; then the models still computing, then those that failed.
    for (const char* pass : {"", "computing", "failed"})
        for (const ModelView& m : s.models) {
            const Pattern p = pattern_of(m);
            const bool tail = p.words == "computing" || p.words == "failed";
            if (*pass ? p.words == pass : !tail) add(m, p);
        }
    std::string line;
    for (const Group& g : groups) {
        if (!line.empty()) line += "; ";
        for (std::size_t i = 0; i < g.names.size(); ++i) line += (i ? ", " : "") + g.names[i];
        line += ": " + g.words;
        if (!g.counts.empty()) {
            line += " (";
            for (std::size_t i = 0; i < g.counts.size(); ++i) line += (i ? ", " : "") + std::to_string(g.counts[i]);
            line += " strata)";
        }
    }
    return line;
}

}  // namespace app
