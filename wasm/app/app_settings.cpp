// app_settings.cpp: the settings panel (docs/method.md names). Edits app::state().edited; Apply asks
// the page to recompute (it takes the request through app_bridge.cpp's takeSettingsRequest).
//
// Index: 1. the widgets  2. Apply
//
// Why an explicit Apply: every change recomputes (the geometry, or for N and vae_latent also the
// networks), which takes seconds; applying each keystroke would restart it over and over.
#include "app_panels.hpp"
#include "app_state.hpp"
#include "imgui.h"

namespace app {

void settings_panel() {
    AppState& s = state();
    Settings& e = s.edited;
    ImGui::Begin("Settings");
    ImGui::PushItemWidth(ImGui::GetContentRegionAvail().x * 0.5f);

    // 1. Widgets -----------------------------------------------------------------------------------
    static const char* metrics[] = {"log-euclidean", "bures-wasserstein", "affine-invariant", "fixed-rank"};
    if (ImGui::BeginCombo("metric", e.metric.c_str())) {
        for (const char* m : metrics)
            if (ImGui::Selectable(m, e.metric == m)) e.metric = m;
        ImGui::EndCombo();
    }
    record_rect("settings_metric");
    help("settings_metric",
         "metric: the distance d between two SPSD factors (docs/method.md section 5). log-euclidean (the "
         "default) is fast; bures-wasserstein, affine-invariant and fixed-rank solve a small eigenproblem per "
         "pair and take longer (an estimate is shown before a long run).");
    const double e_lo = 0.5, e_hi = 1.0;
    ImGui::SliderScalar("energy", ImGuiDataType_Double, &e.energy, &e_lo, &e_hi, "%.3f");
    record_rect("settings_energy");
    help("settings_energy",
         "energy (eta, docs/method.md section 6): the fraction of the centred kernel's "
         "spectrum the Hilbert dimension dim_eta keeps. Default 0.95; no unit.");
    // A checkbox for the default rule / heuristic, then the value used when it is off.
    const char* rank_help =
        "rank_rtol (docs/method.md section 4): a singular value s_i of a mode's centred unfolding counts "
        "towards the rank when s_i > s_1 * rank_rtol. Ticked: the default max(I_n, m_n) * 2^-23 (numpy's "
        "matrix_rank rule at float32 precision). No unit.";
    ImGui::Checkbox("##rank_default", &e.rank_rtol_default);
    record_rect("settings_rank_default");
    help("settings_rank_default", rank_help);
    ImGui::SameLine();
    ImGui::BeginDisabled(e.rank_rtol_default);
    ImGui::InputDouble("rank_rtol", &e.rank_rtol, 0, 0, e.rank_rtol_default ? "default" : "%.2e");
    ImGui::EndDisabled();
    record_rect("settings_rank_rtol");
    help("settings_rank_rtol", rank_help);
    const char* bandwidth_help =
        "bandwidth h (docs/method.md section 6) of the kernel exp(-d^2 / (2 h^2)). Ticked: the median of the "
        "clean set's pairwise distances (the median heuristic), one h per model for every sigma. Unit: the "
        "metric's distance.";
    ImGui::Checkbox("##bandwidth_median", &e.bandwidth_median);
    record_rect("settings_bandwidth_median");
    help("settings_bandwidth_median", bandwidth_help);
    ImGui::SameLine();
    ImGui::BeginDisabled(e.bandwidth_median);
    ImGui::InputDouble("bandwidth h", &e.bandwidth, 0, 0, e.bandwidth_median ? "median" : "%.4g");
    ImGui::EndDisabled();
    record_rect("settings_bandwidth");
    help("settings_bandwidth", bandwidth_help);
    ImGui::Checkbox("centered", &e.centered);
    record_rect("settings_centered");
    help("settings_centered",
         "centered (docs/method.md section 3): each mode's fibres are centred on their mean "
         "before the covariance S(n) is formed (the paper's (7, 7, 48) for 64 x 7 x 7 "
         "latents). Off: S(n) = Z Z^T / m.");
    if (ImGui::BeginCombo("vae_latent", e.vae_latent.c_str())) {
        for (const char* v : {"sample", "mean"})
            if (ImGui::Selectable(v, e.vae_latent == v)) e.vae_latent = v;
        ImGui::EndCombo();
    }
    record_rect("settings_vae_latent");
    help("settings_vae_latent",
         "vae_latent (docs/method.md section 2): a VAE's latent is `sample` (z = mu + "
         "exp(logvar / 2) e with a fixed seed, what its decoder sees; the default) or "
         "`mean` (z = mu).");
    ImGui::InputInt("N images", &e.n, 10, 100);
    record_rect("settings_n");
    help("settings_n",
         "N (docs/method.md section 1): the first N images of the sample are studied, at every "
         "noise level. Time grows with N (the kernel's eigenproblems as N^3).");
    if (e.n < 2) e.n = 2;
    if (e.n > 1000) e.n = 1000;  // models/sample holds 1000 images
    ImGui::Checkbox("bandwidth scan", &e.bandwidth_scan);
    record_rect("settings_bandwidth_scan");
    help("settings_bandwidth_scan",
         "bandwidth_scan (docs/method.md, \"Bandwidth scan\"): also recompute dim_eta and the principal angles "
         "with the bandwidth h' = f h for f = 1/4, 1/2, 1, 2, 4, shown in the curves panel's \"bandwidth scan\" "
         "tab. A diagnostic: every other result keeps h. About one more kernel stage per factor.");
    ImGui::PopItemWidth();

    // 2. Apply --------------------------------------------------------------------------------------
    const bool changed = e != s.applied;
    ImGui::BeginDisabled(!changed || s.busy);
    if (ImGui::Button("Apply (recompute)")) s.apply_requested = true;
    ImGui::EndDisabled();
    record_rect("settings_apply");
    help("settings_apply",
         "Recomputes the study with these settings (what they change: the geometry; for N "
         "and vae_latent also the networks). A run estimated at more than 5 s shows its time left (and can be "
         "cancelled); one over 30 s asks first.");
    ImGui::SameLine();
    ImGui::BeginDisabled(!changed);
    if (ImGui::Button("Revert")) e = s.applied;
    ImGui::EndDisabled();
    if (s.busy) ImGui::TextDisabled("computing...");
    ImGui::End();
}

}  // namespace app
