// The pattern matcher on its own: syntax, which match is chosen, and the
// replacement template rules of ${v//p/r}.
#include "frontend/shell/glob.h"
#include "frontend/shell/utf8.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace frontend::shell {
namespace {

struct GlobCase {
  const char* op;  // "#", "##", "%", "%%", "/", "//"
  std::string pattern;
  std::string value;
  std::string expected;  // or "ERROR: message"
  std::string replacement = {};
};

std::string apply(const GlobCase& c) {
  WorkBudget budget(1u << 30);
  const std::string op = c.op;
  base::Result<std::string> r = std::string();
  if (op == "#" || op == "##") {
    r = trim_prefix(c.pattern, c.value, op == "##", budget);
  } else if (op == "%" || op == "%%") {
    r = trim_suffix(c.pattern, c.value, op == "%%", budget);
  } else {
    r = replace(c.value, c.pattern, c.replacement, op == "//", 1u << 20, budget);
  }
  return r.ok() ? *r : "ERROR: " + r.error().message;
}

const GlobCase k_cases[] = {
    // Shortest and longest prefixes and suffixes.
    {"#", "*", "xxyy", "xxyy"},
    {"##", "*", "xxyy", ""},
    {"#", "*x", "xxyy", "xyy"},
    {"##", "*x", "xxyy", "yy"},
    {"#", "*x*y", "xxyy", "y"},
    {"##", "*x*y", "xxyy", ""},
    {"%", "y*", "xxyy", "xxy"},
    {"%%", "y*", "xxyy", "xx"},
    {"%", "?", "abc", "ab"},
    {"%%", "?", "abc", "ab"},
    {"%", "*", "abc", "abc"},
    {"%%", "*", "abc", ""},
    {"#", "", "abc", "abc"},
    {"%", "", "abc", "abc"},
    {"#", "abc", "abc", ""},
    {"#", "abcd", "abc", "abc"},
    {"#", "b", "abc", "abc"},
    {"%", "b", "abc", "abc"},
    {"#", "?", "", ""},
    {"##", "*", "", ""},
    // Escapes: literal *, ? and \; \} and \/ drop the backslash.
    {"#", R"(\*)", "*a", "a"},
    {"#", R"(\*)", "xa", "xa"},
    {"#", R"(\?)", "?a", "a"},
    {"#", R"(\\)", R"(\a)", "a"},
    {"#", R"(\})", "}a", "a"},
    {"#", R"(\/)", "/a", "a"},
    {"%", R"(a\*c)", "xa*c", "x"},
    {"%", R"(\\b)", R"(a\b)", "a"},
    {"%%", R"(\**\*)", "a***yy*", "a"},
    {"#", R"(\x)", "x", R"(ERROR: invalid pattern (\x) in substitution: invalid escape '\x')"},
    {"#", R"(\)", "x", "ERROR: invalid pattern (\\) in substitution: invalid escape '\\\uFFFD'"},
    {"#", R"(\\\)", "x",
     "ERROR: invalid pattern (\\\\\\) in substitution: invalid escape '\\\uFFFD'"},
    // A suffix error names the reversed pattern, as the reference does.
    {"%", R"(ab\x)", "x", R"(ERROR: invalid pattern (\xba) in substitution: invalid escape '\x')"},
    // No bracket expressions or regular expression syntax.
    {"#", "[a]", "[a]b", "b"},
    {"#", "[a]", "ab", "ab"},
    {"#", "(a|b)", "(a|b)c", "c"},
    {"#", "a+", "aa", "aa"},
    {"#", ".", "ab", "ab"},
    {"#", "^a$", "^a$b", "b"},
    {"#", "{1}", "{1}x", "x"},
    // Code points, not bytes.
    {"#", "?", "é!", "!"},
    {"%", "?", "!é", "!"},
    {"#", "??", "한국어", "어"},
    {"%%", "국*", "한국어", "한"},
    // Newlines are not matched by wildcards.
    {"##", "*", "a\nb", "\nb"},
    {"##", "*b", "a\nb", "a\nb"},
    {"#", "a?b", "a\nb", "a\nb"},
    {"#", "a\nb", "a\nbc", "c"},
    // Replacement: first or every match, leftmost then longest.
    {"/", "a", "banana", "bXnana", "X"},
    {"//", "a", "banana", "bXnXnX", "X"},
    {"/", "a*a", "banana", "bX", "X"},
    {"//", "?", "abc", "XXX", "X"},
    {"//", "*", "abc", "X", "X"},
    {"//", "*", "", "X", "X"},
    {"/", "*", "", "X", "X"},
    {"/", "", "abc", "Xabc", "X"},
    {"//", "", "abc", "abc", ""},
    {"//", "x", "abc", "abc", "X"},
    {"//", "*", "a\nb", "X\nX", "X"},
    {"//", "b*", "ab\nbb", "aX\nX", "X"},
    // Only every-match replacement expands $0 / ${0} / $$ like a template.
    {"//", "n", "banana", "ba<n>a<n>a", "<$0>"},
    {"//", "n", "banana", "ba<n>a<n>a", "<${0}>"},
    {"/", "n", "banana", "ba<$0>ana", "<$0>"},
    {"//", "n", "banana", "ba$a$a", "$$"},
    {"//", "n", "banana", "baaa", "$1"},
    {"//", "n", "banana", "baaa", "$name"},
    {"//", "n", "banana", "baaa", "${00}"},
    {"//", "n", "banana", "ba$a$a", "$"},
    {"//", "n", "banana", "ba${a${a", "${"},
    {"//", "n", "banana", "ba${0a${0a", "${0"},
    {"//", "n", "banana", "ba$.a$.a", "$."},
    {"//", "n", "banana", "ba\\na\\na", "\\$0"},
    {"//", "a", "banana", "b<a>n<a>n<a>", "<$0>"},
    {"//", "a", "aaa", "XXX", "X"},
};

void PrintTo(const GlobCase& c, std::ostream* os) {
  *os << quote("${v" + std::string(c.op) + c.pattern +
                (c.op[0] == '/' ? "/" + c.replacement : "") + "}")
      << " with v=" << quote(c.value);
}

class GlobTable : public testing::TestWithParam<GlobCase> {};

TEST_P(GlobTable, MatchesLikeTheReference) {
  const GlobCase& c = GetParam();
  SCOPED_TRACE(std::string(c.op) + " pattern=" + c.pattern + " value=" + c.value);
  EXPECT_EQ(apply(c), c.expected);
}

INSTANTIATE_TEST_SUITE_P(Shell, GlobTable, testing::ValuesIn(k_cases));

TEST(ShellGlob, FindReportsOffsets) {
  WorkBudget budget(1u << 20);
  auto p = Pattern::compile("b*d", Pattern::Star::longest);
  ASSERT_TRUE(p.ok());
  auto m = p->find("abcdbd", 0, false, budget);
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->has_value());
  EXPECT_EQ(**m, std::make_pair(size_t{1}, size_t{6}));
  auto anchored = p->find("abcdbd", 0, true, budget);
  ASSERT_TRUE(anchored.ok());
  EXPECT_FALSE(anchored->has_value());
  auto from = p->find("abcdbd", 2, false, budget);
  ASSERT_TRUE(from.ok());
  EXPECT_EQ(**from, std::make_pair(size_t{4}, size_t{6}));
  auto lazy = Pattern::compile("b*d", Pattern::Star::shortest);
  ASSERT_TRUE(lazy.ok());
  auto short_match = lazy->find("abcdbd", 0, false, budget);
  ASSERT_TRUE(short_match.ok());
  EXPECT_EQ(**short_match, std::make_pair(size_t{1}, size_t{4}));
}

TEST(ShellGlob, BudgetRunsOut) {
  WorkBudget budget(1000);
  auto p = Pattern::compile("*a*a*a*b", Pattern::Star::longest);
  ASSERT_TRUE(p.ok());
  auto m = p->find(std::string(10000, 'a'), 0, false, budget);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("more than 1000 steps"), std::string::npos);
}

}  // namespace
}  // namespace frontend::shell
