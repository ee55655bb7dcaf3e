#include "cli/progress/build_trace.h"

#include "cli/progress/text_util.h"

namespace cli::progress {

namespace {

// Cuts `text` to at most `bytes` without splitting a UTF-8 sequence.
void cut_bytes(std::string& text, size_t bytes) {
  if (text.size() <= bytes) return;
  size_t end = bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
}

// Everything before the last CR that still has text after it can never be
// shown (clean_log_line keeps only what follows the last CR), so a progress
// bar redrawn with CR for minutes stays one short line.
void drop_overwritten(std::string& partial) {
  size_t end = partial.size();
  while (end > 0 && partial[end - 1] == '\r') --end;
  size_t cr = partial.rfind('\r', end == 0 ? 0 : end - 1);
  if (cr != std::string::npos && cr > 0 && cr < end) partial.erase(0, cr);
}

}  // namespace

const StepRecord* BuildTrace::find(int step) const {
  auto it = m_steps.find(step);
  return it == m_steps.end() ? nullptr : &it->second;
}

int BuildTrace::finished_count() const {
  int n = 0;
  for (const auto& [step, rec] : m_steps) n += rec.finished() ? 1 : 0;
  return n;
}

StepRecord& BuildTrace::record_for(const solver::ProgressEvent& event) {
  auto [it, inserted] = m_steps.try_emplace(event.step);
  StepRecord& rec = it->second;
  if (inserted) {
    rec.step = event.step;
    rec.started_ns = event.time_ns;
    m_rows.push_back(TraceRow{event.step, {}});
  }
  // Log events may come without a name; keep the first real one.
  if (rec.name.empty() && !event.name.empty()) rec.name = clean_name(event.name);
  return rec;
}

void BuildTrace::complete_line(StepRecord& rec, std::string raw, std::vector<LogLine>& out) {
  LogLine line{rec.partial_ns - rec.started_ns, clean_log_line(raw)};
  LogLine kept = line;
  cut_bytes(kept.text, k_tail_line_bytes);
  rec.tail.push_back(std::move(kept));
  if (rec.tail.size() > k_tail_lines) rec.tail.pop_front();
  out.push_back(std::move(line));
}

void BuildTrace::append_output(StepRecord& rec, const std::string& data, int64_t time_ns,
                               std::vector<LogLine>& out) {
  size_t pos = 0;
  while (pos < data.size()) {
    if (rec.partial.empty()) rec.partial_ns = time_ns;
    size_t nl = data.find('\n', pos);
    if (nl == std::string::npos) {
      rec.partial.append(data, pos, std::string::npos);
      drop_overwritten(rec.partial);
      if (rec.partial.size() >= k_max_partial_bytes) {
        complete_line(rec, std::move(rec.partial), out);
        rec.partial.clear();
      }
      return;
    }
    rec.partial.append(data, pos, nl - pos);
    complete_line(rec, std::move(rec.partial), out);
    rec.partial.clear();
    pos = nl + 1;
  }
}

void BuildTrace::finish_step(StepRecord& rec, StepState state, int64_t time_ns,
                             std::vector<LogLine>& out) {
  if (!rec.partial.empty()) {
    complete_line(rec, std::move(rec.partial), out);
    rec.partial.clear();
  }
  if (rec.finished()) return;  // a second end event changes nothing
  rec.state = state;
  rec.finished_ns = time_ns;
}

std::vector<LogLine> BuildTrace::apply(const solver::ProgressEvent& event) {
  using solver::EventKind;
  std::vector<LogLine> out;
  if (!m_started) {
    m_started = true;
    m_start_ns = event.time_ns;
  }
  if (event.kind == EventKind::build_message) {
    m_rows.push_back(TraceRow{0, clean_name(event.message)});
    return out;
  }
  if (event.step <= 0) return out;  // step events must name a step
  StepRecord& rec = record_for(event);
  switch (event.kind) {
    case EventKind::step_started:
      break;
    case EventKind::step_log:
      append_output(rec, event.data, event.time_ns, out);
      break;
    case EventKind::step_cached:
      finish_step(rec, StepState::cached, event.time_ns, out);
      break;
    case EventKind::step_finished:
      finish_step(rec, StepState::done, event.time_ns, out);
      break;
    case EventKind::step_failed:
      if (!rec.finished()) rec.error = event.message;
      finish_step(rec, StepState::failed, event.time_ns, out);
      break;
    case EventKind::step_canceled:
      finish_step(rec, StepState::canceled, event.time_ns, out);
      break;
    case EventKind::build_message:
      break;
  }
  return out;
}

std::string BuildTrace::error_summary() const {
  std::string out;
  for (const TraceRow& row : m_rows) {
    const StepRecord* rec = row.step > 0 ? find(row.step) : nullptr;
    if (rec == nullptr || rec->state != StepState::failed) continue;
    out += "------\n > " + rec->name + ":\n";
    for (const LogLine& line : rec->tail) out += format_log_offset(line.offset_ns) + " " + line.text + "\n";
    out += "------\n";
  }
  return out;
}

}  // namespace cli::progress
