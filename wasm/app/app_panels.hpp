// app_panels.hpp: the explorer's panels, drawn every frame from app::state().
#pragma once
namespace app {
void draw_panels(float canvas_w, float canvas_h);
void settings_panel();      // app_settings.cpp
void bandwidth_scan_tab();  // app_scan.cpp: a tab of the curves panel
}  // namespace app
