#pragma once
// TtyDisplay: the live `--progress=tty` view. A background thread redraws the
// frame (tty_frame.h) in place every k_frame_interval, so running steps'
// timers tick even when they print nothing; events only update the trace
// under a mutex. Each frame goes out in one write(). The terminal size is read
// before every frame, so resizes take effect on the next one. finish() stops
// the thread, draws the final frame and prints the failed steps' last output
// lines below it.
//
// Event times must come from the monotonic clock (std::chrono::steady_clock),
// which the view also uses for "now".
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "cli/progress/build_trace.h"
#include "cli/progress/progress_display.h"
#include "cli/progress/tty_frame.h"

namespace cli::progress {

struct TtyOptions {
  int fd = 2;
  bool color = true;
};

class TtyDisplay final : public ProgressDisplay {
 public:
  static constexpr std::chrono::milliseconds k_frame_interval{100};

  explicit TtyDisplay(TtyOptions options);
  ~TtyDisplay() override;
  TtyDisplay(const TtyDisplay&) = delete;
  TtyDisplay& operator=(const TtyDisplay&) = delete;

  void on_event(const solver::ProgressEvent& event) override;
  void finish() override;
  void set_total_steps(int count) override;

 private:
  void run();
  // The bytes that replace the last frame with the current one. Caller holds
  // m_mutex.
  std::string next_frame_bytes(bool final);

  TtyOptions m_options;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  BuildTrace m_trace;
  Frame m_drawn;  // what the terminal shows now
  int m_total_steps = 0;
  bool m_stopping = false;
  bool m_finished = false;
  std::thread m_thread;  // last: starts after the members it uses exist
};

}  // namespace cli::progress
