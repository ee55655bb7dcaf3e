#include "cli/progress/stream_display.h"

#include "cli/progress/terminal.h"

namespace cli::progress {

StreamDisplay::StreamDisplay(std::unique_ptr<EventPrinter> printer, int fd)
    : m_printer(std::move(printer)), m_fd(fd) {}

StreamDisplay::~StreamDisplay() { finish(); }

void StreamDisplay::on_event(const solver::ProgressEvent& event) {
  std::lock_guard lock(m_mutex);
  if (m_finished) return;
  write_all(m_fd, m_printer->on_event(event));
}

void StreamDisplay::finish() {
  std::lock_guard lock(m_mutex);
  if (m_finished) return;
  m_finished = true;
  write_all(m_fd, m_printer->finish());
}

}  // namespace cli::progress
