// app_present.cpp: the damaged rectangles of a frame, and drawing only those (app_present.hpp).
//
// Index: 1. pixel rectangles and the backend's scissor  2. a frame's picture (its triangles)
//        3. damage: what differs from the last presented frame  4. drawing one rectangle
//        5. present()
//
// Why the result is exact: ImGui's OpenGL backend draws every triangle clipped to its command's
// ClipRect (the scissor), so its pixels lie in the box of its vertices cut to that scissor. Lists
// are compared place by place in the draw order and, within a list that changed, triangle by
// triangle from both ends: outside the boxes of the triangles that differ (old and new), every
// pixel gets the same triangles in the same order as in the last presented frame, so it is what
// it was. The damaged rectangles are cleared and drawn again with every list in order, each
// command's scissor cut to the rectangle in whole pixels exactly as the backend sets it for a
// whole frame. So the canvas shows what a full redraw gives, pixel for pixel
// (tests/browser/explorer.test.mjs compares the two).
#include "app_present.hpp"

#include "imgui_impl_opengl3.h"

#include <GLES3/gl3.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <vector>

namespace app {
namespace {

// 1. Pixel rectangles [x0, x1) x [y0, y1), rows counted from the top -------------------------------------
struct IRect {
    int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    bool empty() const { return x1 <= x0 || y1 <= y0; }
    long long area() const { return empty() ? 0 : static_cast<long long>(x1 - x0) * (y1 - y0); }
};

IRect unite(const IRect& a, const IRect& b) {
    if (a.empty()) return b;
    if (b.empty()) return a;
    return {std::min(a.x0, b.x0), std::min(a.y0, b.y0), std::max(a.x1, b.x1), std::max(a.y1, b.y1)};
}

IRect intersect(const IRect& a, const IRect& b) {
    return {std::max(a.x0, b.x0), std::max(a.y0, b.y0), std::min(a.x1, b.x1), std::min(a.y1, b.y1)};
}

// The pixels a command may touch: the scissor imgui_impl_opengl3.cpp sets for its ClipRect
// (corner and size truncated to integers, rows counted from the bottom in GL), in our rows.
// Empty when the backend skips the command.
IRect scissor_of(const ImVec4& clip, const ImDrawData& dd, int fb_h) {
    const float x1 = (clip.x - dd.DisplayPos.x) * dd.FramebufferScale.x;
    const float y1 = (clip.y - dd.DisplayPos.y) * dd.FramebufferScale.y;
    const float x2 = (clip.z - dd.DisplayPos.x) * dd.FramebufferScale.x;
    const float y2 = (clip.w - dd.DisplayPos.y) * dd.FramebufferScale.y;
    if (x2 <= x1 || y2 <= y1) return {};
    const int gx = static_cast<int>(x1), gy = static_cast<int>(fb_h - y2);
    const int w = static_cast<int>(x2 - x1), h = static_cast<int>(y2 - y1);
    return {gx, fb_h - (gy + h), gx + w, fb_h - gy};
}

// The ClipRect whose backend scissor is exactly `r` (integers are exact in floats).
ImVec4 clip_of(const IRect& r, const ImDrawData& dd) {
    const ImVec2 o = dd.DisplayPos, s = dd.FramebufferScale;
    return {r.x0 / s.x + o.x, r.y0 / s.y + o.y, r.x1 / s.x + o.x, r.y1 / s.y + o.y};
}

// 2. A frame's picture: every triangle, with what decides its pixels and where they can be ---------------------
// How many times each texture's pixels changed (texture_changed): part of its triangles' hashes.
std::map<ImTextureID, std::uint64_t>& texture_versions() {
    static std::map<ImTextureID, std::uint64_t> versions;
    return versions;
}

// ImGui merges whatever shares a clip rectangle and a texture into one command (a whole panel's
// text and shapes), so commands are too coarse: a changed number in a panel would redraw the
// panel. Triangles are fine enough: each has a hash of its three vertices (position, texture
// coordinate, colour), its scissor, its texture and that texture's version, and the pixel box it
// can touch.
struct Triangle {
    std::uint64_t hash = 0;
    IRect box;
};

struct ListPicture {
    std::uint64_t hash = 0;           // of all its triangles, in order
    std::vector<Triangle> triangles;  // in draw order
};

std::uint64_t mix(std::uint64_t h, std::uint64_t w) { return (h ^ w) * 1099511628211ull; }  // FNV-1a, a word at a time

ListPicture picture_of(const ImDrawList& list, const ImDrawData& dd, int fb_h) {
    ListPicture p;
    p.hash = 1469598103934665603ull;
    p.triangles.reserve(static_cast<std::size_t>(list.IdxBuffer.Size / 3));
    for (const ImDrawCmd& c : list.CmdBuffer) {
        const IRect scissor = scissor_of(c.ClipRect, dd, fb_h);
        if (c.UserCallback != nullptr || c.ElemCount == 0 || scissor.empty()) continue;  // draws nothing
        std::uint64_t cmd = 1469598103934665603ull;
        cmd = mix(cmd, (static_cast<std::uint64_t>(static_cast<std::uint32_t>(scissor.x0)) << 32) |
                           static_cast<std::uint32_t>(scissor.y0));
        cmd = mix(cmd, (static_cast<std::uint64_t>(static_cast<std::uint32_t>(scissor.x1)) << 32) |
                           static_cast<std::uint32_t>(scissor.y1));
        cmd = mix(cmd, reinterpret_cast<std::uintptr_t>(c.TextureId));
        const auto version = texture_versions().find(c.TextureId);
        cmd = mix(cmd, version == texture_versions().end() ? 0 : version->second);
        const ImDrawIdx* idx = list.IdxBuffer.Data + c.IdxOffset;
        const ImDrawVert* vtx = list.VtxBuffer.Data + c.VtxOffset;
        for (unsigned t = 0; t + 3 <= c.ElemCount; t += 3) {
            std::uint64_t h = cmd;
            float x0 = 1e30f, y0 = 1e30f, x1 = -1e30f, y1 = -1e30f;
            for (int k = 0; k < 3; ++k) {
                const ImDrawVert& v = vtx[idx[t + k]];
                std::uint32_t w[5];
                static_assert(sizeof(ImDrawVert) == sizeof w, "ImDrawVert: pos, uv, col");
                std::memcpy(w, &v, sizeof w);
                h = mix(h, (static_cast<std::uint64_t>(w[0]) << 32) | w[1]);
                h = mix(h, (static_cast<std::uint64_t>(w[2]) << 32) | w[3]);
                h = mix(h, w[4]);
                x0 = std::min(x0, v.pos.x);
                x1 = std::max(x1, v.pos.x);
                y0 = std::min(y0, v.pos.y);
                y1 = std::max(y1, v.pos.y);
            }
            // Pixels whose centres the triangle covers, and a pixel more on each side.
            const ImVec2 o = dd.DisplayPos, s = dd.FramebufferScale;
            const IRect box{
                static_cast<int>(std::floor((x0 - o.x) * s.x)) - 1, static_cast<int>(std::floor((y0 - o.y) * s.y)) - 1,
                static_cast<int>(std::ceil((x1 - o.x) * s.x)) + 1, static_cast<int>(std::ceil((y1 - o.y) * s.y)) + 1};
            Triangle tri{h, intersect(box, scissor)};
            if (tri.box.empty()) continue;  // clipped away: draws nothing
            p.hash = mix(p.hash, h);
            p.triangles.push_back(tri);
        }
    }
    return p;
}

// 3. Damage -----------------------------------------------------------------------------------------------
struct Presented {
    bool valid = false;
    int fb_w = 0, fb_h = 0;
    std::vector<ListPicture> lists;  // in draw order
};
Presented g_last;
PresentStats g_stats;

// At most this many rectangles are drawn separately (each is one pass of the backend, with its
// GL state saved and restored); more are merged into their bounding box.
constexpr int kMaxRects = 3;

// Adds `r` to `rects`, merging rectangles whose bounding box costs little more than both.
void add_damage(std::vector<IRect>& rects, IRect r) {
    if (r.empty()) return;
    for (bool merged = true; merged;) {
        merged = false;
        for (std::size_t i = 0; i < rects.size(); ++i) {
            const IRect u = unite(rects[i], r);
            if (!intersect(rects[i], r).empty() || u.area() <= (rects[i].area() + r.area()) * 5 / 4) {
                r = u;
                rects.erase(rects.begin() + static_cast<std::ptrdiff_t>(i));
                merged = true;
                break;
            }
        }
    }
    rects.push_back(r);
    if (static_cast<int>(rects.size()) > kMaxRects) {
        IRect all;
        for (const IRect& q : rects) all = unite(all, q);
        rects.assign(1, all);
    }
}

// What differs between two pictures of a list: the triangles between their common beginning and
// common end (a changed number in a panel, a line added to a plot), old and new.
IRect changed_box(const ListPicture& a, const ListPicture& b) {
    const std::size_t na = a.triangles.size(), nb = b.triangles.size();
    std::size_t head = 0;
    while (head < na && head < nb && a.triangles[head].hash == b.triangles[head].hash) ++head;
    std::size_t tail = 0;
    while (tail < na - head && tail < nb - head && a.triangles[na - 1 - tail].hash == b.triangles[nb - 1 - tail].hash)
        ++tail;
    IRect box;
    for (std::size_t i = head; i < na - tail; ++i) box = unite(box, a.triangles[i].box);
    for (std::size_t i = head; i < nb - tail; ++i) box = unite(box, b.triangles[i].box);
    return box;
}

// 4. One rectangle: cleared, then every list that reaches into it, each command cut to it --------------------
void draw_rect(ImDrawData& dd, const IRect& r, int fb_h) {
    glEnable(GL_SCISSOR_TEST);
    glScissor(r.x0, fb_h - r.y1, r.x1 - r.x0, r.y1 - r.y0);
    glClearColor(0.08f, 0.08f, 0.10f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);

    std::vector<ImDrawList*> lists;
    std::vector<ImVec4> saved;  // every command's ClipRect, restored after the pass
    for (int l = 0; l < dd.CmdListsCount; ++l) {
        ImDrawList* list = dd.CmdLists[l];
        bool reaches = false;
        for (ImDrawCmd& c : list->CmdBuffer) {
            saved.push_back(c.ClipRect);
            const IRect cut = intersect(scissor_of(c.ClipRect, dd, fb_h), r);
            if (cut.empty() || c.ElemCount == 0) {
                c.ClipRect = ImVec4(0, 0, 0, 0);  // skipped by the backend
            } else {
                c.ClipRect = clip_of(cut, dd);
                reaches = true;
            }
        }
        if (reaches) lists.push_back(list);
    }
    ImDrawData part = dd;  // the same frame, only the lists that reach into r
    part.CmdLists = lists.data();
    part.CmdListsCount = static_cast<int>(lists.size());
    if (!lists.empty()) ImGui_ImplOpenGL3_RenderDrawData(&part);

    std::size_t at = 0;
    for (int l = 0; l < dd.CmdListsCount; ++l)
        for (ImDrawCmd& c : dd.CmdLists[l]->CmdBuffer) c.ClipRect = saved[at++];
    glDisable(GL_SCISSOR_TEST);
}

}  // namespace

// 5. present() ------------------------------------------------------------------------------------------------
void texture_changed(ImTextureID texture) { texture_versions()[texture] += 1; }

bool present(ImDrawData& dd, int fb_w, int fb_h, bool full) {
    std::vector<ListPicture> now;
    now.reserve(static_cast<std::size_t>(dd.CmdListsCount));
    for (int l = 0; l < dd.CmdListsCount; ++l) now.push_back(picture_of(*dd.CmdLists[l], dd, fb_h));

    const IRect canvas{0, 0, fb_w, fb_h};
    std::vector<IRect> rects;
    if (full || !g_last.valid || g_last.fb_w != fb_w || g_last.fb_h != fb_h) {
        rects.push_back(canvas);
    } else {
        // Lists compared place by place in the draw order: a window raised above others changes
        // the places (and so the pixels where they overlap) of every list it passes.
        static const ListPicture kNone;
        const std::size_t n = std::max(now.size(), g_last.lists.size());
        for (std::size_t i = 0; i < n; ++i) {
            const ListPicture& a = i < g_last.lists.size() ? g_last.lists[i] : kNone;
            const ListPicture& b = i < now.size() ? now[i] : kNone;
            if (a.hash != b.hash || a.triangles.size() != b.triangles.size())
                add_damage(rects, intersect(changed_box(a, b), canvas));
        }
        // Most of the canvas: one full pass is cheaper than several partial ones.
        long long area = 0;
        for (const IRect& r : rects) area += r.area();
        if (area * 10 > canvas.area() * 7) rects.assign(1, canvas);
    }
    g_stats = {};
    if (rects.empty()) return false;

    glViewport(0, 0, fb_w, fb_h);
    for (const IRect& r : rects) {
        draw_rect(dd, r, fb_h);
        g_stats.redrawn += static_cast<double>(r.area()) / static_cast<double>(canvas.area());
    }
    g_stats.rects = static_cast<int>(rects.size());
    g_last = {true, fb_w, fb_h, std::move(now)};
    return true;
}

const PresentStats& last_present() { return g_stats; }

}  // namespace app
