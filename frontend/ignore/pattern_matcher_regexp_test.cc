// Go regular-expression behaviour that leaks through the translation of
// wildcard patterns, checked against what Go's regexp package does with the
// same expressions (expected values recorded from Go).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "frontend/ignore/pattern_matcher.h"

namespace frontend::ignore {
namespace {

std::string creation_error(const std::string& pattern) {
  auto pm = PatternMatcher::create({pattern});
  return pm.ok() ? "" : pm.error().message;
}

bool excludes(const std::string& pattern, const std::string& path) {
  auto pm = PatternMatcher::create({pattern});
  EXPECT_TRUE(pm.ok()) << pattern << ": " << (pm.ok() ? "" : pm.error().message);
  return pm.ok() && pm->excluded(path);
}

TEST(PatternMatcherRegexp, ErrorsUseGoWording) {
  EXPECT_EQ(creation_error("[z-a]"),
            "syntax error in pattern \"[z-a]\": invalid character class range: `z-a`");
  EXPECT_EQ(creation_error("\\e*"), "syntax error in pattern \"\\e*\": invalid escape sequence: `\\e`");
  EXPECT_EQ(creation_error("\\8*"), "syntax error in pattern \"\\8*\": invalid escape sequence: `\\8`");
  EXPECT_NE(creation_error("[\\Q]*"), "");
}

// RE2 accepts "\C" (any byte); Go does not, so neither do we.
TEST(PatternMatcherRegexp, AnyByteEscapeIsRejectedAsInGo) {
  EXPECT_EQ(creation_error("\\C*"), "syntax error in pattern \"\\C*\": invalid escape sequence: `\\C`");
  EXPECT_NE(creation_error("a[\\C]?"), "");
}

TEST(PatternMatcherRegexp, WordBoundariesAndUnicodeClassesWorkAsInGo) {
  EXPECT_TRUE(excludes("a\\b*", "a"));
  EXPECT_TRUE(excludes("a\\b*", "a-x"));
  EXPECT_FALSE(excludes("a\\b*", "ab"));
  EXPECT_TRUE(excludes("\\pL*", "\u00E9a"));
  EXPECT_TRUE(excludes("\\pL*", "\u00E9/x"));
  EXPECT_FALSE(excludes("\\pL*", "1a"));
}

// "\Q" quotes the rest of the expression, final '$' included: the pattern
// then matches paths that start with that text.
TEST(PatternMatcherRegexp, QuoteEscapeQuotesTheAnchor) {
  EXPECT_TRUE(excludes("\\Qfoo*", "foo[^/]*$"));
  EXPECT_TRUE(excludes("\\Qfoo*", "foo[^/]*$x/y"));
  EXPECT_FALSE(excludes("\\Qfoo*", "foox"));
  EXPECT_FALSE(excludes("\\Qfoo*", "foo"));
}

// "\z" ends the text: the pattern matches "foo" alone, and through the parent
// rule everything below it.
TEST(PatternMatcherRegexp, EndOfTextEscapeKeepsTheParentRule) {
  EXPECT_TRUE(excludes("foo\\z*", "foo"));
  EXPECT_TRUE(excludes("foo\\z*", "foo/x/y"));
  EXPECT_FALSE(excludes("foo\\z*", "foox"));
  auto pm = PatternMatcher::create({"foo\\z*"});
  ASSERT_TRUE(pm.ok());
  EXPECT_TRUE(pm->match_in_walk("foo/x", {}).excluded);
  EXPECT_FALSE(pm->matches_exact("foo/x"));
}

// A newline is a file-name character: '*' crosses it, "**" does not (it is
// '.' in Go's expression), but the parent rule still applies after it.
TEST(PatternMatcherRegexp, NewlinesInPaths) {
  EXPECT_TRUE(excludes("a*", "a\nb"));
  EXPECT_FALSE(excludes("x/**/y*", "x/a\nb/y"));
  EXPECT_TRUE(excludes("a?", "a\n/b\nc"));
}

// Go reads an invalid byte as U+FFFD, which '*', '?' and the "anything below"
// of the parent rule all take.
TEST(PatternMatcherRegexp, InvalidUtf8InPaths) {
  EXPECT_TRUE(excludes("*.md", "a.md/\xFF\xFE"));
  EXPECT_TRUE(excludes("a?b", "a\xFF" "b/c"));
  EXPECT_FALSE(excludes("a?b", "a\xFF\xFF" "b"));
  EXPECT_TRUE(excludes("foo\\z*", "foo/\xFF"));
  EXPECT_TRUE(excludes("x/**/y", "x/\xC0\x80/y"));  // an overlong form: two invalid bytes
}

}  // namespace
}  // namespace frontend::ignore
