// app_scan.cpp: the bandwidth scan tab of the curves panel (docs/method.md, "Bandwidth scan").
//
// Index: 1. help texts  2. the tab: off (a button that asks for it) or two plots against the factor
//
// The scan is part of the study's settings (Settings::bandwidth_scan): the worker computes it with
// the analysis, about one more kernel stage per factor, so it is off until asked for. The plots show,
// per model at the selected sigma, dim_eta and the mean principal angle at h' = f h against f on a
// log2 axis (x = -2 is f = 1/4, x = 0 the bandwidth of the results, x = 2 is f = 4).
#include "app_panels.hpp"
#include "app_plot.hpp"
#include "app_state.hpp"
#include "imgui.h"
#include "settings.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace app {

namespace {

// 1. Help -----------------------------------------------------------------------------------------------
const char* kHelpScanOff =
    "Bandwidth scan (docs/method.md, \"Bandwidth scan\"): dim_eta and the principal angles recomputed with "
    "the kernel bandwidth h' = f h for f = 1/4, 1/2, 1, 2, 4 (h: the bandwidth of the results). A diagnostic "
    "of the Hilbert-space view, not a change of the method. It costs about one more kernel stage per factor; "
    "this button turns it on in the settings and reruns the analysis (the latents are kept).";
const char* kHelpScan[2] = {
    "Hilbert dimension dim_eta (docs/method.md section 6) of each model's set at the selected sigma, with the "
    "kernel at h' = f h. x: log2 f (0 is the results' bandwidth h). A small h' pushes the kernel towards the "
    "identity (dim_eta towards eta N), a large one towards a few directions. Unit: components.",
    "Mean principal angle (docs/method.md section 7) between the clean and the noisy subspace at the selected "
    "sigma, both with the kernel at h' = f h. x: log2 f (0 is the results' bandwidth h). Empty at sigma 0 "
    "(the clean set against itself). Unit: degrees.",
};

}  // namespace

// 2. The tab ----------------------------------------------------------------------------------------------
void bandwidth_scan_tab() {
    AppState& s = state();
    const std::vector<double>& factors = strata::default_bandwidth_factors();
    const int k = s.sigma_index;
    bool any = false;
    for (const ModelView& m : s.models) {
        const SetView* set = set_at(m, k);
        any = any || (set && set->scan_hilbert_dim.size() == factors.size());
    }
    if (!any) {
        ImGui::TextWrapped(s.applied.bandwidth_scan ? "The scan is being computed with the analysis."
                                                    : "The bandwidth scan is off (it reruns the analysis).");
        ImGui::BeginDisabled(s.busy || s.applied.bandwidth_scan);
        if (ImGui::Button("compute the bandwidth scan")) {
            s.edited = s.applied;
            s.edited.bandwidth_scan = true;
            s.apply_requested = true;
        }
        ImGui::EndDisabled();
        record_rect("scan_compute");
        help("scan_compute", kHelpScanOff);
        return;
    }
    std::vector<double> xs;
    for (double f : factors) xs.push_back(std::log2(f));
    const float w = (ImGui::GetContentRegionAvail().x - 8 * s.ui_scale) / 2;
    const float h = std::max(120.0f * s.ui_scale, ImGui::GetContentRegionAvail().y - 4 * s.ui_scale);
    for (int c = 0; c < 2; ++c) {
        std::vector<std::vector<double>> ys(s.models.size());
        for (std::size_t mi = 0; mi < s.models.size(); ++mi) {
            const ModelView& m = s.models[mi];
            const SetView* set = set_at(m, k);
            ys[mi].assign(factors.size(), NAN);
            if (!m.enabled || !set || set->scan_hilbert_dim.size() != factors.size()) continue;
            for (std::size_t i = 0; i < factors.size(); ++i)
                ys[mi][i] = c == 0 ? double(set->scan_hilbert_dim[i]) : set->scan_mean_angle[i];
        }
        const plot::Range r = plot::y_range(ys);
        if (c == 1) ImGui::SameLine();
        const plot::Axes a = plot::begin_plot(c == 0 ? "##scan_dim" : "##scan_angle", ImVec2(w, h), xs.front(),
                                              xs.back(), c == 0 ? std::max(0.0, r.lo) : 0.0, r.hi, "log2 f  (h' = f h)",
                                              c == 0 ? "Hilbert dim" : "mean angle (deg)", false, true);
        record_rect(c == 0 ? "scan_dim_plot" : "scan_angle_plot");
        plot::vline(a, 0.0, IM_COL32(255, 255, 255, 90));  // the results' own bandwidth
        std::vector<std::pair<std::string, ImU32>> leg;
        for (std::size_t mi = 0; mi < s.models.size(); ++mi) {
            if (!s.models[mi].enabled || !s.models[mi].failed.empty()) continue;
            plot::line(a, xs, ys[mi], model_color(int(mi)));
            leg.push_back({s.models[mi].name, model_color(int(mi))});
        }
        if (c == 0) {
            char sig[32];
            std::snprintf(sig, sizeof sig, "sigma %g", selected_sigma());
            leg.insert(leg.begin(), {sig, IM_COL32(0, 0, 0, 0)});
            plot::legend(a, leg);
        }
        const std::string name = c == 0 ? "scan_dim" : "scan_angle";
        if (a.hovered) {  // the nearest factor and each model's value there
            const double x = a.x_of(ImGui::GetIO().MousePos.x);
            std::size_t best = 0;
            for (std::size_t i = 0; i < xs.size(); ++i)
                if (std::fabs(xs[i] - x) < std::fabs(xs[best] - x)) best = i;
            char head[48];
            std::snprintf(head, sizeof head, "\n\nf = %g (h' = %g h)", factors[best], factors[best]);
            std::string text = std::string(kHelpScan[c]) + head;
            for (std::size_t mi = 0; mi < s.models.size(); ++mi) {
                if (!std::isfinite(ys[mi][best])) continue;
                char line[96];
                std::snprintf(line, sizeof line, "\n%s: %.4g", s.models[mi].name.c_str(), ys[mi][best]);
                text += line;
            }
            help(name, text);
        } else help(name, kHelpScan[c]);
    }
}

}  // namespace app
