#pragma once
// JsonPrinter: `--progress=json`, one JSON object per event per line, for
// programs that follow a build:
//
//   {"kind":"step_log","step":3,"name":"[build 2/4] RUN make","time":1.532,
//    "stream":1,"data":"cc -c main.c\n","message":""}
//
// Every object has all seven fields. `kind` is the EventKind name, `time` the
// seconds since the first event, `name` the step's name (filled in from an
// earlier event when this one has none), `data` the raw output bytes (invalid
// UTF-8 replaced by U+FFFD) and `message` the failure or build message.
// Output is unbuffered: partial lines are passed on as they come.
#include <map>
#include <string>

#include "cli/progress/event_printer.h"

namespace cli::progress {

class JsonPrinter final : public EventPrinter {
 public:
  std::string on_event(const solver::ProgressEvent& event) override;
  std::string finish() override { return {}; }

 private:
  bool m_started = false;
  int64_t m_start_ns = 0;
  std::map<int, std::string> m_names;
};

// The EventKind's name as it appears in JSON ("step_started", ...).
const char* event_kind_name(solver::EventKind kind);

}  // namespace cli::progress
