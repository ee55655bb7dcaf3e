#pragma once
// PlainPrinter: BuildKit's `--progress=plain` text. Each step's output is a
// block of lines prefixed "#N" (the step number):
//
//   #3 [build 2/4] RUN make
//   #3 0.532 cc -c main.c
//   #3 DONE 1.2s
//
//   #4 [build 3/4] COPY . /src
//   #4 CACHED
//
// A block interrupted by another step's output ends with "#N ..." and the
// step's header is repeated when its output resumes. Steps end with CACHED,
// DONE <secs>, ERROR: <message> or CANCELED. Output lines are printed whole
// (never shortened) once their newline arrives; an unfinished last line is
// printed when its step ends. Nothing printed contains an escape sequence:
// step output is cleaned with clean_log_line. After the last event, finish()
// repeats the last lines of each failed step between "------" rulers.
#include "cli/progress/build_trace.h"
#include "cli/progress/event_printer.h"

namespace cli::progress {

class PlainPrinter final : public EventPrinter {
 public:
  std::string on_event(const solver::ProgressEvent& event) override;
  std::string finish() override;

 private:
  // Makes `step` the block being printed (0: build messages), closing the
  // current one; appends the separator and header to `out`.
  void switch_to(int step, std::string& out);
  void print_lines(int step, const std::vector<LogLine>& lines, std::string& out);

  BuildTrace m_trace;
  int m_current = -1;  // the open block: a step, 0 for messages, -1 none
  bool m_printed = false;
};

}  // namespace cli::progress
