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
    const double e_lo = 0.5, e_hi = 1.0;
    ImGui::SliderScalar("energy", ImGuiDataType_Double, &e.energy, &e_lo, &e_hi, "%.3f");
    record_rect("settings_energy");
    // A checkbox for the default rule / heuristic, then the value used when it is off.
    ImGui::Checkbox("##rank_default", &e.rank_rtol_default);
    record_rect("settings_rank_default");
    ImGui::SameLine();
    ImGui::BeginDisabled(e.rank_rtol_default);
    ImGui::InputDouble("rank_rtol", &e.rank_rtol, 0, 0, e.rank_rtol_default ? "default" : "%.2e");
    ImGui::EndDisabled();
    ImGui::Checkbox("##bandwidth_median", &e.bandwidth_median);
    ImGui::SameLine();
    ImGui::BeginDisabled(e.bandwidth_median);
    ImGui::InputDouble("bandwidth h", &e.bandwidth, 0, 0, e.bandwidth_median ? "median" : "%.4g");
    ImGui::EndDisabled();
    ImGui::Checkbox("centered", &e.centered);
    record_rect("settings_centered");
    if (ImGui::BeginCombo("vae_latent", e.vae_latent.c_str())) {
        for (const char* v : {"sample", "mean"})
            if (ImGui::Selectable(v, e.vae_latent == v)) e.vae_latent = v;
        ImGui::EndCombo();
    }
    ImGui::InputInt("N images", &e.n, 10, 100);
    if (e.n < 2) e.n = 2;
    if (e.n > 1000) e.n = 1000;  // models/sample holds 1000 images
    ImGui::PopItemWidth();

    // 2. Apply --------------------------------------------------------------------------------------
    const bool changed = e != s.applied;
    ImGui::BeginDisabled(!changed || s.busy);
    if (ImGui::Button("Apply (recompute)")) s.apply_requested = true;
    ImGui::EndDisabled();
    record_rect("settings_apply");
    ImGui::SameLine();
    ImGui::BeginDisabled(!changed);
    if (ImGui::Button("Revert")) e = s.applied;
    ImGui::EndDisabled();
    if (s.busy) ImGui::TextDisabled("computing...");
    ImGui::End();
}

}  // namespace app
