// progress.cpp: the bar. Index: 1. construction  2. drawing
#include "progress.hpp"

#include <unistd.h>
#include <cstdio>

namespace strata {

// 1. Construction ----------------------------------------------------------------------------------
ProgressBar::ProgressBar(std::string label, long total, bool enabled)
    : label_(std::move(label)),
      total_(total > 0 ? total : 1),
      enabled_(enabled),
      tty_(isatty(2) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

double ProgressBar::elapsed_s() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

// 2. Drawing ------------------------------------------------------------------------------------------
namespace {
std::string clock_text(double s) {
    if (!(s >= 0) || s > 359999) return "--:--";
    char b[32];
    const long t = long(s + 0.5);
    if (t >= 3600) std::snprintf(b, sizeof b, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else std::snprintf(b, sizeof b, "%ld:%02ld", t / 60, t % 60);
    return b;
}
}  // namespace

void ProgressBar::update(long done, const std::string& extra) {
    if (!enabled_) return;
    if (first_ < 0) {
        first_ = done;
        start_ = std::chrono::steady_clock::now();
    }
    const auto now = std::chrono::steady_clock::now();
    const long decile = done * 10 / total_;
    if (tty_ ? (now - last_draw_ < std::chrono::milliseconds(200) && done < total_) : decile == last_decile_) return;
    last_draw_ = now;
    last_decile_ = decile;
    const double t = elapsed_s();
    const double rate = t > 0 ? double(done - first_) / t : 0.0;
    const double eta = rate > 0 ? double(total_ - done) / rate : -1;
    const int width = 24, filled = int(double(width) * done / total_);
    std::string bar(std::size_t(filled), '#');
    bar.resize(width, '.');
    std::fprintf(stderr, "%s%s [%s] %3ld%% %s  %.0f img/s  ETA %s%s", tty_ ? "\r" : "", label_.c_str(), bar.c_str(),
                 done * 100 / total_, extra.c_str(), rate, clock_text(eta).c_str(), tty_ ? "\033[K" : "\n");
    std::fflush(stderr);
}

void ProgressBar::finish(const std::string& extra) {
    if (!enabled_) return;
    std::fprintf(stderr, "%s%s done in %s  %s%s\n", tty_ ? "\r" : "", label_.c_str(), clock_text(elapsed_s()).c_str(),
                 extra.c_str(), tty_ ? "\033[K" : "");
}

}  // namespace strata
