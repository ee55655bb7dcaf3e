// Expansion results together with the names they used, error texts, and the
// corners the case tables in testdata/ cannot spell (whitespace at the ends,
// newlines, invalid UTF-8). Expectations follow BuildKit's behaviour.
#include "frontend/shell/lexer.h"
#include "frontend/shell/utf8.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace frontend::shell {
namespace {

using Env = std::vector<std::pair<std::string, std::string>>;
using Names = std::vector<std::string>;

struct MatchCase {
  std::string input;
  Env env;
  std::string expected;  // ignored when error is set
  bool error = false;
  Names matched;
  Names unmatched;
};

// The cases of BuildKit's TestProcessWithMatches.
const std::vector<MatchCase> k_match_cases = {
    {"x", {{"DUMMY", "dummy"}}, "x", false, {}, {}},
    {"x ${UNUSED}", {{"DUMMY", "dummy"}}, "x ", false, {}, {"UNUSED"}},
    {"x ${FOO}", {{"FOO", "y"}}, "x y", false, {"FOO"}, {}},
    {"${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}", {{"FOO", "xxx"}, {"BAR", ""}}, "xxx  ccc", false,
     {"BAR", "FOO"}, {"BAZ"}},
    {"${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}", {{"FOO", "xxx"}, {"BAR", ""}}, "xxx bbb ccc", false,
     {"BAR", "FOO"}, {"BAZ"}},
    {"${FOO:-}", {{"FOO", "xxx"}, {"BAR", ""}}, "xxx", false, {"FOO"}, {}},
    {"${FOO:-}", {}, "", false, {}, {"FOO"}},
    {"${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}", {{"FOO", "xxx"}, {"BAR", ""}}, "aaa bbb ", false,
     {"BAR", "FOO"}, {"BAZ"}},
    {"${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}", {{"FOO", "xxx"}, {"BAR", ""}}, "aaa  ", false,
     {"BAR", "FOO"}, {"BAZ"}},
    {"${FOO?aaa}", {{"FOO", "xxx"}, {"BAR", ""}}, "xxx", false, {"FOO"}, {}},
    {"${BAR?bbb}", {{"FOO", "xxx"}, {"BAR", ""}}, "", false, {"BAR"}, {}},
    {"${BAZ?ccc}", {{"FOO", "xxx"}, {"BAR", ""}}, "", true, {}, {}},
    {"${FOO:?aaa}", {{"FOO", "xxx"}, {"BAR", ""}}, "xxx", false, {"FOO"}, {}},
    {"${BAR:?bbb}", {{"FOO", "xxx"}, {"BAR", ""}}, "", true, {}, {}},
    {"${BAZ:?ccc}", {{"FOO", "xxx"}, {"BAR", ""}}, "", true, {}, {}},
    {"${BAZ:?}", {{"FOO", "xxx"}, {"BAR", ""}}, "", true, {}, {}},
    {"${FOO=aaa}", {{"FOO", "xxx"}, {"BAR", ""}}, "", true, {}, {}},
    {"${FOO=:aaa}", {{"FOO", "xxx"}, {"BAR", ""}}, "", true, {}, {}},
    {"${FOO=}", {}, "", true, {}, {}},
    {R"(${FOO#()[]{\}^$.\*\?|\\})", {{"FOO", R"(()[]{}^$.*?|\x)"}}, "x", false, {"FOO"}, {}},
    {R"(${FOO%%\**})", {{"FOO", "xx**"}}, "xx", false, {"FOO"}, {}},
    {"${FOO#*x*y}", {{"FOO", "xxyy"}}, "y", false, {"FOO"}, {}},
    {"${FOO#*}", {{"FOO", "xxyy"}}, "xxyy", false, {"FOO"}, {}},
    {"${FOO#$BAR}", {{"FOO", "xxyy"}, {"BAR", "x"}}, "xyy", false, {"BAR", "FOO"}, {}},
    {"${FOO#$BAR}", {{"FOO", "xxyy"}, {"BAR", ""}}, "xxyy", false, {"BAR", "FOO"}, {}},
    {"${FOO#}", {{"FOO", "xxyy"}}, "xxyy", false, {"FOO"}, {}},
    {"${FOO##*x}", {{"FOO", "xxyy"}}, "yy", false, {"FOO"}, {}},
    {"${FOO##}", {{"FOO", "xxyy"}}, "xxyy", false, {"FOO"}, {}},
    {R"(${FOO#?\?})", {{"FOO", "???y"}}, "?y", false, {"FOO"}, {}},
    {"${ABC:-.}${FOO%x}${ABC:-.}", {{"FOO", "xxyy"}}, ".xxyy.", false, {"FOO"}, {"ABC"}},
    {R"(${FOO%%\**\*})", {{"FOO", "a***yy*"}}, "a", false, {"FOO"}, {}},
    {"${FOO%}", {{"FOO", "xxyy"}}, "xxyy", false, {"FOO"}, {}},
    {"${FOO%%$BAR}", {{"FOO", "xxyy"}, {"BAR", ""}}, "xxyy", false, {"BAR", "FOO"}, {}},
    {"${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}", {{"FOO", "/foo*/*/*.txt"}, {"NEEDLE", R"(\*/)"}},
     "/foo.*/*.txt - /foo..*.txt", false, {"FOO", "NEEDLE"}, {}},
    {"${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}", {{"FOO", "/tmp/tmp/bar.txt"}, {"NEEDLE", "/tmp"}},
     "/tmp/bar.txt - /bar.txt", false, {"FOO", "NEEDLE"}, {}},
    {"${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}",
     {{"FOO", "/a/foo/b/c.txt"}, {"NEEDLE", "/?/"}, {"REPLACEMENT", "/"}},
     "/foo/b/c.txt - /foo/c.txt", false, {"FOO", "NEEDLE", "REPLACEMENT"}, {}},
    {"${FOO/$NEEDLE/$REPLACEMENT}",
     {{"FOO", "http://google.de"}, {"NEEDLE", "http://"}, {"REPLACEMENT", "https://"}},
     "https://google.de", false, {"FOO", "NEEDLE", "REPLACEMENT"}, {}},
    {R"(${FOO//\//\/})", {{"FOO", "/tmp/foo.txt"}}, R"(\/tmp\/foo.txt)", false, {"FOO"}, {}},
    {"${FOO/$BAR/ww}", {{"FOO", "xxyy"}, {"BAR", ""}}, "wwxxyy", false, {"BAR", "FOO"}, {}},
    {"${FOO//ww}", {{"FOO", "xxyy"}}, "", true, {}, {}},
    {"${FOO//}", {{"FOO", "xxyy"}}, "", true, {}, {}},
    {"${FOO///}", {{"FOO", "xxyy"}}, "xxyy", false, {"FOO"}, {}},
    {"${FOO///}", {}, "", false, {}, {"FOO"}},
    // Ours: names used only inside a word that is not chosen still count.
    {"${A:-$B}", {{"A", "a"}}, "a", false, {"A"}, {"B"}},
    {"${A:+$B}", {}, "", false, {}, {"A", "B"}},
    {"$A$A${A}", {{"A", "1"}}, "111", false, {"A"}, {}},
    {"'$A' \\$B", {}, "$A $B", false, {}, {}},
    {"$1 $@ ${#}", {}, "  ", false, {}, {"#", "1", "@"}},
};

void PrintTo(const MatchCase& c, std::ostream* os) {
  *os << quote(c.input) << " with";
  for (const auto& [name, value] : c.env) *os << " " << name << "=" << quote(value);
}

class MatchTable : public testing::TestWithParam<MatchCase> {};

TEST_P(MatchTable, ReportsMatchedAndUnmatchedNames) {
  const MatchCase& c = GetParam();
  SCOPED_TRACE(c.input);
  const auto r = Lexer().process_word(c.input, env_from_pairs(c.env));
  if (c.error) {
    EXPECT_FALSE(r.ok());
    return;
  }
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->result, c.expected);
  EXPECT_EQ(r->matched, c.matched);
  EXPECT_EQ(r->unmatched, c.unmatched);
}

INSTANTIATE_TEST_SUITE_P(Shell, MatchTable, testing::ValuesIn(k_match_cases));

std::string expand(std::string_view word, const Env& env, char escape = '\\') {
  const auto r = Lexer(escape).process_word(word, env_from_pairs(env));
  return r.ok() ? r->result : "ERROR: " + r.error().message;
}

std::vector<std::string> split(std::string_view word, const Env& env) {
  const auto r = Lexer().process_words(word, env_from_pairs(env));
  return r.ok() ? *r : std::vector<std::string>{"ERROR: " + r.error().message};
}

TEST(ShellLexer, MandatoryVariables) {
  // BuildKit's TestShellParserMandatoryEnvVars.
  const Env set = {{"VAR", "plain"}, {"ARG", "x"}};
  const Env empty = {{"VAR", ""}, {"ARG", "x"}};
  const Env unset = {{"ARG", "x"}};
  const std::string no_empty = "${VAR:?message here$ARG}";
  const std::string no_unset = "${VAR?message here$ARG}";
  EXPECT_EQ(expand(no_empty, set), "plain");
  EXPECT_EQ(expand(no_empty, empty),
            "ERROR: failed to process \"${VAR:?message here$ARG}\": VAR: message herex");
  EXPECT_EQ(expand(no_empty, unset),
            "ERROR: failed to process \"${VAR:?message here$ARG}\": VAR: message herex");
  EXPECT_EQ(expand(no_unset, set), "plain");
  EXPECT_EQ(expand(no_unset, empty), "");
  EXPECT_EQ(expand(no_unset, unset),
            "ERROR: failed to process \"${VAR?message here$ARG}\": VAR: message herex");
}

TEST(ShellLexer, ReleaseFileNamePattern) {
  // BuildKit's TestProcessWithMatchesPlatform.
  const std::string release =
      "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz";
  EXPECT_EQ(expand(release, {{"VERSION", "v1.2.3"},
                             {"TARGETOS", "linux"},
                             {"TARGETARCH", "arm"},
                             {"TARGETVARIANT", "v7"}}),
            "something-v1.2.3.linux-arm-v7.tar.gz");
  EXPECT_EQ(expand(release, {{"VERSION", "v1.2.3"},
                             {"TARGETOS", "linux"},
                             {"TARGETARCH", "arm64"},
                             {"TARGETVARIANT", ""}}),
            "something-v1.2.3.linux-arm64.tar.gz");
  EXPECT_EQ(expand(release, {{"VERSION", "v1.2.3"}, {"TARGETOS", "linux"}, {"TARGETARCH", "arm64"}}),
            "something-v1.2.3.linux-arm64.tar.gz");
}

TEST(ShellLexer, EnvFromPairsLastOneWins) {
  // BuildKit's TestGetEnv.
  EXPECT_EQ(expand("[$foo]", {}), "[]");
  EXPECT_EQ(expand("[${foo-unset}]", {{"foo", ""}}), "[]");
  EXPECT_EQ(expand("$foo", {{"foo", "bar"}}), "bar");
  EXPECT_EQ(expand("$foo $car", {{"foo", "bar"}, {"car", "hat"}}), "bar hat");
  EXPECT_EQ(expand("$car", {{"foo", "bar"}, {"car", "hat"}, {"car", "bike"}}), "bike");
}

TEST(ShellLexer, NamesAreCaseSensitive) {
  EXPECT_EQ(expand("$pwd|$PWD|$Pwd", {{"PWD", "/home"}}), "|/home|");
}

TEST(ShellLexer, UnicodeNames) {
  // Names may hold any Unicode letters and digits; other characters end them.
  EXPECT_EQ(expand("$한국어!", {{"한국어", "k"}}), "k!");
  EXPECT_EQ(expand("${été}", {{"été", "summer"}}), "summer");
  EXPECT_EQ(expand("$a٣b", {{"a٣b", "arabic digit"}}), "arabic digit");
  EXPECT_EQ(expand("$a→b", {{"a", "A"}}), "A→b");
}

TEST(ShellLexer, WhitespaceAtTheEnds) {
  const Env env = {{"v", "  two  words  "}};
  EXPECT_EQ(expand(" $v ", env), "   two  words   ");
  EXPECT_EQ(split(" $v ", env), (std::vector<std::string>{"two", "words"}));
  EXPECT_EQ(split(" \"$v\" ", env), (std::vector<std::string>{"  two  words  "}));
  EXPECT_EQ(split("\\  \\ ", env), (std::vector<std::string>{" ", " "}));
  EXPECT_EQ(split("   ", env), (std::vector<std::string>{}));
  EXPECT_EQ(split("", env), (std::vector<std::string>{}));
}

TEST(ShellLexer, UnicodeWhitespaceSplitsWords) {
  EXPECT_EQ(split("a\u00a0b\u2003c\u3000d", {}), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(split("$v", {{"v", "x\u2028y\u0085z"}}), (std::vector<std::string>{"x", "y", "z"}));
  // Zero-width space is not whitespace.
  EXPECT_EQ(split("a\u200bb", {}), (std::vector<std::string>{"a\u200bb"}));
}

TEST(ShellLexer, NewlinesInValuesAndPatterns) {
  const Env env = {{"v", "line1\nline2"}};
  EXPECT_EQ(expand("$v", env), "line1\nline2");
  EXPECT_EQ(split("$v", env), (std::vector<std::string>{"line1", "line2"}));
  // `*` and `?` do not match a newline.
  EXPECT_EQ(expand("${v##*}", env), "\nline2");
  EXPECT_EQ(expand("${v%%*}", env), "line1\n");
  EXPECT_EQ(expand("${v#line?}", env), "\nline2");
  EXPECT_EQ(expand("${v#line1?}", env), "line1\nline2");
  EXPECT_EQ(expand("${v//?/x}", env), "xxxxx\nxxxxx");
  EXPECT_EQ(expand("${v//*/x}", env), "x\nx");
  // A literal newline in the pattern does.
  EXPECT_EQ(expand("${v#line1\n}", env), "line2");
}

TEST(ShellLexer, InvalidUtf8) {
  // The word's own bytes pass through the scanner, which reads an invalid
  // byte as U+FFFD; values are copied as they are, except where they are
  // split into words or reversed for a suffix match.
  const Env env = {{"v", "a\xff" "b"}};
  EXPECT_EQ(expand("x\xffy", {}), "x\uFFFDy");
  EXPECT_EQ(expand("$v", env), "a\xff" "b");
  EXPECT_EQ(expand("\"$v\"", env), "a\xff" "b");
  EXPECT_EQ(split("$v", env), (std::vector<std::string>{"a\uFFFDb"}));
  EXPECT_EQ(split("\"$v\"", env), (std::vector<std::string>{"a\xff" "b"}));
  EXPECT_EQ(expand("${v#a}", env), "\xff" "b");
  EXPECT_EQ(expand("${v%b}", env), "a\uFFFD");
  EXPECT_EQ(expand("${v#a?}", env), "b");
  EXPECT_EQ(expand("${v/?b/X}", env), "aX");
}

TEST(ShellLexer, ByteOrderMarkAtTheStartIsDropped) {
  EXPECT_EQ(expand("\uFEFFabc", {}), "abc");
  EXPECT_EQ(expand("a\uFEFFbc", {}), "a\uFEFFbc");
}

TEST(ShellLexer, NulBytesAreOrdinary) {
  EXPECT_EQ(expand(std::string_view("a\0b$v", 5), {{"v", std::string("x\0y", 3)}}),
            std::string("a\0bx\0y", 6));
}

TEST(ShellLexer, BacktickEscape) {
  const Env env = {{"PWD", "C:\\dir"}};
  EXPECT_EQ(expand("`$PWD", env, '`'), "$PWD");
  EXPECT_EQ(expand("$PWD\\x", env, '`'), "C:\\dir\\x");
  EXPECT_EQ(expand("\"`\"quoted`\"\"", env, '`'), "\"quoted\"");
  EXPECT_EQ(expand("a` b", env, '`'), "a b");
  EXPECT_EQ(expand("'`'", env, '`'), "`");
}

TEST(ShellLexer, ErrorMessages) {
  EXPECT_EQ(expand("${x:?}", {}), "ERROR: failed to process \"${x:?}\": x: is not allowed to be unset");
  EXPECT_EQ(expand("${x:?}", {{"x", ""}}),
            "ERROR: failed to process \"${x:?}\": x: is not allowed to be empty");
  EXPECT_EQ(expand("${x:=1}", {}),
            "ERROR: failed to process \"${x:=1}\": unsupported modifier (:=) in substitution");
  EXPECT_EQ(expand("${}", {}), "ERROR: failed to process \"${}\": syntax error: bad substitution");
  EXPECT_EQ(expand("${x:-", {}), "ERROR: failed to process \"${x:-\": syntax error: missing '}'");
  EXPECT_EQ(expand("${x/a", {}),
            "ERROR: failed to process \"${x/a\": syntax error: missing '/' in ${}");
  EXPECT_EQ(expand("${x#\\a}", {}),
            "ERROR: failed to process \"${x#\\\\a}\": invalid pattern (\\a) in substitution: "
            "invalid escape '\\a'");
  // The word is quoted with escapes for control characters and bad bytes.
  EXPECT_EQ(expand("\t\xff\"${}", {}),
            "ERROR: failed to process \"\\t\\xff\\\"${}\": syntax error: bad substitution");
}

TEST(ShellLexer, ErrorQuotesOnlyTheStartOfALongWord) {
  const std::string word = std::string(5000, 'a') + "${}";
  const auto r = Lexer().process_word(word, env_from_pairs({}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "failed to process \"" + std::string(1024, 'a') + "\"...: syntax error: bad substitution");
  EXPECT_FALSE(r.error().pos.has_value());
}

TEST(ShellLexer, NoLookupFunctionMeansEverythingUnset) {
  const auto r = Lexer().process_word("${a:-x}$b", EnvLookup{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, "x");
  EXPECT_EQ(r->unmatched, (Names{"a", "b"}));
}

TEST(ShellLexer, ValuesAreNotExpandedAgain) {
  EXPECT_EQ(expand("$a", {{"a", "$b"}, {"b", "no"}}), "$b");
  EXPECT_EQ(expand("${x:-$a}", {{"a", "${b}"}, {"b", "no"}}), "${b}");
  EXPECT_EQ(expand("${a#$p}", {{"a", "*x"}, {"p", "\\*"}}), "x");
}

}  // namespace
}  // namespace frontend::shell
