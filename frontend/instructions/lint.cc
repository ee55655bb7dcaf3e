#include "frontend/instructions/lint.h"

#include <algorithm>
#include <cctype>

#include "base/strings.h"

namespace frontend::instructions {
namespace {

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

void warn(std::vector<CheckFinding>& out, std::string_view rule, std::string message, int line) {
  out.push_back(CheckFinding{std::string(rule), std::move(message), line});
}

}  // namespace

base::Result<LintOptions> parse_check_options(std::string_view value) {
  LintOptions o;
  std::string text = trim(value);
  if (text.empty()) return o;
  std::string_view rest = text;
  std::vector<std::string_view> parts;
  size_t semi = rest.find(';');
  parts.push_back(rest.substr(0, semi));
  if (semi != std::string_view::npos) parts.push_back(rest.substr(semi + 1));
  for (std::string_view part : parts) {
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) return base::make_error("invalid check option \"" + std::string(part) + "\"");
    std::string key = trim(part.substr(0, eq));
    std::string v = trim(part.substr(eq + 1));
    if (key == "skip") {
      if (v == "all") {
        o.skip_all = true;
        continue;
      }
      std::string_view list = v;
      while (true) {
        size_t comma = list.find(',');
        o.skip.push_back(trim(list.substr(0, comma)));
        if (comma == std::string_view::npos) break;
        list = list.substr(comma + 1);
      }
    } else if (key == "error") {
      // Go's strconv.ParseBool.
      static const char* const k_true[] = {"1", "t", "T", "TRUE", "true", "True"};
      static const char* const k_false[] = {"0", "f", "F", "FALSE", "false", "False"};
      if (std::find(std::begin(k_true), std::end(k_true), v) != std::end(k_true)) o.error = true;
      else if (std::find(std::begin(k_false), std::end(k_false), v) != std::end(k_false)) o.error = false;
      else return base::make_error("failed to parse check option \"" + std::string(part) + "\": invalid syntax");
    } else {
      return base::make_error("invalid check option \"" + key + "\"");
    }
  }
  return o;
}

std::string check_directive(const ast::Document& doc) {
  for (const auto& d : doc.directives)
    if (d.name == "check") return d.value;
  return {};
}

LintOptions lint_options(const ast::Document& doc) {
  auto o = parse_check_options(check_directive(doc));
  return o.ok() ? *o : LintOptions{};
}

bool rule_enabled(const LintOptions& o, std::string_view rule) {
  if (o.skip_all) return false;
  return std::find(o.skip.begin(), o.skip.end(), rule) == o.skip.end();
}

void lint_node(const ast::Node& node, std::vector<CheckFinding>& out) {
  std::string keyword = base::ascii_lower(node.keyword);
  if (keyword == "maintainer") {
    warn(out, "MaintainerDeprecated", "Maintainer instruction is deprecated in favor of using label",
         node.start_line);
    return;
  }
  if (keyword != "from" || node.args.size() != 3) return;
  const std::string& as = node.args[1];
  const std::string& name = node.args[2];
  if (base::ascii_lower(name) != name)
    warn(out, "StageNameCasing", "Stage name '" + name + "' should be lowercase", node.start_line);
  // Only judged when FROM itself is all lower or all upper case.
  bool from_lower = base::ascii_lower(node.keyword) == node.keyword;
  bool from_upper = base::ascii_upper(node.keyword) == node.keyword;
  bool mismatch = (from_lower && base::ascii_lower(as) != as) || (!from_lower && from_upper && base::ascii_upper(as) != as);
  if (mismatch)
    warn(out, "FromAsCasing", "'" + as + "' and '" + node.keyword + "' keywords' casing do not match",
         node.start_line);
}

}  // namespace frontend::instructions
