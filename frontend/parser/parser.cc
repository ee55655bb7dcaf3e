#include "frontend/parser/parser.h"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "frontend/parser/go_text.h"
#include "frontend/parser/heredoc_markers.h"
#include "frontend/parser/line_parsers.h"

namespace frontend::parser {

namespace {

constexpr std::string_view k_utf8_bom = "\xEF\xBB\xBF";
// Long offending lines are cut when quoted in an error.
constexpr size_t k_max_quoted_line = 200;

// A physical line as an error quotes it: cut at k_max_quoted_line bytes.
std::string quoted_line(std::string_view line) {
  std::string text(line.substr(0, k_max_quoted_line));
  if (line.size() > k_max_quoted_line) text += "...";
  return text;
}

// Go regexp's \s.
bool is_re_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_alpha(c) || (c >= '0' && c <= '9'); }

// BuildKit's trimNewline: every trailing \r and \n.
std::string_view trim_newline(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  return line;
}

bool is_comment(std::string_view line) {
  std::string_view t = trim_left_go_space(line);
  return !t.empty() && t.front() == '#';
}

struct DirectiveMatch {
  std::string name;  // lower-cased
  std::string_view value;
};

// BuildKit's directive pattern `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`,
// applied to the text after '#' and leading white space.
std::optional<DirectiveMatch> match_directive(std::string_view text) {
  size_t i = 0;
  if (i >= text.size() || !is_alpha(text[i])) return std::nullopt;
  while (i < text.size() && is_alnum(text[i])) ++i;
  std::string name(text.substr(0, i));
  while (i < text.size() && is_re_space(text[i])) ++i;
  if (i >= text.size() || text[i] != '=') return std::nullopt;
  std::string_view r = text.substr(i + 1);
  if (r.empty()) return std::nullopt;
  size_t lead = 0;
  while (lead < r.size() && is_re_space(r[lead])) ++lead;
  std::string_view value;
  if (lead == r.size()) {
    value = r.substr(r.size() - 1);  // the lazy group still takes one character
  } else {
    value = r.substr(lead);
    while (is_re_space(value.back())) value.remove_suffix(1);
  }
  for (char& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return DirectiveMatch{std::move(name), value};
}

// Where a piece of the logical line came from, to map an offset in the
// joined line back to a physical line and column.
struct Segment {
  size_t offset = 0;  // in the logical line
  int line = 0;
  int column = 1;     // 1-based column of the piece's first byte
};

class DockerfileParser {
 public:
  DockerfileParser(std::string_view text, std::string file) : m_file(std::move(file)) {
    if (text.substr(0, k_utf8_bom.size()) == k_utf8_bom) text.remove_prefix(k_utf8_bom.size());
    m_doc.file = m_file;
    m_doc.source = std::make_shared<const std::string>(text);
    m_text = *m_doc.source;
    m_doc.line_offsets.push_back(0);
    for (size_t i = 0; i < m_text.size(); ++i)
      if (m_text[i] == '\n' && i + 1 < m_text.size()) m_doc.line_offsets.push_back(i + 1);
    if (m_text.empty()) m_doc.line_offsets.clear();
  }

  base::Result<ast::Document> run();

 private:
  // Reads the next physical line (with its '\n', if any).
  bool next_line(std::string_view& raw);
  base::Error error_at(int line, int column, std::string message, std::string hint = {}) const;
  base::Result<void> check_directive(std::string_view token, std::string_view content);
  base::Result<void> read_heredocs(ast::Node& node, int start_line);
  std::pair<int, int> position_of(size_t offset) const;

  // A logical line whose parse was put off until the whole file is scanned:
  // its text waits in the node's `original`, its segments in m_deferred_segments.
  struct Deferred {
    size_t node = 0;           // index into m_doc.instructions
    size_t first_segment = 0;  // [first_segment, end_segment) of m_deferred_segments
    size_t end_segment = 0;
  };
  // The first error of a line parse, with the node it belongs to.
  struct LineFailure {
    size_t node = 0;
    base::Error error;
  };

  // Parses the put-off lines, in parallel when there are many. Returns the
  // failure of the earliest line that failed, if any.
  std::optional<LineFailure> parse_deferred();
  std::optional<LineFailure> parse_deferred_range(LineParser& parser, size_t begin, size_t end);
  // The scan: everything but the argument parsing of lines without heredocs.
  base::Result<void> scan();

  std::string m_file;  // the file name
  ast::Document m_doc;
  std::string_view m_text;
  size_t m_pos = 0;
  int m_line = 0;  // physical lines consumed so far
  std::optional<base::Error> m_scan_error;
  bool m_directives_done = false;
  std::vector<std::string> m_seen_directives;
  LineParser m_line_parser{'\\'};
  std::vector<Segment> m_segments;
  std::vector<Deferred> m_deferred;
  std::vector<Segment> m_deferred_segments;
};

bool DockerfileParser::next_line(std::string_view& raw) {
  if (m_scan_error || m_pos >= m_text.size()) return false;
  size_t nl = m_text.find('\n', m_pos);
  size_t end = nl == std::string_view::npos ? m_text.size() : nl + 1;
  size_t content = nl == std::string_view::npos ? end - m_pos : nl - m_pos;
  if (content > k_max_line_length) {
    m_scan_error = error_at(m_line + 1, 1,
                            "dockerfile line greater than max allowed size of " + std::to_string(k_max_line_length),
                            "split the line with a line continuation");
    return false;
  }
  raw = m_text.substr(m_pos, end - m_pos);
  m_pos = end;
  ++m_line;
  return true;
}

base::Error DockerfileParser::error_at(int line, int column, std::string message, std::string hint) const {
  std::string text = quoted_line(m_doc.line_text(line));
  return base::make_error_at(base::SourcePos{m_file, line, column, std::move(text)}, std::move(message),
                             std::move(hint));
}

// Maps an offset in a logical line to its physical line and column.
std::pair<int, int> position_in(const Segment* begin, const Segment* end, size_t offset, int fallback_line) {
  const Segment* it =
      std::upper_bound(begin, end, offset, [](size_t off, const Segment& s) { return off < s.offset; });
  if (it == begin) return {begin == end ? fallback_line : begin->line, 1};
  --it;
  return {it->line, it->column + static_cast<int>(offset - it->offset)};
}

std::pair<int, int> DockerfileParser::position_of(size_t offset) const {
  return position_in(m_segments.data(), m_segments.data() + m_segments.size(), offset, m_line);
}

base::Result<void> DockerfileParser::check_directive(std::string_view token, std::string_view content) {
  if (m_directives_done) return {};
  if (token.empty() || token.front() != '#') {
    m_directives_done = true;
    return {};
  }
  std::optional<DirectiveMatch> match = match_directive(trim_left_go_space(token.substr(1)));
  if (!match || (match->name != "syntax" && match->name != "escape" && match->name != "check")) {
    m_directives_done = true;
    return {};
  }
  int column = static_cast<int>(match->value.data() - content.data()) + 1;
  if (std::find(m_seen_directives.begin(), m_seen_directives.end(), match->name) != m_seen_directives.end())
    return error_at(m_line, column, "only one " + match->name + " parser directive can be used",
                    "remove the repeated # " + match->name + "= line");
  m_seen_directives.push_back(match->name);
  if (match->name == "escape") {
    if (match->value != "`" && match->value != "\\")
      return error_at(m_line, column,
                      "invalid escape token '" + std::string(match->value) + "' does not match ` or \\",
                      "use # escape=\\ or # escape=`");
    m_doc.escape_token = match->value.front();
    m_line_parser.set_escape_token(m_doc.escape_token);
  }
  m_doc.directives.push_back(ast::Directive{match->name, std::string(match->value), m_line});
  return {};
}

base::Result<void> DockerfileParser::read_heredocs(ast::Node& node, int start_line) {
  std::vector<ast::Heredoc> docs = heredocs_from_line(node.original);
  for (ast::Heredoc& doc : docs) {
    bool terminated = false;
    std::string_view raw;
    while (next_line(raw)) {
      std::string_view candidate = trim_newline(raw);
      if (doc.chomp) {
        size_t tabs = candidate.find_first_not_of('\t');
        candidate.remove_prefix(tabs == std::string_view::npos ? candidate.size() : tabs);
      }
      if (candidate == doc.name) {
        terminated = true;
        break;
      }
      doc.content.append(raw);
    }
    if (m_scan_error) return *m_scan_error;
    if (!terminated) {
      std::string_view first = m_doc.line_text(start_line);
      size_t at = first.find("<<");
      int column = at == std::string_view::npos ? node.column : static_cast<int>(at) + 1;
      return error_at(start_line, column, "unterminated heredoc",
                      "end the heredoc with a line holding only " + doc.name);
    }
    node.heredocs.push_back(std::move(doc));
  }
  return {};
}

// ONBUILD's trigger shares the instruction's place in the file. The trigger
// nodes were just created (non-const) by the line parser and are not shared
// with anyone yet, so filling in their lines here is safe.
void place_triggers(ast::Node& node) {
  for (ast::Node* n = &node; n->sub;) {
    auto sub = std::const_pointer_cast<ast::Node>(n->sub);
    sub->start_line = node.start_line;
    sub->end_line = node.end_line;
    sub->column = node.column;
    n = sub.get();
  }
}

// Below this many put-off lines, parsing them on the calling thread is
// cheaper than handing them out.
constexpr size_t k_parallel_min_lines = 512;
constexpr size_t k_reserved_nodes = 1u << 17;
constexpr size_t k_parallel_grain = 128;

base::Result<ast::Document> DockerfileParser::run() {
  base::Result<void> scanned = scan();
  // Every put-off line comes before the place where a failed scan stopped,
  // so its failure is the earlier one and is reported first.
  if (std::optional<LineFailure> failure = parse_deferred()) return std::move(failure->error);
  if (!scanned.ok()) return scanned.error();
  if (m_doc.instructions.empty())
    return error_at(std::max(m_line, 1), 1, "file with no instructions",
                    "a Dockerfile needs at least one instruction, e.g. FROM scratch");
  return std::move(m_doc);
}

std::optional<DockerfileParser::LineFailure> DockerfileParser::parse_deferred_range(LineParser& parser, size_t begin,
                                                                                    size_t end) {
  for (size_t i = begin; i < end; ++i) {
    const Deferred& d = m_deferred[i];
    ast::Node& node = m_doc.instructions[d.node];
    const std::string line = std::move(node.original);
    LineError err;
    if (!parser.parse(line, node, err)) {
      const Segment* segments = m_deferred_segments.data();
      auto [err_line, err_col] =
          position_in(segments + d.first_segment, segments + d.end_segment, err.offset, node.start_line);
      return LineFailure{d.node, error_at(err_line, err_col, std::move(err.message), std::move(err.hint))};
    }
    place_triggers(node);
  }
  return std::nullopt;
}

std::optional<DockerfileParser::LineFailure> DockerfileParser::parse_deferred() {
  if (m_deferred.size() < k_parallel_min_lines) return parse_deferred_range(m_line_parser, 0, m_deferred.size());
  // Each line is parsed on its own; the grammar's shared DFA is safe to use
  // from several threads, and each worker has its own LineParser.
  tbb::enumerable_thread_specific<LineParser> parsers(m_doc.escape_token);
  std::mutex failure_lock;
  std::optional<LineFailure> first;
  tbb::this_task_arena::isolate([&] {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, m_deferred.size(), k_parallel_grain),
                      [&](const tbb::blocked_range<size_t>& range) {
                        std::optional<LineFailure> failure =
                            parse_deferred_range(parsers.local(), range.begin(), range.end());
                        if (!failure) return;
                        std::lock_guard<std::mutex> hold(failure_lock);
                        if (!first || failure->node < first->node) first = std::move(failure);
                      });
  });
  return first;
}

// Reads the file line by line: directives, comments, continuations and
// heredoc bodies. A line that may open heredocs is parsed at once, since its
// heredocs decide where the next instruction starts; every other line's
// parse is put off to parse_deferred. On failure, m_doc.instructions holds
// exactly the instructions before the failing one.
base::Result<void> DockerfileParser::scan() {
  // At most one instruction per physical line: reserving that much spares
  // the node table its regrowth copies. Capped, so that a file of blank
  // lines does not reserve gigabytes of address space.
  m_doc.instructions.reserve(std::min<size_t>(m_doc.line_offsets.size(), k_reserved_nodes));
  std::string_view raw;
  std::string line;
  while (next_line(raw)) {
    std::string_view content = trim_newline(raw);
    std::string_view token = trim_left_go_space(content);
    TRY(check_directive(token, content));
    if (!token.empty() && token.front() == '#') continue;  // comment or directive

    const int start_line = m_line;
    const int column = static_cast<int>(token.data() - content.data()) + 1;
    m_segments.clear();
    m_segments.push_back(Segment{0, start_line, column});
    line.assign(token);

    auto trim_continuation = [&](size_t from) {
      // The escape token as the last non-blank character continues the
      // line, unless it is itself escaped (BuildKit's continuation regex).
      size_t end = line.size();
      while (end > from && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
      char esc = m_doc.escape_token;
      if (end > from && line[end - 1] == esc && (end - 1 == from || line[end - 2] != esc)) {
        line.resize(end - 1);
        return true;
      }
      return false;
    };
    bool continued = trim_continuation(0);
    if (!continued && line.empty()) continue;

    bool empty_continuation = false;
    while (continued && next_line(raw)) {
      std::string_view next = trim_newline(raw);
      if (is_comment(next)) continue;
      if (trim_left_go_space(next).empty()) {
        empty_continuation = true;
        continue;
      }
      size_t from = line.size();
      m_segments.push_back(Segment{from, m_line, 1});
      line.append(next);
      continued = trim_continuation(from);
    }
    if (m_scan_error) return *m_scan_error;
    if (empty_continuation)
      m_doc.warnings.push_back(ast::Warning{"Empty continuation line found in: " + line, m_line});

    ast::Node node;
    node.start_line = start_line;
    node.column = column;
    if (line.find("<<") == std::string::npos) {
      node.end_line = m_line;
      node.original = line;
      m_deferred.push_back(Deferred{m_doc.instructions.size(), m_deferred_segments.size(),
                                    m_deferred_segments.size() + m_segments.size()});
      m_deferred_segments.insert(m_deferred_segments.end(), m_segments.begin(), m_segments.end());
      m_doc.instructions.push_back(std::move(node));
      continue;
    }
    LineError err;
    if (!m_line_parser.parse(line, node, err)) {
      auto [err_line, err_col] = position_of(err.offset);
      return error_at(err_line, err_col, std::move(err.message), std::move(err.hint));
    }
    if (can_contain_heredoc(node)) TRY(read_heredocs(node, start_line));
    node.end_line = m_line;
    place_triggers(node);
    m_doc.instructions.push_back(std::move(node));
  }
  if (m_scan_error) return *m_scan_error;
  return {};
}

}  // namespace

base::Result<ast::Document> parse_dockerfile(std::string_view text, std::string file_name) {
  std::string_view content = text;
  if (content.substr(0, k_utf8_bom.size()) == k_utf8_bom) content.remove_prefix(k_utf8_bom.size());
  if (content.size() > k_max_dockerfile_size) {
    // Refused before anything is copied or scanned.
    std::string_view first_line = trim_newline(content.substr(0, content.find('\n')));
    return base::make_error_at(base::SourcePos{std::move(file_name), 1, 1, quoted_line(first_line)},
                               "dockerfile is larger than the " +
                                   std::to_string(k_max_dockerfile_size / (1024 * 1024)) + " MiB kiln reads",
                               "split the build into several smaller Dockerfiles");
  }
  DockerfileParser parser(text, std::move(file_name));
  return parser.run();
}

}  // namespace frontend::parser
