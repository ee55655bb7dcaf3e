#pragma once
// EventPrinter: the deciding half of a line-oriented progress display. It
// turns each event into the text to append to the output (possibly none) and,
// at the end, the closing text. No I/O and no clock: the caller writes the
// text and the event times are the only times used, so output is repeatable.
// Not thread-safe; StreamDisplay serializes calls.
#include <string>

#include "solver/core/progress.h"

namespace cli::progress {

class EventPrinter {
 public:
  virtual ~EventPrinter() = default;
  virtual std::string on_event(const solver::ProgressEvent& event) = 0;
  // Called once after the last event.
  virtual std::string finish() = 0;
};

}  // namespace cli::progress
