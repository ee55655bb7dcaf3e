#pragma once
// BuildTrace: what the progress displays know about a running build, rebuilt
// from the ProgressEvent stream (solver/core/progress.h). It assigns step
// output to lines, remembers each step's state, times, name and last lines,
// and keeps the order in which steps and build messages first appeared.
// Plain data plus one mutating entry point; not thread-safe (the displays own
// one each and lock around it).
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "solver/core/progress.h"

namespace cli::progress {

enum class StepState { running, cached, done, failed, canceled };

// One complete line of a step's output.
struct LogLine {
  int64_t offset_ns = 0;  // when the line began, relative to the step's start
  std::string text;       // clean_log_line()'d: no escapes, no control bytes
};

struct StepRecord {
  int step = 0;
  std::string name;  // clean_name()'d
  StepState state = StepState::running;
  int64_t started_ns = 0;   // first event of the step (event clock)
  int64_t finished_ns = 0;  // meaningful once state != running
  std::string error;        // the step_failed message
  std::deque<LogLine> tail;  // the last k_tail_lines lines, each cut to k_tail_line_bytes
  std::string partial;       // raw bytes of a line whose newline has not come yet
  int64_t partial_ns = 0;    // when that line began

  bool finished() const { return state != StepState::running; }
};

// A row of the display: a step (step > 0) or a build message (step == 0).
struct TraceRow {
  int step = 0;
  std::string message;
};

class BuildTrace {
 public:
  static constexpr size_t k_tail_lines = 20;
  static constexpr size_t k_tail_line_bytes = 4096;
  // A line that grows past this without a newline is emitted anyway, so one
  // process that never ends its line cannot grow memory without bound.
  static constexpr size_t k_max_partial_bytes = size_t{1} << 20;

  // Applies one event. Returns the output lines it completed: for step_log the
  // lines ended by newlines in its data; when a step ends, its unfinished
  // last line. Full length (the tail keeps shortened copies).
  std::vector<LogLine> apply(const solver::ProgressEvent& event);

  bool empty() const { return m_rows.empty(); }
  int64_t start_ns() const { return m_start_ns; }
  const std::vector<TraceRow>& rows() const { return m_rows; }
  const StepRecord* find(int step) const;
  const std::map<int, StepRecord>& steps() const { return m_steps; }
  int finished_count() const;
  int step_count() const { return static_cast<int>(m_steps.size()); }

  // The tail of each failed step's output, framed as BuildKit prints it after
  // the build ("------\n > [2/2] RUN false:\n0.123 out\n------\n"); empty if
  // nothing failed.
  std::string error_summary() const;

 private:
  StepRecord& record_for(const solver::ProgressEvent& event);
  void append_output(StepRecord& rec, const std::string& data, int64_t time_ns,
                     std::vector<LogLine>& out);
  void complete_line(StepRecord& rec, std::string raw, std::vector<LogLine>& out);
  void finish_step(StepRecord& rec, StepState state, int64_t time_ns, std::vector<LogLine>& out);

  bool m_started = false;
  int64_t m_start_ns = 0;
  std::map<int, StepRecord> m_steps;
  std::vector<TraceRow> m_rows;
};

}  // namespace cli::progress
