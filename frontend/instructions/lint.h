#pragma once
// The build checks BuildKit runs while reading instructions (its linter's
// StageNameCasing, FromAsCasing and MaintainerDeprecated rules). They only
// warn; `# check=skip=<rules>|all` turns them off. Pure functions.

#include <string>
#include <vector>

#include "frontend/parser/ast.h"

namespace frontend::instructions {

// What the `# check=` directive asks for (only `skip` matters here).
struct LintOptions {
  bool skip_all = false;
  std::vector<std::string> skip;  // rule names as written
};

LintOptions lint_options(const ast::Document& doc);

// Appends "<Rule>: <message>" warnings for `node` to `out`.
void lint_node(const ast::Node& node, const LintOptions& options, std::vector<ast::Warning>& out);

}  // namespace frontend::instructions
