#include "cli/progress/json_printer.h"

#include <nlohmann/json.hpp>

namespace cli::progress {

const char* event_kind_name(solver::EventKind kind) {
  using solver::EventKind;
  switch (kind) {
    case EventKind::step_started: return "step_started";
    case EventKind::step_cached: return "step_cached";
    case EventKind::step_log: return "step_log";
    case EventKind::step_finished: return "step_finished";
    case EventKind::step_failed: return "step_failed";
    case EventKind::step_canceled: return "step_canceled";
    case EventKind::build_message: return "build_message";
  }
  return "unknown";
}

std::string JsonPrinter::on_event(const solver::ProgressEvent& event) {
  if (!m_started) {
    m_started = true;
    m_start_ns = event.time_ns;
  }
  std::string name = event.name;
  if (event.step > 0) {
    std::string& known = m_names[event.step];
    if (known.empty()) known = event.name;
    if (name.empty()) name = known;
  }
  nlohmann::ordered_json obj = {
      {"kind", event_kind_name(event.kind)},
      {"step", event.step},
      {"name", name},
      {"time", static_cast<double>(event.time_ns - m_start_ns) / 1e9},
      {"stream", event.stream},
      {"data", event.data},
      {"message", event.message},
  };
  // Step output is arbitrary bytes; replacing invalid UTF-8 keeps the line
  // valid JSON instead of throwing.
  return obj.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace cli::progress
