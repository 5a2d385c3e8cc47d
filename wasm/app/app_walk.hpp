// app_walk.hpp: find, neighbours and the walk between two samples, the explorer's tabbed panel
// "Find, neighbours, walk" (app_walk.cpp) and its marks in the 2-D view.
//
// Index: 1. the selection set (by class or by stratum) and its isolation  2. neighbours of the
//        selected sample  3. the walk: endpoints, requests, the per-model results as they arrive
//        4. the panel, the path in the 2-D view, and a click on a sample
//
// The page (web/main.mjs, section 8) asks the worker for what the panel needs: it takes the requests
// below (takeWalkRequest, takeNeighboursRequest: app_walk.cpp's embind table) as soon as the panel
// makes one (Module.onWalkRequest) and hands the answers back step by step, so the first decoded
// image of a walk shows while the others are still decoding.
#pragma once
#include "app_images.hpp"
#include "app_plot.hpp"
#include "app_state.hpp"

#include <array>
#include <string>
#include <vector>

namespace app {

// 1. The selection set ------------------------------------------------------------------------------------
// By class (the samples' labels) or by stratum (a rank triple of the kernel-PCA view's model's clean
// set). With `isolate` the 2-D views fade every point outside the set (or, with no set, every point
// but the selected sample).
struct Selection {
    enum class Rule { None, Class, Stratum };
    Rule rule = Rule::None;
    int label = 0;               // Rule::Class
    std::array<int, 3> ranks{};  // Rule::Stratum
    bool isolate = false;
};
Selection& selection();
bool in_selection(int sample);  // a member of the set (with no set: the selected sample)
int selection_count();          // members among the N samples
bool faded(int sample);         // isolation is on and the sample is not a member
std::string find_text();        // the URL's form: "", "class:C" or "stratum:R1-R2-R3"
void set_find_text(const std::string& rule);

// 2. Neighbours of the selected sample in the kernel-PCA view's model --------------------------------------
struct Neighbour {
    int index = 0;
    double distance = 0.0;
};
struct Neighbours {
    int k = 8;
    std::string key;   // "model/sample/k" of the lists below ("": none yet)
    std::string want;  // the same of what the panel wants shown
    bool asked = false;
    std::vector<Neighbour> latent, kernel;
    int kernel_dim = 0;
    std::string error;
};
Neighbours& neighbours();

// 3. The walk -------------------------------------------------------------------------------------------------
// One studied model's path between the same two samples: filled by the page as the worker answers.
struct WalkModel {
    std::string name, latent;  // latent: "mu" (a variational model's mean) or "latent"
    InputShape image{1, 28, 28};
    bool path = false;  // the path's numbers have arrived
    std::vector<double> t, distance;
    std::vector<std::array<int, 3>> ranks;
    std::vector<bool> changes;                  // the step's stratum differs from the previous step's
    std::vector<std::array<double, 2>> coords;  // each step in the clean set's kernel-PCA view
    std::vector<PixelImage> images;             // decoded steps (empty until each arrives)
    std::vector<bool> decoded;
    bool has_decoder = true;
    std::string error;
};
struct Walk {
    int a = -1, b = -1, steps = 9;
    int picking = 0;         // 1: the next click on a sample sets A, 2: it sets B
    bool requested = false;  // a walk to run (the page takes it)
    int serial = 0;          // counts walks asked for; answers of older ones are dropped
    double asked_ms = -1.0;  // when it was asked (performance.now())
    double first_ms = -1.0;  // when a frame first drew a decoded step of it
    double done_ms = -1.0;   // when the worker said every model was done
    std::vector<WalkModel> models;
    int tab_request = -1;  // a tab to open (0 find, 1 neighbours, 2 walk)
    int tab = 0;           // the tab shown
};
Walk& walk();
// Asks for the walk between A and B in `steps` steps (the page takes the request).
void request_walk(int a, int b, int steps);

// 4. The panel and the 2-D view ---------------------------------------------------------------------------------
void find_walk_panel();
// The walk of the view's model drawn over the kernel-PCA view (not in t-SNE: no projection there).
void draw_walk_path(const plot::Axes& a, const std::string& model);
// A click on sample i in a view, the strip or a list: it becomes the selected sample and, while
// picking, the walk's next endpoint (the second pick starts the walk).
void pick_sample(int i);

}  // namespace app
