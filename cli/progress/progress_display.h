#pragma once
// The build progress display of `kiln build --progress=auto|tty|plain|json`
// (and -q). make_progress_sink picks and creates one; the build hands it to
// the solver as its ProgressSink and calls finish() when the build is over.
//
//   tty    a live view redrawn in place ~10 times a second (tty_display.h)
//   plain  BuildKit's "#N ..." log lines, no escape codes (plain_printer.h)
//   json   one JSON object per event per line (json_printer.h)
//   quiet  nothing at all (-q: the CLI prints only the image id)
//   auto   tty when the output is a terminal and TERM is not "dumb", else plain
//
// Like docker, the display writes to the fd it is given (stderr in the CLI).
// While a tty display runs nothing else should write to that terminal.
#include <memory>
#include <string_view>

#include "base/result.h"
#include "solver/core/progress.h"

namespace cli::progress {

// A ProgressSink with an end. on_event is thread-safe and never blocks on the
// terminal for long. finish() draws the final frame or closing text (the
// failed steps' last output lines included) and stops any thread; it is
// idempotent, events after it are ignored, and the destructor calls it.
class ProgressDisplay : public solver::ProgressSink {
 public:
  virtual void finish() = 0;
  // How many steps the build has, when the caller knows, for the tty
  // header's "(done/total)"; without it the total counts the steps seen.
  virtual void set_total_steps(int /*count*/) {}
};

enum class ProgressMode { automatic, tty, plain, json, quiet };

// "auto", "tty", "plain", "json" or "quiet" (docker's names).
base::Result<ProgressMode> parse_progress_mode(std::string_view text);

// What `automatic` means for this output: tty when `is_terminal` and `term`
// (the TERM variable) is not "dumb", else plain. Other modes pass through.
ProgressMode resolve_progress_mode(ProgressMode mode, bool is_terminal, std::string_view term);

// The display for `mode` writing to `fd`. Reads TERM (for auto) and NO_COLOR
// (no colours in the tty view) from the environment. Fails for tty when `fd`
// is not a terminal, as docker does.
base::Result<std::unique_ptr<ProgressDisplay>> make_progress_sink(ProgressMode mode, int fd);

}  // namespace cli::progress
