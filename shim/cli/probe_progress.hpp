// The one line `probe` rewrites on a terminal while it works ("testing TLSv1.1 ... 1/5"),
// so that a slow server, where each attempt waits for --timeout, does not look like a
// hang. It goes to standard error, as curl's and wget's progress does, only when that is
// a terminal and the report is text; it is erased before anything else is printed, so
// the report and the error lines are the same as without a terminal.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>

namespace tlso::probe {

class Progress {
public:
    explicit Progress(bool shown) : shown_(shown) {}
    ~Progress() { erase(); }
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    // Standard error is a terminal: where a progress line can be rewritten.
    static bool terminal();

    // A step of `total` tasks, none done yet; 0 for a step that is not counted.
    void step(int total);
    // A task begins: "testing TLSv1.1". The line shows the latest one and the count.
    void started(std::string what);
    void finished();
    // Blanks the line; later calls draw it again. Safe from any thread.
    void erase();

private:
    void draw();  // with mutex_ held

    const bool shown_;
    std::mutex mutex_;
    std::string what_;
    int done_ = 0;
    int total_ = 0;
    std::size_t drawn_ = 0;  // columns the line takes on the terminal now
};

}  // namespace tlso::probe
