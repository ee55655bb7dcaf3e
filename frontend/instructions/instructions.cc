#include "frontend/instructions/instructions.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <map>
#include <optional>
#include <variant>

#include "base/strings.h"
#include "frontend/instructions/detail.h"
#include "frontend/instructions/lint.h"
#include "frontend/instructions/suggest.h"

namespace frontend::instructions {
namespace {

// Every keyword BuildKit knows, for "did you mean" on unknown instructions.
const std::vector<std::string_view>& all_keywords() {
  static const std::vector<std::string_view> k_keywords = {
      "ADD",  "ARG",        "CMD",     "COPY",    "ENTRYPOINT", "ENV",   "EXPOSE",
      "FROM", "HEALTHCHECK", "LABEL",  "MAINTAINER", "ONBUILD", "RUN",  "SHELL",
      "STOPSIGNAL", "USER", "VOLUME",  "WORKDIR"};
  return k_keywords;
}

SourceInfo source_info(const ast::Node& node) {
  return SourceInfo{node.start_line, node.end_line, node.column, node.original};
}

using Parser = base::Result<Instruction> (*)(const detail::Request&);

Parser parser_for(std::string_view keyword) {
  static const std::map<std::string_view, Parser> k_parsers = {
      {"RUN", detail::parse_run},
      {"COPY", detail::parse_copy},
      {"ADD", detail::parse_add},
      {"ENV", detail::parse_env},
      {"LABEL", detail::parse_label},
      {"ARG", detail::parse_arg},
      {"CMD", detail::parse_cmd},
      {"ENTRYPOINT", detail::parse_entrypoint},
      {"SHELL", detail::parse_shell},
      {"WORKDIR", detail::parse_workdir},
      {"USER", detail::parse_user},
      {"EXPOSE", detail::parse_expose},
      {"VOLUME", detail::parse_volume},
      {"STOPSIGNAL", detail::parse_stopsignal},
      {"MAINTAINER", detail::parse_maintainer},
      {"HEALTHCHECK", detail::parse_healthcheck},
      {"ONBUILD", detail::parse_onbuild},
  };
  auto it = k_parsers.find(keyword);
  return it == k_parsers.end() ? nullptr : it->second;
}

}  // namespace

namespace detail {

namespace {

// A cursor over the instruction's physical lines.
struct TextPos {
  int line = 0;
  size_t offset = 0;  // byte offset in the line
};

// Finds `needle` at or after `from`, looking at lines up to the node's last.
std::optional<TextPos> find_from(const Request& req, TextPos from, std::string_view needle) {
  int last = std::max(req.node.start_line, req.node.end_line);
  for (int line = from.line; line <= last && line > 0; ++line) {
    std::string_view text = req.doc.line_text(line);
    size_t start = line == from.line ? from.offset : 0;
    if (start > text.size()) continue;
    size_t at = text.find(needle, start);
    if (at != std::string_view::npos) return TextPos{line, at};
  }
  return std::nullopt;
}

// Just past the keyword: where flags and arguments start.
TextPos after_keyword(const Request& req) {
  return TextPos{req.node.start_line,
                 static_cast<size_t>(std::max(req.node.column - 1, 0)) + req.node.keyword.size()};
}

base::Error make_error(const Request& req, std::optional<TextPos> at, std::string message,
                       std::string hint) {
  base::SourcePos pos;
  pos.file = req.doc.file;
  pos.line = req.node.start_line;
  pos.column = req.node.column;
  if (at) {
    pos.line = at->line;
    pos.column = static_cast<int>(at->offset) + 1;
  }
  pos.line_text = std::string(req.doc.line_text(pos.line));
  return base::make_error_at(std::move(pos), std::move(message), std::move(hint));
}

std::string flag_text(const std::string& word) {
  size_t eq = word.find('=');
  return eq == std::string::npos ? word : word.substr(0, eq);
}

}  // namespace

base::Error error_at(const Request& req, std::string message, std::string hint,
                     std::string_view needle) {
  std::optional<TextPos> at;
  if (!needle.empty()) at = find_from(req, after_keyword(req), needle);
  return make_error(req, at, std::move(message), std::move(hint));
}

base::Error error_at_flag(const Request& req, size_t index, std::string message, std::string hint) {
  std::optional<TextPos> at;
  TextPos cursor = after_keyword(req);
  const auto& flags = req.node.flags;
  for (size_t i = 0; i <= index && i < flags.size(); ++i) {
    // The parser removed quotes from flag words, but "--name" is literal text.
    at = find_from(req, cursor, flag_text(flags[i]));
    if (!at) break;
    cursor = TextPos{at->line, at->offset + 2};
  }
  return make_error(req, at, std::move(message), std::move(hint));
}

size_t flag_index(const Request& req, std::string_view name) {
  const auto& flags = req.node.flags;
  size_t found = flags.size();
  for (size_t i = 0; i < flags.size(); ++i) {
    std::string text = flag_text(flags[i]);
    if (text.size() == name.size() + 2 && text.compare(2, std::string::npos, name) == 0) found = i;
  }
  return found;
}

base::Result<void> parse_flags(const Request& req, FlagSet& flags) {
  auto r = flags.parse(req.node.flags);
  if (r.ok()) return r;
  base::Error e = std::move(r).error();
  return error_at_flag(req, flags.failed_index(), std::move(e.message), std::move(e.hint));
}

CommandLine command_line(const Request& req) {
  CommandLine c;
  c.heredocs = req.node.heredocs;
  if (req.node.json) {
    c.form = CommandForm::exec;
    c.args = req.node.args;
    return c;
  }
  c.form = CommandForm::shell;
  std::string joined;
  for (size_t i = 0; i < req.node.args.size(); ++i) {
    if (i) joined += ' ';
    joined += req.node.args[i];
  }
  c.args.push_back(std::move(joined));
  return c;
}

}  // namespace detail

const char* instruction_name(const Instruction& instr) {
  struct Visitor {
    const char* operator()(const RunInstr&) const { return "RUN"; }
    const char* operator()(const CopyInstr&) const { return "COPY"; }
    const char* operator()(const AddInstr&) const { return "ADD"; }
    const char* operator()(const EnvInstr&) const { return "ENV"; }
    const char* operator()(const LabelInstr&) const { return "LABEL"; }
    const char* operator()(const ArgInstr&) const { return "ARG"; }
    const char* operator()(const CmdInstr&) const { return "CMD"; }
    const char* operator()(const EntrypointInstr&) const { return "ENTRYPOINT"; }
    const char* operator()(const ShellInstr&) const { return "SHELL"; }
    const char* operator()(const WorkdirInstr&) const { return "WORKDIR"; }
    const char* operator()(const UserInstr&) const { return "USER"; }
    const char* operator()(const ExposeInstr&) const { return "EXPOSE"; }
    const char* operator()(const VolumeInstr&) const { return "VOLUME"; }
    const char* operator()(const StopSignalInstr&) const { return "STOPSIGNAL"; }
    const char* operator()(const HealthcheckInstr&) const { return "HEALTHCHECK"; }
    const char* operator()(const OnbuildInstr&) const { return "ONBUILD"; }
    const char* operator()(const MaintainerInstr&) const { return "MAINTAINER"; }
  };
  return std::visit(Visitor{}, instr);
}

std::vector<std::string> HealthcheckInstr::test() const {
  std::vector<std::string> out;
  switch (kind) {
    case Kind::none: out.push_back("NONE"); return out;
    case Kind::cmd: out.push_back("CMD"); break;
    case Kind::cmd_shell: out.push_back("CMD-SHELL"); break;
  }
  out.insert(out.end(), command.begin(), command.end());
  return out;
}

base::Result<Located> parse_instruction(const ast::Node& node, const ast::Document& doc) {
  detail::Request req{node, doc, base::ascii_upper(node.keyword)};
  Parser parse = parser_for(req.keyword);
  if (!parse) {
    if (req.keyword == "FROM")
      return detail::error_at(req, "FROM cannot be used here",
                              "FROM starts a stage and is not allowed as an ONBUILD trigger");
    std::string match = suggest(node.keyword, all_keywords(), false);
    return detail::error_at(req, "unknown instruction: " + node.keyword,
                            match.empty() ? std::string() : "did you mean " + match + "?");
  }
  TRY_ASSIGN(Instruction instr, parse(req));
  return Located{std::move(instr), source_info(node)};
}

std::string_view ParsedDockerfile::line_text(int line) const {
  if (!source || line < 1 || static_cast<size_t>(line) > line_offsets.size()) return {};
  size_t begin = line_offsets[static_cast<size_t>(line - 1)];
  size_t end = static_cast<size_t>(line) < line_offsets.size() ? line_offsets[static_cast<size_t>(line)]
                                                              : source->size();
  std::string_view text = std::string_view(*source).substr(begin, end - begin);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

namespace {

// What one node gives on its own, before the stages are put together: its
// lint findings and its FROM stage or instruction (or the error).
struct NodeResult {
  std::vector<CheckFinding> checks;
  std::variant<std::monostate, Stage, Located, base::Error> parsed;
};

NodeResult check_node(const ast::Node& node, const ast::Document& doc) {
  NodeResult result;
  lint_node(node, result.checks);
  detail::Request req{node, doc, base::ascii_upper(node.keyword)};
  if (req.keyword == "FROM") {
    base::Result<Stage> stage = detail::parse_from(req);
    if (stage.ok()) result.parsed = std::move(*stage);
    else result.parsed = std::move(stage.error());
  } else {
    base::Result<Located> located = parse_instruction(node, doc);
    if (located.ok()) result.parsed = std::move(*located);
    else result.parsed = std::move(located.error());
  }
  return result;
}

// Below this many instructions, checking them on the calling thread is
// cheaper than handing them out.
constexpr size_t k_parallel_min_nodes = 512;
constexpr size_t k_parallel_grain = 128;
// Nodes are checked a block at a time, so the results waiting to be read
// stay small (a whole file's worth would be one huge allocation).
constexpr size_t k_check_block = 4096;

// Checks nodes [begin, end) of the document into `results` (resized to
// fit), in parallel when there are many.
void check_nodes(const ast::Document& doc, size_t begin, size_t end, std::vector<NodeResult>& results) {
  results.clear();
  results.resize(end - begin);
  auto check_range = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) results[i] = check_node(doc.instructions[begin + i], doc);
  };
  if (results.size() < k_parallel_min_nodes) {
    check_range(0, results.size());
    return;
  }
  tbb::this_task_arena::isolate([&] {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, results.size(), k_parallel_grain),
                      [&](const tbb::blocked_range<size_t>& range) { check_range(range.begin(), range.end()); });
  });
}

}  // namespace

base::Result<ParsedDockerfile> parse_instructions(const ast::Document& doc) {
  ParsedDockerfile out;
  out.file = doc.file;
  out.escape_token = doc.escape_token;
  out.source = doc.source;
  out.line_offsets = doc.line_offsets;
  out.check_directive = check_directive(doc);
  // The parser's only warning is BuildKit's NoEmptyContinuation check.
  for (const ast::Warning& w : doc.warnings) out.checks.push_back({"NoEmptyContinuation", w.short_text, w.line});
  std::map<std::string, int> stage_lines;  // name -> line of its FROM
  const LintOptions lint = lint_options(doc);
  size_t reported = 0;  // checks already turned into warnings
  auto report = [&] {
    for (; reported < out.checks.size(); ++reported) {
      const CheckFinding& f = out.checks[reported];
      if (!rule_enabled(lint, f.rule)) continue;
      if (f.rule == "NoEmptyContinuation") out.warnings.push_back({f.message, f.line});
      else out.warnings.push_back({f.rule + ": " + f.message, f.line});
    }
  };
  report();

  // Every node is checked on its own, in parallel for large files; the
  // results are then read in file order, so errors and warnings come out
  // exactly as a one-by-one pass would give them.
  std::vector<NodeResult> results;
  for (size_t i = 0; i < doc.instructions.size(); ++i) {
    if (i % k_check_block == 0) check_nodes(doc, i, std::min(i + k_check_block, doc.instructions.size()), results);
    const ast::Node& node = doc.instructions[i];
    NodeResult& result = results[i % k_check_block];
    auto request = [&] { return detail::Request{node, doc, base::ascii_upper(node.keyword)}; };
    out.checks.insert(out.checks.end(), std::make_move_iterator(result.checks.begin()),
                      std::make_move_iterator(result.checks.end()));
    report();
    if (auto* error = std::get_if<base::Error>(&result.parsed)) return std::move(*error);
    if (auto* parsed_stage = std::get_if<Stage>(&result.parsed)) {
      Stage stage = std::move(*parsed_stage);
      stage.index = static_cast<int>(out.stages.size());
      stage.src = source_info(node);
      if (!stage.name.empty()) {
        auto [it, inserted] = stage_lines.emplace(stage.name, node.start_line);
        if (!inserted)
          return detail::error_at(request(), "duplicate stage name \"" + stage.name + "\"",
                                  "stage \"" + stage.name + "\" is already defined on line " +
                                      std::to_string(it->second) + "; rename one of them",
                                  node.args.size() == 3 ? std::string_view(node.args[2])
                                                        : std::string_view());
      }
      out.stages.push_back(std::move(stage));
      continue;
    }
    Located located = std::move(std::get<Located>(result.parsed));
    if (out.stages.empty()) {
      if (auto* arg = std::get_if<ArgInstr>(&located.instr)) {
        out.meta_args.push_back(MetaArg{std::move(*arg), std::move(located.src)});
        continue;
      }
      return detail::error_at(request(), "no build stage in current context",
                              "a Dockerfile must start with FROM; only ARG may come before the "
                              "first FROM");
    }
    out.stages.back().commands.push_back(std::move(located));
  }
  return out;
}

}  // namespace frontend::instructions
