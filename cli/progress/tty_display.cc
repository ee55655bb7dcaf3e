#include "cli/progress/tty_display.h"

#include "cli/progress/terminal.h"

namespace cli::progress {

namespace {

int64_t monotonic_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TtyDisplay::TtyDisplay(TtyOptions options) : m_options(options), m_thread([this] { run(); }) {}

TtyDisplay::~TtyDisplay() { finish(); }

void TtyDisplay::on_event(const solver::ProgressEvent& event) {
  std::lock_guard lock(m_mutex);
  if (m_finished) return;
  m_trace.apply(event);
}

void TtyDisplay::set_total_steps(int count) {
  std::lock_guard lock(m_mutex);
  m_total_steps = count;
}

std::string TtyDisplay::next_frame_bytes(bool final) {
  TerminalSize size = terminal_size(m_options.fd);
  FrameOptions opts;
  opts.width = size.width;
  opts.height = size.height;
  opts.color = m_options.color;
  opts.final = final;
  opts.total_steps = m_total_steps;
  Frame next = render_frame(m_trace, monotonic_now_ns(), opts);
  std::string bytes = redraw(m_drawn, next, size.width);
  m_drawn = std::move(next);
  return bytes;
}

void TtyDisplay::run() {
  std::unique_lock lock(m_mutex);
  while (!m_stopping) {
    m_wake.wait_for(lock, k_frame_interval, [this] { return m_stopping; });
    // Nothing is drawn before the first event, so a build that fails before
    // any step starts leaves no empty frame behind.
    if (m_stopping || m_trace.empty()) continue;
    std::string bytes = next_frame_bytes(false);
    // Write without the lock: a slow terminal must not stall the solver's
    // threads in on_event.
    lock.unlock();
    write_all(m_options.fd, bytes);
    lock.lock();
  }
}

void TtyDisplay::finish() {
  {
    std::lock_guard lock(m_mutex);
    if (m_finished) return;
    m_finished = true;
    m_stopping = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable()) m_thread.join();
  std::lock_guard lock(m_mutex);
  if (m_trace.empty()) return;
  write_all(m_options.fd, next_frame_bytes(true) + m_trace.error_summary());
}

}  // namespace cli::progress
