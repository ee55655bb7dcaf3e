#include "frontend/instructions/lint.h"

#include <algorithm>
#include <cctype>

namespace frontend::instructions {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

bool enabled(const LintOptions& o, std::string_view rule) {
  if (o.skip_all) return false;
  return std::none_of(o.skip.begin(), o.skip.end(),
                      [&](const std::string& s) { return lower(s) == lower(rule); });
}

void warn(std::vector<ast::Warning>& out, std::string_view rule, std::string message, int line) {
  out.push_back(ast::Warning{std::string(rule) + ": " + message, line});
}

}  // namespace

LintOptions lint_options(const ast::Document& doc) {
  LintOptions o;
  for (const auto& d : doc.directives) {
    if (d.name != "check") continue;
    // skip=a,b;error=true;experimental=c
    std::string_view rest = d.value;
    while (!rest.empty()) {
      size_t semi = rest.find(';');
      std::string_view part = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      size_t eq = part.find('=');
      if (eq == std::string_view::npos || lower(trim(part.substr(0, eq))) != "skip") continue;
      std::string_view list = part.substr(eq + 1);
      while (true) {
        size_t comma = list.find(',');
        std::string rule = trim(list.substr(0, comma));
        if (lower(rule) == "all") o.skip_all = true;
        else if (!rule.empty()) o.skip.push_back(rule);
        if (comma == std::string_view::npos) break;
        list = list.substr(comma + 1);
      }
    }
  }
  return o;
}

void lint_node(const ast::Node& node, const LintOptions& options, std::vector<ast::Warning>& out) {
  std::string keyword = lower(node.keyword);
  if (keyword == "maintainer") {
    if (enabled(options, "MaintainerDeprecated"))
      warn(out, "MaintainerDeprecated", "Maintainer instruction is deprecated in favor of using label",
           node.start_line);
    return;
  }
  if (keyword != "from" || node.args.size() != 3) return;
  const std::string& as = node.args[1];
  const std::string& name = node.args[2];
  if (lower(name) != name && enabled(options, "StageNameCasing"))
    warn(out, "StageNameCasing", "Stage name '" + name + "' should be lowercase", node.start_line);
  // Only judged when FROM itself is all lower or all upper case.
  bool from_lower = lower(node.keyword) == node.keyword;
  bool from_upper = upper(node.keyword) == node.keyword;
  bool mismatch = (from_lower && lower(as) != as) || (!from_lower && from_upper && upper(as) != as);
  if (mismatch && enabled(options, "FromAsCasing"))
    warn(out, "FromAsCasing", "'" + as + "' and '" + node.keyword + "' keywords' casing do not match",
         node.start_line);
}

}  // namespace frontend::instructions
