#pragma once
// The build checks BuildKit runs while reading instructions (its linter's
// StageNameCasing, FromAsCasing and MaintainerDeprecated rules). They only
// warn; `# check=skip=<rules>|all` turns them off. Pure functions.

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "frontend/parser/ast.h"

namespace frontend::instructions {

// What `# check=` (or the BUILDKIT_DOCKERFILE_CHECK build arg) asks for.
struct LintOptions {
  bool skip_all = false;
  std::vector<std::string> skip;  // rule names, matched exactly as BuildKit does
  bool error = false;             // error=true: a fired check fails the build
};

// One check that fired.
struct CheckFinding {
  std::string rule;     // e.g. "StageNameCasing"
  std::string message;  // e.g. "Stage name 'Build' should be lowercase"
  int line = 0;
};

// Parses "skip=A,B;error=true" as BuildKit's ParseLintOptions does: at most
// two ';'-separated parts, keys `skip` and `error`, "skip=all" skips every rule.
base::Result<LintOptions> parse_check_options(std::string_view value);

// The document's `# check=` directive; an unparsable one counts as absent
// here (the lowering reports it).
LintOptions lint_options(const ast::Document& doc);
// The directive's raw value, or "".
std::string check_directive(const ast::Document& doc);

bool rule_enabled(const LintOptions& options, std::string_view rule);

// Appends the checks that fire for `node`, whatever the options.
void lint_node(const ast::Node& node, std::vector<CheckFinding>& out);

}  // namespace frontend::instructions
