#pragma once
// Progress events: what the solver tells the CLI while a build runs. Plain
// data, delivered in order from any thread through ProgressSink::on_event
// (implementations serialize). The CLI renders them as a live TTY view, plain
// log lines or JSON lines (cli/progress/).
#include <cstdint>
#include <string>

namespace solver {

enum class EventKind {
  step_started,   // a step began running (not sent for cached steps)
  step_cached,    // the step's result came from the cache
  step_log,       // output of a running step (RUN stdout/stderr, transfer notes)
  step_finished,  // the step ran and succeeded
  step_failed,    // the step failed; `message` says why
  step_canceled,  // another step failed first; this one stopped or never ran
  build_message,  // a build-level line (exporting, naming the image); step = -1
};

struct ProgressEvent {
  EventKind kind = EventKind::step_started;
  int step = -1;              // stable number of the step in this build, from 1; -1 = none
  std::string name{};         // "[build 2/4] COPY src/ /src", as BuildKit names steps
  int64_t time_ns = 0;        // monotonic clock, for durations
  int stream = 1;             // step_log: 1 stdout, 2 stderr
  std::string data{};         // step_log bytes (may hold partial lines)
  std::string message{};      // step_failed, build_message
};

class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual void on_event(const ProgressEvent& event) = 0;
};

}  // namespace solver
