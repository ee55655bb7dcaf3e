#include "cli/progress/plain_printer.h"

#include "cli/progress/text_util.h"

namespace cli::progress {

namespace {

// A failure message may span lines; each is cleaned on its own.
std::string clean_message(const std::string& message) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t nl = message.find('\n', pos);
    out += clean_log_line(std::string_view(message).substr(pos, nl == std::string::npos ? nl : nl - pos));
    if (nl == std::string::npos) break;
    out += '\n';
    pos = nl + 1;
  }
  return out;
}

}  // namespace

void PlainPrinter::switch_to(int step, std::string& out) {
  if (m_current == step) return;
  if (m_current > 0) {
    const StepRecord* open = m_trace.find(m_current);
    if (open != nullptr && !open->finished()) out += "#" + std::to_string(m_current) + " ...\n";
  }
  if (m_printed) out += "\n";
  m_printed = true;
  m_current = step;
  if (step > 0) {
    const StepRecord* rec = m_trace.find(step);
    out += "#" + std::to_string(step);
    if (rec != nullptr && !rec->name.empty()) out += " " + rec->name;
    out += "\n";
  }
}

void PlainPrinter::print_lines(int step, const std::vector<LogLine>& lines, std::string& out) {
  if (lines.empty()) return;
  switch_to(step, out);
  std::string prefix = "#" + std::to_string(step) + " ";
  for (const LogLine& line : lines) out += prefix + format_log_offset(line.offset_ns) + " " + line.text + "\n";
}

std::string PlainPrinter::on_event(const solver::ProgressEvent& event) {
  using solver::EventKind;
  std::string out;
  std::vector<LogLine> lines = m_trace.apply(event);
  if (event.kind == EventKind::build_message) {
    switch_to(0, out);
    out += m_trace.rows().back().message + "\n";
    return out;
  }
  if (event.step <= 0) return out;
  const StepRecord& rec = *m_trace.find(event.step);
  std::string prefix = "#" + std::to_string(event.step) + " ";
  switch (event.kind) {
    case EventKind::step_started:
      switch_to(event.step, out);
      break;
    case EventKind::step_log:
      print_lines(event.step, lines, out);
      break;
    case EventKind::step_cached:
      print_lines(event.step, lines, out);
      switch_to(event.step, out);
      out += prefix + "CACHED\n";
      break;
    case EventKind::step_finished:
      print_lines(event.step, lines, out);
      switch_to(event.step, out);
      out += prefix + "DONE " + format_duration(rec.finished_ns - rec.started_ns) + "\n";
      break;
    case EventKind::step_failed:
      print_lines(event.step, lines, out);
      switch_to(event.step, out);
      out += prefix + "ERROR: " + clean_message(event.message) + "\n";
      break;
    case EventKind::step_canceled:
      print_lines(event.step, lines, out);
      switch_to(event.step, out);
      out += prefix + "CANCELED\n";
      break;
    case EventKind::build_message:
      break;
  }
  // An ended step's block is closed: whatever prints next starts a new one.
  if (event.kind != EventKind::step_started && event.kind != EventKind::step_log) m_current = -1;
  return out;
}

std::string PlainPrinter::finish() {
  std::string out;
  // Steps still running at the end (the build was interrupted) may hold an
  // unfinished line; print it rather than lose it.
  for (const TraceRow& row : m_trace.rows()) {
    const StepRecord* rec = row.step > 0 ? m_trace.find(row.step) : nullptr;
    if (rec == nullptr || rec->finished() || rec->partial.empty()) continue;
    std::vector<LogLine> lines{LogLine{rec->partial_ns - rec->started_ns, clean_log_line(rec->partial)}};
    print_lines(row.step, lines, out);
  }
  out += m_trace.error_summary();
  return out;
}

}  // namespace cli::progress
