#include "frontend/ignore/ignore_file.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace frontend::ignore {
namespace {

using Patterns = std::vector<std::string>;

Patterns read_ok(std::string_view content) {
  auto r = read_ignore_patterns(content, ".dockerignore");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().render());
  return r.ok() ? *r : Patterns{};
}

// ignorefile_test.go's content, minus the lone '!' lines that the reference
// accepts here and rejects when it builds the matcher.
TEST(ReadIgnorePatterns, ReferenceFile) {
  const char* content =
      "test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n";
  EXPECT_EQ(read_ok(content),
            (Patterns{"test1", "test2", "a/file/here", "lastfile", "!inverted/abs/path"}));
  EXPECT_EQ(read_ok(""), Patterns{});
}

TEST(ReadIgnorePatterns, LineHandling) {
  struct Case {
    const char* content;
    Patterns want;
  };
  const Case cases[] = {
      {"a\r\nb\r\n", {"a", "b"}},                       // CRLF
      {"\xEF\xBB\xBF" "a\nb", {"a", "b"}},              // BOM, no final newline
      {"a\n\xEF\xBB\xBF" "b", {"a", "\xEF\xBB\xBF" "b"}},  // a BOM only counts at the start
      {"\xEF\xBB\xBF# comment\nx", {"x"}},              // BOM then a comment
      {"  # not a comment", {"# not a comment"}},       // '#' must be the first byte
      {"#comment\n\t\n   \nx  \n", {"x"}},
      {"a b", {"a b"}},                                 // inner spaces stay
      {"\u00A0x\u00A0", {"x"}},                         // Unicode spaces are trimmed
      {"./a/../b/", {"b"}},
      {"/", {"/"}},                                     // "/" stays as it is
      {"//a//b", {"a/b"}},
      {"!/a", {"!a"}},
      {"! a/./b ", {"!a/b"}},
      {"!!a", {"!!a"}},
      {"a/..", {"."}},
      {"../x", {"../x"}},
      {"*.md\n!README.md\n", {"*.md", "!README.md"}},
      {"**/node_modules\n.git", {"**/node_modules", ".git"}},
  };
  for (const auto& c : cases) EXPECT_EQ(read_ok(c.content), c.want) << c.content;
}

TEST(ReadIgnorePatterns, LoneExclamationIsAnErrorWithItsLine) {
  auto r = read_ignore_patterns("a\n# c\n\n  ! \nb\n", "ctx/.dockerignore");
  ASSERT_FALSE(r.ok());
  const base::Error& e = r.error();
  EXPECT_EQ(e.message, "illegal exclusion pattern: \"!\"");
  ASSERT_TRUE(e.pos.has_value());
  EXPECT_EQ(e.pos->file, "ctx/.dockerignore");
  EXPECT_EQ(e.pos->line, 4);
  EXPECT_EQ(e.pos->column, 3);
  EXPECT_EQ(e.pos->line_text, "  ! ");
  EXPECT_FALSE(e.hint.empty());
}

TEST(ReadIgnorePatterns, MalformedPatternIsAnErrorWithItsLine) {
  auto r = read_ignore_patterns("ok\r\nsrc/[abc\r\n", "app.Dockerfile.dockerignore");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "syntax error in pattern \"src/[abc\"");
  ASSERT_TRUE(r.error().pos.has_value());
  EXPECT_EQ(r.error().pos->line, 2);
  EXPECT_EQ(r.error().pos->column, 1);
  EXPECT_EQ(r.error().pos->line_text, "src/[abc");
  // Accepted by filepath.Match, rejected by Go's regexp: also an error here.
  EXPECT_FALSE(read_ignore_patterns("[Local-Only]/\n", "x").ok());
}

TEST(ReadIgnorePatterns, LineLengthLimit) {
  std::string fits(65535, 'a');
  EXPECT_EQ(read_ok(fits + "\n").size(), 1u);
  std::string too_long(65536, 'a');
  auto r = read_ignore_patterns("x\n" + too_long + "\n", ".dockerignore");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().pos->line, 2);
  // The '\r' of a CRLF line counts towards the limit.
  EXPECT_FALSE(read_ignore_patterns(fits + "\r\n", ".dockerignore").ok());
}

struct FindCase {
  const char* name;
  std::vector<std::pair<std::string, std::string>> files;  // path, content
  std::string context;
  std::string dockerfile;
  std::optional<std::string> want;
};

TEST(FindIgnoreFile, DockerfileSpecificFileWins) {
  const FindCase cases[] = {
      {"only root", {{"ctx/.dockerignore", "a"}}, "ctx", "ctx/Dockerfile", "ctx/.dockerignore"},
      {"none", {{"ctx/Dockerfile", "FROM x"}}, "ctx", "ctx/Dockerfile", std::nullopt},
      {"specific over root",
       {{"ctx/.dockerignore", "a"}, {"ctx/Dockerfile.dockerignore", "b"}},
       "ctx", "ctx/Dockerfile", "ctx/Dockerfile.dockerignore"},
      {"named after the Dockerfile",
       {{"ctx/.dockerignore", "a"}, {"ctx/app.Dockerfile.dockerignore", "b"}, {"ctx/Dockerfile.dockerignore", "c"}},
       "ctx", "ctx/app.Dockerfile", "ctx/app.Dockerfile.dockerignore"},
      {"next to a Dockerfile outside the context",
       {{"ctx/.dockerignore", "a"}, {"build/web.Dockerfile.dockerignore", "b"}},
       "ctx", "build/web.Dockerfile", "build/web.Dockerfile.dockerignore"},
      {"not looked up in the context root",
       {{"ctx/.dockerignore", "a"}, {"ctx/web.Dockerfile.dockerignore", "b"}},
       "ctx", "build/web.Dockerfile", "ctx/.dockerignore"},
      {"empty specific file falls back",
       {{"ctx/.dockerignore", "a"}, {"ctx/Dockerfile.dockerignore", ""}},
       "ctx", "ctx/Dockerfile", "ctx/.dockerignore"},
      {"empty root file is still the one used", {{"ctx/.dockerignore", ""}}, "ctx", "ctx/Dockerfile",
       "ctx/.dockerignore"},
      {"context with trailing slash", {{"ctx/.dockerignore", "a"}}, "ctx/", "ctx/Dockerfile",
       "ctx/.dockerignore"},
      {"no Dockerfile path", {{"ctx/.dockerignore", "a"}}, "ctx", "", "ctx/.dockerignore"},
      {"current directory", {{".dockerignore", "a"}}, ".", "Dockerfile", ".dockerignore"},
  };
  for (const auto& c : cases) {
    base::MemFs fs;
    for (const auto& [path, content] : c.files) fs.add_file(path, content);
    auto r = find_ignore_file(fs, c.context, c.dockerfile);
    ASSERT_TRUE(r.ok()) << c.name;
    EXPECT_EQ(*r, c.want) << c.name;
  }
}

TEST(FindIgnoreFile, DirectoriesAreNotIgnoreFiles) {
  base::MemFs fs;
  fs.add_dir("ctx/.dockerignore");
  fs.add_dir("ctx/Dockerfile.dockerignore");
  auto r = find_ignore_file(fs, "ctx", "ctx/Dockerfile");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, std::nullopt);
}

}  // namespace
}  // namespace frontend::ignore
