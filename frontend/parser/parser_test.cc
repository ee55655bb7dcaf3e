#include "frontend/parser/parser.h"

#include <gtest/gtest.h>

namespace frontend::parser {
namespace {

using Strings = std::vector<std::string>;

ast::Document parse_ok(std::string_view text) {
  auto r = parse_dockerfile(text, "Dockerfile");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().render());
  return r.ok() ? std::move(r).value() : ast::Document{};
}

base::Error parse_fail(std::string_view text) {
  auto r = parse_dockerfile(text, "Dockerfile");
  EXPECT_FALSE(r.ok());
  return r.ok() ? base::make_error("") : std::move(r).error();
}

TEST(Parser, DirectivesThenInstructions) {
  ast::Document d = parse_ok("# Syntax = docker/dockerfile:1  \n#escape=`\n# check=skip=all\nFROM a\n");
  ASSERT_EQ(d.directives.size(), 3u);
  EXPECT_EQ(d.directives[0].name, "syntax");
  EXPECT_EQ(d.directives[0].value, "docker/dockerfile:1");
  EXPECT_EQ(d.directives[1].line, 2);
  EXPECT_EQ(d.escape_token, '`');
  EXPECT_EQ(d.directives[2].value, "skip=all");
}

TEST(Parser, DirectiveBlockEndsAtUnknownDirectiveOrBlankLine) {
  EXPECT_EQ(parse_ok("# foo=bar\n# escape=`\nFROM a\n").escape_token, '\\');
  EXPECT_EQ(parse_ok("\n# escape=`\nFROM a\n").escape_token, '\\');
  EXPECT_EQ(parse_ok("  # escape=`\nFROM a\n").escape_token, '`');
}

TEST(Parser, DirectiveErrors) {
  base::Error e = parse_fail("# escape=x\nFROM a\n");
  EXPECT_EQ(e.message, "invalid escape token 'x' does not match ` or \\");
  ASSERT_TRUE(e.pos);
  EXPECT_EQ(e.pos->line, 1);
  EXPECT_EQ(e.pos->column, 10);
  e = parse_fail("# syntax=a\n# SYNTAX=b\nFROM a\n");
  EXPECT_EQ(e.message, "only one syntax parser directive can be used");
  EXPECT_EQ(e.pos->line, 2);
  EXPECT_EQ(e.pos->line_text, "# SYNTAX=b");
}

TEST(Parser, ContinuationsKeepLeadingWhitespaceAndDropComments) {
  ast::Document d = parse_ok("FROM a\nRUN echo a \\\n    b \\\n# comment\n  c\n");
  ASSERT_EQ(d.instructions.size(), 2u);
  const ast::Node& run = d.instructions[1];
  EXPECT_EQ(run.original, "RUN echo a     b   c");
  EXPECT_EQ(run.start_line, 2);
  EXPECT_EQ(run.end_line, 5);
  EXPECT_TRUE(d.warnings.empty());
}

TEST(Parser, EscapedEscapeIsNotAContinuation) {
  ast::Document d = parse_ok("FROM a\nRUN echo \\\\\nRUN b\n");
  ASSERT_EQ(d.instructions.size(), 3u);
  EXPECT_EQ(d.instructions[1].args, (Strings{"echo \\\\"}));
}

TEST(Parser, EmptyContinuationLineWarns) {
  ast::Document d = parse_ok("FROM a\nRUN a \\\n\n  b\n");
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_EQ(d.warnings[0].short_text, "Empty continuation line found in: RUN a   b");
  EXPECT_EQ(d.warnings[0].line, 4);
}

TEST(Parser, CrlfAndBom) {
  ast::Document d = parse_ok("\xEF\xBB\xBF# escape=`\r\nFROM a `\r\n  b\r\n");
  EXPECT_EQ(d.escape_token, '`');
  ASSERT_EQ(d.instructions.size(), 1u);
  EXPECT_EQ(d.instructions[0].args, (Strings{"a", "b"}));
}

TEST(Parser, HeredocsAreReadInOrder) {
  ast::Document d = parse_ok("FROM a\nRUN <<A cat - <<-'B'\none\nA\n\ttwo\n\tB\nRUN x\n");
  ASSERT_EQ(d.instructions.size(), 3u);
  const ast::Node& run = d.instructions[1];
  ASSERT_EQ(run.heredocs.size(), 2u);
  EXPECT_EQ(run.heredocs[0].content, "one\n");
  EXPECT_EQ(run.heredocs[1].content, "\ttwo\n");
  EXPECT_TRUE(run.heredocs[1].chomp);
  EXPECT_FALSE(run.heredocs[1].expand);
  EXPECT_EQ(run.end_line, 6);
  EXPECT_EQ(d.instructions[2].start_line, 7);
}

TEST(Parser, HeredocsOnlyWhereBuildKitReadsThem) {
  ast::Document d = parse_ok("FROM a\nCMD <<EOF\nRUN [\"<<EOF\"]\n");
  EXPECT_EQ(d.instructions.size(), 3u);
  EXPECT_TRUE(d.instructions[1].heredocs.empty());
}

TEST(Parser, UnterminatedHeredoc) {
  base::Error e = parse_fail("FROM a\nRUN cat <<EOF\nbody\n");
  EXPECT_EQ(e.message, "unterminated heredoc");
  EXPECT_EQ(e.pos->line, 2);
  EXPECT_EQ(e.pos->column, 9);
}

TEST(Parser, NoInstructions) {
  EXPECT_EQ(parse_fail("").message, "file with no instructions");
  base::Error e = parse_fail("# just a comment\n\n");
  EXPECT_EQ(e.message, "file with no instructions");
  EXPECT_EQ(e.pos->line, 2);
}

TEST(Parser, LongLineIsRefused) {
  std::string text = "FROM a\nRUN " + std::string(70000, 'x') + "\n";
  base::Error e = parse_fail(text);
  EXPECT_EQ(e.message, "dockerfile line greater than max allowed size of 65535");
  EXPECT_EQ(e.pos->line, 2);
  EXPECT_LT(e.pos->line_text.size(), 300u);
  std::string fits = "FROM a\nRUN " + std::string(65535 - 4, 'x') + "\n";
  EXPECT_TRUE(parse_dockerfile(fits, "Dockerfile").ok());
}

TEST(Parser, ErrorsPointIntoContinuedLines) {
  base::Error e = parse_fail("FROM a\nENV a=1 \\\n  b\n");
  EXPECT_EQ(e.pos->line, 2);
  EXPECT_EQ(e.pos->column, 5);
  e = parse_fail("FROM a\nRUN \\\n  [\"a\", 1]\n");
  EXPECT_EQ(e.pos->line, 3);
  EXPECT_EQ(e.pos->column, 3);
  EXPECT_EQ(e.pos->line_text, "  [\"a\", 1]");
}

// Large files parse their lines on several threads; the result and the
// error reported must be those of a line-by-line pass.
std::string many_lines(int count, int bad_at, const std::string& bad_line) {
  std::string text = "FROM a\n";
  for (int i = 0; i < count; ++i) text += i == bad_at ? bad_line + "\n" : "RUN echo " + std::to_string(i) + "\n";
  return text;
}

TEST(Parser, LargeFileKeepsOrderAndLines) {
  std::string text = "FROM a\n";
  for (int i = 0; i < 3000; ++i) {
    text += "ENV k" + std::to_string(i) + "=v \\\n  w" + std::to_string(i) + "=x\n";
    if (i % 100 == 0) text += "RUN <<EOF\nbody " + std::to_string(i) + "\nEOF\n";
  }
  ast::Document d = parse_ok(text);
  ASSERT_EQ(d.instructions.size(), 1u + 3000u + 30u);
  int line = 2;
  int env = 0;
  for (size_t n = 1; n < d.instructions.size(); ++n) {
    const ast::Node& node = d.instructions[n];
    ASSERT_EQ(node.start_line, line) << n;
    if (node.keyword == "RUN") {
      ASSERT_EQ(node.heredocs.size(), 1u);
      line += 3;
    } else {
      std::string i = std::to_string(env++);
      ASSERT_EQ(node.args, (Strings{"k" + i, "v", "=", "w" + i, "x", "="})) << n;
      ASSERT_EQ(node.end_line, line + 1);
      line += 2;
    }
  }
}

TEST(Parser, LargeFileReportsTheFirstError) {
  // A bad line early, an unterminated heredoc at the end: the early one.
  base::Error e = parse_fail(many_lines(2000, 700, "RUN [\"a\", 1]") + "RUN <<EOF\nbody\n");
  EXPECT_EQ(e.pos->line, 702);
  EXPECT_EQ(e.message.find("heredoc"), std::string::npos) << e.message;
  // Two bad lines far apart, handed to different threads: the first.
  std::string text = many_lines(4000, 100, "RUN [\"b\", 2]");
  text += "RUN [\"c\", 3]\n";
  e = parse_fail(text);
  EXPECT_EQ(e.pos->line, 102);
  // Only the scan fails: its error.
  e = parse_fail(many_lines(2000, -1, "") + "COPY <<EOF /x\nbody\n");
  EXPECT_EQ(e.message, "unterminated heredoc");
  EXPECT_EQ(e.pos->line, 2002);
}

TEST(Parser, SourceAndLineText) {
  ast::Document d = parse_ok("\xEF\xBB\xBF" "FROM a\r\nRUN b");
  EXPECT_EQ(d.line_text(1), "FROM a");
  EXPECT_EQ(d.line_text(2), "RUN b");
  EXPECT_EQ(d.line_text(3), "");
}

}  // namespace
}  // namespace frontend::parser
