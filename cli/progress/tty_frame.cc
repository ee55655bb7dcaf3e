#include "cli/progress/tty_frame.h"

#include <algorithm>
#include <cstdio>

#include "cli/progress/text_util.h"

namespace cli::progress {

namespace {

constexpr const char* k_reset = "\x1b[0m";
constexpr const char* k_blue = "\x1b[34m";
constexpr const char* k_red = "\x1b[31m";
constexpr const char* k_yellow = "\x1b[33m";
constexpr const char* k_dim = "\x1b[2m";
constexpr int k_narrowest = 20;  // below this, rows are cut without a timer

std::string seconds_text(int64_t ns) {
  double sec = static_cast<double>(std::max<int64_t>(ns, 0)) / 1e9;
  if (sec < 0.05) sec = 0;  // as BuildKit: no 0.0x flicker for instant steps
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1fs", sec);
  return buf;
}

FrameLine make_line(const std::string& text, const char* color, const FrameOptions& options) {
  FrameLine line;
  line.columns = display_columns(text);
  line.text = (options.color && color != nullptr) ? std::string(color) + text + k_reset : text;
  return line;
}

// `left` and `right` on one line of `usable` columns, `right` flush right; the
// left part is cut when they do not fit.
std::string align(const std::string& left, const std::string& right, int usable) {
  if (usable < k_narrowest) return std::string(truncate_columns(left, usable));
  int room = usable - display_columns(right) - 1;
  std::string out(truncate_columns(left, room));
  out.append(static_cast<size_t>(room - display_columns(out) + 1), ' ');
  return out + right;
}

const char* state_color(StepState state) {
  switch (state) {
    case StepState::running: return nullptr;
    case StepState::cached:
    case StepState::done: return k_blue;
    case StepState::failed: return k_red;
    case StepState::canceled: return k_yellow;
  }
  return nullptr;
}

const char* state_label(StepState state) {
  switch (state) {
    case StepState::cached: return "CACHED ";
    case StepState::failed: return "ERROR ";
    case StepState::canceled: return "CANCELED ";
    case StepState::running:
    case StepState::done: return "";
  }
  return "";
}

// The output lines worth showing under a step: the last few complete lines
// and the unfinished one (a progress bar is usually there).
std::vector<std::string> shown_output(const StepRecord& rec) {
  std::vector<std::string> lines;
  for (const LogLine& l : rec.tail) lines.push_back(l.text);
  if (!rec.partial.empty()) {
    std::string current = clean_log_line(rec.partial);
    if (!current.empty()) lines.push_back(std::move(current));
  }
  if (lines.size() > k_shown_output_lines) {
    lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(k_shown_output_lines));
  }
  return lines;
}

bool shows_output(const StepRecord& rec) {
  return rec.state == StepState::running || rec.state == StepState::failed;
}

// Which rows a live frame of `budget` rows keeps: every unfinished step it can
// (latest first), then the most recent other rows. Order is preserved.
std::vector<bool> pick_rows(const BuildTrace& trace, size_t budget) {
  const std::vector<TraceRow>& rows = trace.rows();
  std::vector<bool> keep(rows.size(), false);
  if (rows.size() <= budget) {
    std::fill(keep.begin(), keep.end(), true);
    return keep;
  }
  auto running = [&](const TraceRow& row) {
    const StepRecord* rec = row.step > 0 ? trace.find(row.step) : nullptr;
    return rec != nullptr && !rec->finished();
  };
  size_t kept = 0;
  for (size_t i = rows.size(); i-- > 0 && kept < budget;) {
    if (running(rows[i])) {
      keep[i] = true;
      ++kept;
    }
  }
  for (size_t i = rows.size(); i-- > 0 && kept < budget;) {
    if (!keep[i]) {
      keep[i] = true;
      ++kept;
    }
  }
  return keep;
}

}  // namespace

std::string Frame::text() const {
  std::string out;
  for (const FrameLine& line : lines) out += line.text + "\n";
  return out;
}

Frame render_frame(const BuildTrace& trace, int64_t now_ns, const FrameOptions& options) {
  Frame frame;
  int usable = std::max(options.width - 1, 1);
  int total = std::max(options.total_steps, trace.step_count());
  int done = trace.finished_count();
  int64_t elapsed = trace.empty() ? 0 : now_ns - trace.start_ns();
  char header[128];
  std::snprintf(header, sizeof header, "[+] Building %.1fs (%d/%d)%s",
                static_cast<double>(std::max<int64_t>(elapsed, 0)) / 1e9, done, total,
                options.final && total > 0 && done == total ? " FINISHED" : "");
  frame.lines.push_back(make_line(std::string(truncate_columns(header, usable)), nullptr, options));

  bool limited = options.height > 0 && !options.final;
  size_t budget = limited ? static_cast<size_t>(std::max(options.height - 2, 0)) : trace.rows().size();
  std::vector<bool> keep = pick_rows(trace, budget);
  size_t spare = 0;  // rows left for output lines
  if (limited) {
    size_t used = static_cast<size_t>(std::count(keep.begin(), keep.end(), true));
    spare = budget - std::min(budget, used);
  }

  for (size_t i = 0; i < trace.rows().size(); ++i) {
    if (!keep[i]) continue;
    const TraceRow& row = trace.rows()[i];
    const StepRecord* rec = row.step > 0 ? trace.find(row.step) : nullptr;
    if (rec == nullptr) {
      frame.lines.push_back(make_line(std::string(truncate_columns(" => " + row.message, usable)), nullptr, options));
      continue;
    }
    int64_t end = rec->finished() ? rec->finished_ns : now_ns;
    std::string left = std::string(" => ") + state_label(rec->state) + rec->name;
    frame.lines.push_back(make_line(align(left, seconds_text(end - rec->started_ns), usable),
                                    state_color(rec->state), options));
    if (options.final || !shows_output(*rec)) continue;
    for (const std::string& out : shown_output(*rec)) {
      if (limited && spare == 0) break;
      if (limited) --spare;
      frame.lines.push_back(make_line(std::string(truncate_columns(" => => # " + out, usable)), k_dim, options));
    }
  }
  return frame;
}

std::string redraw(const Frame& previous, const Frame& next, int width) {
  width = std::max(width, 1);
  int rows = 0;
  for (const FrameLine& line : previous.lines) rows += std::max(1, (line.columns + width - 1) / width);
  std::string out = "\x1b[?25l";  // hide the cursor while drawing
  if (rows > 0) out += "\x1b[" + std::to_string(rows) + "A";
  out += "\r";
  for (const FrameLine& line : next.lines) out += line.text + "\x1b[K\n";
  out += "\x1b[J\x1b[?25h";  // erase what a taller previous frame left; show the cursor
  return out;
}

}  // namespace cli::progress
