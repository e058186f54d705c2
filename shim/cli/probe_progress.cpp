// The progress line. See probe_progress.hpp.
#include "probe_progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

namespace tlso::probe {

namespace {

// One write per redraw, so that the line never shows half of one state.
void write_all(const std::string& text) {
    std::size_t written = 0;
    while (written < text.size()) {
        ssize_t n = ::write(STDERR_FILENO, text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // a closed terminal: the probe goes on without its line
        written += static_cast<std::size_t>(n);
    }
}

// A line as wide as the terminal wraps, and \r then rewrites only its last part: keep
// it one column short. A pty nobody sized (script(1) without a terminal) reports 0.
std::size_t usable_columns() {
    winsize size{};
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 1) return size.ws_col - 1u;
    return 79;
}

}  // namespace

bool Progress::terminal() { return ::isatty(STDERR_FILENO) == 1; }

void Progress::step(int total) {
    std::lock_guard lock(mutex_);
    done_ = 0;
    total_ = total;
}

void Progress::started(std::string what) {
    std::lock_guard lock(mutex_);
    what_ = std::move(what);
    draw();
}

void Progress::finished() {
    std::lock_guard lock(mutex_);
    ++done_;
    draw();
}

void Progress::erase() {
    std::lock_guard lock(mutex_);
    if (!shown_ || drawn_ == 0) return;
    write_all("\r" + std::string(drawn_, ' ') + "\r");
    drawn_ = 0;
}

void Progress::draw() {
    if (!shown_ || what_.empty()) return;
    std::string line = what_ + " ...";
    if (total_ > 0) line += " " + std::to_string(done_) + "/" + std::to_string(total_);
    line.resize(std::min(line.size(), usable_columns()));
    // Spaces over what is left of a longer previous line.
    std::string text = "\r" + line + std::string(drawn_ > line.size() ? drawn_ - line.size() : 0, ' ');
    if (drawn_ > line.size()) text += "\r" + line;
    write_all(text);
    drawn_ = line.size();
}

}  // namespace tlso::probe
