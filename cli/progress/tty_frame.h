#pragma once
// The TTY progress view as pure functions: render_frame turns a BuildTrace, a
// time and the terminal size into the lines to show, and redraw turns the
// previous and next frames into the bytes that replace one with the other in
// place. TtyDisplay (tty_display.h) only adds the thread, the clock and the
// terminal. The view follows BuildKit's:
//
//   [+] Building 12.3s (5/9)
//    => [internal] load build context                            0.1s
//    => CACHED [build 2/4] COPY go.mod go.sum ./                 0.0s
//    => [build 3/4] RUN go build ./...                           8.4s
//    => => # compiling example.com/app/internal/db
//    => ERROR [build 4/4] RUN go vet ./...                       0.9s
//
// Timers of running steps tick; the last output lines of running and failed
// steps are shown dimmed under them; finished rows are coloured (blue done or
// cached, red error, yellow canceled).
#include <cstdint>
#include <string>
#include <vector>

#include "cli/progress/build_trace.h"

namespace cli::progress {

struct FrameOptions {
  int width = 80;       // terminal columns; lines use at most width - 1
  int height = 0;       // terminal rows; 0 = no limit (a live frame must fit)
  bool color = true;    // SGR colours and dim output lines
  bool final = false;   // the closing frame: every row, no output lines
  int total_steps = 0;  // steps the build will have, if known; else those seen
};

struct FrameLine {
  std::string text;  // may hold SGR codes; no cursor movement, no newline
  int columns = 0;   // columns the text occupies on screen
};

struct Frame {
  std::vector<FrameLine> lines;
  // The lines, each ended by a newline.
  std::string text() const;
};

// How many output lines at most are shown under a running or failed step.
inline constexpr size_t k_shown_output_lines = 6;

Frame render_frame(const BuildTrace& trace, int64_t now_ns, const FrameOptions& options);

// The bytes that move the cursor from just below `previous` (empty: nothing
// drawn yet) to its first line and draw `next` over it, erasing what is left.
// `width` is the terminal's width now: a narrower terminal may have wrapped
// the previous lines, so they may take more rows than lines. One string, so
// the caller can draw a frame with one write() and the terminal never shows a
// half-drawn frame.
std::string redraw(const Frame& previous, const Frame& next, int width);

}  // namespace cli::progress
