#include "frontend/instructions/lint.h"

#include <gtest/gtest.h>

namespace frontend::instructions {
namespace {

ast::Node from_node(std::string keyword, std::vector<std::string> args) {
  ast::Node n;
  n.keyword = std::move(keyword);
  n.args = std::move(args);
  n.start_line = 4;
  return n;
}

std::vector<std::string> lint(const ast::Node& n, const LintOptions& o = {}) {
  std::vector<CheckFinding> w;
  lint_node(n, w);
  std::vector<std::string> out;
  for (const auto& x : w) {
    EXPECT_EQ(x.line, 4);
    if (rule_enabled(o, x.rule)) out.push_back(x.rule + ": " + x.message);
  }
  return out;
}

TEST(Lint, StageNameCasing) {
  EXPECT_EQ(lint(from_node("FROM", {"alpine", "AS", "Build"})),
            std::vector<std::string>{"StageNameCasing: Stage name 'Build' should be lowercase"});
  EXPECT_TRUE(lint(from_node("FROM", {"alpine", "AS", "build"})).empty());
  EXPECT_TRUE(lint(from_node("FROM", {"alpine"})).empty());
}

TEST(Lint, FromAsCasing) {
  EXPECT_EQ(lint(from_node("FROM", {"alpine", "as", "b"})),
            std::vector<std::string>{"FromAsCasing: 'as' and 'FROM' keywords' casing do not match"});
  EXPECT_EQ(lint(from_node("from", {"alpine", "AS", "b"})),
            std::vector<std::string>{"FromAsCasing: 'AS' and 'from' keywords' casing do not match"});
  EXPECT_TRUE(lint(from_node("from", {"alpine", "as", "b"})).empty());
  EXPECT_TRUE(lint(from_node("FROM", {"alpine", "AS", "b"})).empty());
  // Mixed-case FROM is another rule's business.
  EXPECT_TRUE(lint(from_node("From", {"alpine", "as", "b"})).empty());
}

TEST(Lint, MaintainerDeprecated) {
  ast::Node n;
  n.keyword = "MAINTAINER";
  n.args = {"me"};
  n.start_line = 4;
  EXPECT_EQ(lint(n), std::vector<std::string>{
                         "MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label"});
}

TEST(Lint, CheckDirectiveSkips) {
  ast::Document d;
  d.directives.push_back(ast::Directive{"check", "skip=StageNameCasing, FromAsCasing;error=true", 1});
  LintOptions o = lint_options(d);
  EXPECT_FALSE(o.skip_all);
  EXPECT_TRUE(o.error);
  EXPECT_EQ(o.skip, (std::vector<std::string>{"StageNameCasing", "FromAsCasing"}));
  EXPECT_TRUE(lint(from_node("FROM", {"alpine", "as", "Build"}), o).empty());
  // Rule names match exactly, as in BuildKit.
  d.directives[0].value = "skip=fromascasing";
  o = lint_options(d);
  EXPECT_EQ(lint(from_node("FROM", {"alpine", "as", "b"}), o).size(), 1u);
  d.directives[0].value = "skip=all";
  o = lint_options(d);
  EXPECT_TRUE(o.skip_all);
  ast::Node m;
  m.keyword = "maintainer";
  m.args = {"x"};
  m.start_line = 4;
  EXPECT_TRUE(lint(m, o).empty());
}

TEST(Lint, ParseCheckOptions) {
  auto o = parse_check_options("  error=TRUE ; skip=A ,B ");
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->error);
  EXPECT_EQ(o->skip, (std::vector<std::string>{"A", "B"}));
  EXPECT_FALSE(parse_check_options("").value().error);
  EXPECT_EQ(parse_check_options("skip").error().message, "invalid check option \"skip\"");
  EXPECT_EQ(parse_check_options("warn=1").error().message, "invalid check option \"warn\"");
  EXPECT_EQ(parse_check_options("error=yes").error().message,
            "failed to parse check option \"error=yes\": invalid syntax");
  // Only two parts: a third ends up inside the second's value.
  EXPECT_FALSE(parse_check_options("skip=A;error=false;skip=B").ok());
}

}  // namespace
}  // namespace frontend::instructions
