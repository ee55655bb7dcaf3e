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
  std::vector<ast::Warning> w;
  lint_node(n, o, w);
  std::vector<std::string> out;
  for (const auto& x : w) {
    EXPECT_EQ(x.line, 4);
    out.push_back(x.short_text);
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
  d.directives.push_back(ast::Directive{"check", "skip=StageNameCasing, fromascasing;error=true", 1});
  LintOptions o = lint_options(d);
  EXPECT_FALSE(o.skip_all);
  EXPECT_EQ(o.skip, (std::vector<std::string>{"StageNameCasing", "fromascasing"}));
  EXPECT_TRUE(lint(from_node("FROM", {"alpine", "as", "Build"}), o).empty());
  d.directives[0].value = "skip=all";
  o = lint_options(d);
  EXPECT_TRUE(o.skip_all);
  ast::Node m;
  m.keyword = "maintainer";
  m.args = {"x"};
  m.start_line = 4;
  EXPECT_TRUE(lint(m, o).empty());
}

}  // namespace
}  // namespace frontend::instructions
