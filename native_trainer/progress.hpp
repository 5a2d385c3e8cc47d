// progress.hpp: a one-line progress bar on stderr (torch-free).
//
// On a terminal the line is redrawn in place at most 5 times a second; when stderr is a file or a
// pipe (logs, CI) a plain line is printed every 10 % instead, so logs stay readable.
#pragma once
#include <chrono>
#include <string>

namespace strata {

class ProgressBar {
public:
    ProgressBar(std::string label, long total, bool enabled = true);
    // `done` items of `total`; `extra` (e.g. "loss 0.0123") goes after the bar; items/s and ETA
    // are computed from the time since construction and `done - start_done`.
    void update(long done, const std::string& extra);
    void finish(const std::string& extra);  // final line with a newline
    double elapsed_s() const;

private:
    std::string label_;
    long total_, first_ = -1, last_decile_ = -1;
    bool enabled_, tty_;
    std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace strata
