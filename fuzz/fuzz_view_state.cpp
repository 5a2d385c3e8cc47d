// fuzz_view_state.cpp: libFuzzer target of the explorer's URL view-state reader and writer
// (wasm/core/view_state.cpp).
//
// Feeds: the input as a URL query to strata::parse_view_state.
// Checks: it never throws (an escaped exception is a crash); every value it keeps is in its
// documented range (n, seed, sample, energy, rank_rtol, bandwidth, sigma, names, layout); the
// canonical query format_view_state writes is read back with no problem and written again to the
// same text (a shared link reopens the same state); no sanitizer report or leak.
#include "fuzz_check.hpp"
#include "view_state.hpp"

#include <cmath>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view query(reinterpret_cast<const char*>(data), size);
    const strata::ViewState v = strata::parse_view_state(query);

    fuzz::check(v.n >= 2 && v.n <= strata::kMaxN, "n out of range");
    fuzz::check(v.seed < (std::uint64_t(1) << 53), "seed out of range");
    fuzz::check(v.sample >= -1 && v.sample < strata::kMaxN, "sample out of range");
    fuzz::check(v.vae_latent == "sample" || v.vae_latent == "mean", "bad vae_latent kept");
    fuzz::check(strata::is_metric_name(v.geometry.metric), "unknown metric kept");
    fuzz::check(v.geometry.energy > 0.0 && v.geometry.energy <= 1.0, "energy out of range");
    fuzz::check(!v.geometry.rank_rtol || (*v.geometry.rank_rtol >= 0.0 && *v.geometry.rank_rtol < 1.0),
                "rank_rtol out of range");
    fuzz::check(!v.geometry.bandwidth || (*v.geometry.bandwidth > 0.0 && std::isfinite(*v.geometry.bandwidth)),
                "bandwidth out of range");
    fuzz::check(!v.sigma || (*v.sigma >= 0.0 && *v.sigma <= 10.0), "sigma out of range");
    fuzz::check(v.color == "set" || v.color == "class" || v.color == "stratum", "bad color kept");
    for (const auto* list : {&v.models, &v.hide})
        for (const std::string& name : *list) fuzz::check(strata::is_plain_name(name), "a bad model name kept");
    fuzz::check(v.view.empty() || strata::is_plain_name(v.view), "a bad view name kept");
    for (const strata::PanelPlace& p : v.layout)
        fuzz::check(p.panel >= 0 && p.panel <= 15 && p.w >= 1 && p.h >= 1, "a bad panel place kept");
    if (query.size() > strata::kMaxQueryLength) fuzz::check(v.problems.size() == 1, "an over-long query was read");

    // The canonical form is stable: parse(format(v)) == v without problems.
    const std::string q1 = strata::format_view_state(v);
    const strata::ViewState w = strata::parse_view_state(q1);
    if (!w.problems.empty()) std::fprintf(stderr, "%s\n%s\n", q1.c_str(), w.problems[0].c_str());
    fuzz::check(w.problems.empty(), "the canonical query is not read back cleanly");
    fuzz::check(strata::format_view_state(w) == q1, "format(parse(format(v))) != format(v)");
    return 0;
}
