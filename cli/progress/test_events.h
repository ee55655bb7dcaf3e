#pragma once
// Building ProgressEvents in tests; times in milliseconds from zero.
#include <cstdint>
#include <string>

#include "solver/core/progress.h"

namespace cli::progress::testing {

inline solver::ProgressEvent event(solver::EventKind kind, int step, int64_t ms, std::string name = {}) {
  solver::ProgressEvent e;
  e.kind = kind;
  e.step = step;
  e.time_ns = ms * 1'000'000;
  e.name = std::move(name);
  return e;
}

inline solver::ProgressEvent log_event(int step, int64_t ms, std::string data, int stream = 1) {
  solver::ProgressEvent e = event(solver::EventKind::step_log, step, ms);
  e.data = std::move(data);
  e.stream = stream;
  return e;
}

inline solver::ProgressEvent failed_event(int step, int64_t ms, std::string message) {
  solver::ProgressEvent e = event(solver::EventKind::step_failed, step, ms);
  e.message = std::move(message);
  return e;
}

inline solver::ProgressEvent message_event(int64_t ms, std::string message) {
  solver::ProgressEvent e = event(solver::EventKind::build_message, -1, ms);
  e.message = std::move(message);
  return e;
}

}  // namespace cli::progress::testing
