#pragma once
// StreamDisplay: a ProgressDisplay that appends an EventPrinter's text to an
// fd (plain and json modes). A mutex serializes events and writes, so lines
// of concurrent steps never interleave mid-line.
#include <memory>
#include <mutex>

#include "cli/progress/event_printer.h"
#include "cli/progress/progress_display.h"

namespace cli::progress {

class StreamDisplay final : public ProgressDisplay {
 public:
  StreamDisplay(std::unique_ptr<EventPrinter> printer, int fd);
  ~StreamDisplay() override;
  void on_event(const solver::ProgressEvent& event) override;
  void finish() override;

 private:
  std::mutex m_mutex;
  std::unique_ptr<EventPrinter> m_printer;
  int m_fd;
  bool m_finished = false;
};

// Prints nothing (-q and --progress=quiet).
class QuietDisplay final : public ProgressDisplay {
 public:
  void on_event(const solver::ProgressEvent&) override {}
  void finish() override {}
};

}  // namespace cli::progress
