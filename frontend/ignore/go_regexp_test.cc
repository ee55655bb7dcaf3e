#include "frontend/ignore/go_regexp.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>

namespace frontend::ignore {
namespace {

bool full(std::string_view expr, std::string_view text) {
  auto re = GoRegexp::compile(expr);
  EXPECT_TRUE(re.ok()) << expr << ": " << (re.ok() ? "" : re.error().message);
  return re.ok() && re->matches(text);
}

struct Case {
  const char* expr;
  const char* text;
  bool match;
};

// Expected results follow Go's regexp.MatchString.
TEST(GoRegexp, MatchesLikeGo) {
  const Case cases[] = {
      {"^[^/]*$", "abc", true},
      {"^[^/]*$", "a/c", false},
      {"^[^/]*$", "", true},
      {"^(.*/)?file$", "file", true},
      {"^(.*/)?file$", "a/b/file", true},
      {"^(.*/)?file$", "a/bfile", false},
      {"^a[b-d]e$", "ace", true},
      {"^a[b-d]e$", "aae", false},
      {"^a[^b-d]e$", "aze", true},
      {"^a[^b-d]e$", "a/e", true},   // a negated class crosses '/'
      {"^a[!b]e$", "a!e", true},     // '!' is a member, not a negation
      {"^a[!b]e$", "aze", false},
      {"^\\.[^/]*$", ".foo", true},
      {"^\\.[^/]*$", "xfoo", false},
      {"^a^b[^/]*$", "a^b", false},  // '^' mid-expression asserts the start
      {"^\\d[^/]*$", "7up", true},
      {"^\\d[^/]*$", "dup", false},
      {"^[[:alpha:]]$", "q", true},
      {"^[[:alpha:]]$", "[", false},
      {"^[[:^digit:]]x$", "ax", true},
      {"^\\Qa.b$", "a.b$", true},    // \Q quotes the rest, including '$'
      {"^\\Qa.b$", "a.b$/more", true},
      {"^\\Qa.b$", "axb", false},
      {"^a\\Q.*\\Eb$", "a.*b", true},
      {"^.*$", "a\nb", false},       // '.' stops at a newline
      {"^[^/]*$", "a\nb", true},     // a negated class does not
      {"^\\x41\\101\\t$", "AA\t", true},
      {"^\\x{263A}$", "\u263A", true},
      {"^[^/]$", "\u263A", true},    // one rune, not one byte
      {"^[^/]$", "\xFF", true},      // an invalid byte reads as U+FFFD
      {"^\xEF\xBF\xBD$", "\xFF", true},
      {"^a(b|c)*d$", "abcbd", true},
      {"^a(b|c)+d$", "ad", false},
      {"^ab??c$", "ac", true},
      {"^[]a]$", "]", true},
      {"^[a-]$", "-", true},
      {"^[\\]]$", "]", true},
      {"^[[^/]*]$", "[[/^]", true},  // '[' inside a class is a member
      {"^a]$", "a]", true},
      {"^a{$", "a{", true},
      {"^$", "", true},
      {"^*a$", "a", true},  // repeating an assertion is allowed
      {"abc", "xxabcxx", true},      // unanchored search, like MatchString
      {"c$", "abc", true},
      {"\\Aa", "ba", false},
      {"a\\z", "ba", true},
  };
  for (const auto& c : cases) EXPECT_EQ(full(c.expr, c.text), c.match) << c.expr << " vs \"" << c.text << "\"";
}

TEST(GoRegexp, RejectsWhatGoRejects) {
  const char* bad[] = {
      "^[z-a]$", "^[Local-Only]$", "^[a$", "^a\\e$", "^\\1$", "^(a$", "^a)$", "*a",
      "^a**$", "^[[:nope:]]$", "^a\\", "^\\x4$", "^\\x{}$", "^\xFF$", "^\\C$",
  };
  for (const char* expr : bad) EXPECT_FALSE(GoRegexp::compile(expr).ok()) << expr;
  EXPECT_EQ(GoRegexp::compile("^[z-a]$").error().message, "invalid character class range: `z-a`");
}

TEST(GoRegexp, ReportsUnsupportedConstructs) {
  for (const char* expr : {"^a\\b$", "^\\pL$", "^[\\p{Greek}]$", "^(?i)a$"}) {
    auto re = GoRegexp::compile(expr);
    ASSERT_FALSE(re.ok()) << expr;
  }
}

TEST(GoRegexp, PrefixesAtSlashesChecksEachParent) {
  auto re = GoRegexp::compile("^[^/]*\\.d$");
  ASSERT_TRUE(re.ok());
  EXPECT_FALSE(re->matches("conf.d/x"));
  EXPECT_TRUE(re->matches("conf.d/x", GoRegexp::Prefixes::at_slashes));
  EXPECT_FALSE(re->matches("conf/x.d/y", GoRegexp::Prefixes::at_slashes));
  auto deep = GoRegexp::compile("^a/[^/]*$");
  ASSERT_TRUE(deep.ok());
  EXPECT_TRUE(deep->matches("a/b/c/d", GoRegexp::Prefixes::at_slashes));
  EXPECT_FALSE(deep->matches("a", GoRegexp::Prefixes::at_slashes));
}

TEST(GoRegexp, FallsBackToSimulationWhenTheDfaWouldExplode) {
  // "the 20th rune from the end is an 'a'" needs 2^20 DFA states.
  std::string e = "^[^/]*a";
  for (int i = 0; i < 20; ++i) e += "[^/]";
  e += "$";
  auto re = GoRegexp::compile(e);
  ASSERT_TRUE(re.ok());
  EXPECT_EQ(re->dfa_states(), 0u);
  EXPECT_TRUE(re->matches("zzza" + std::string(20, 'b')));
  EXPECT_FALSE(re->matches("zzza" + std::string(21, 'b')));
  EXPECT_TRUE(re->matches("za" + std::string(20, 'b') + "/x", GoRegexp::Prefixes::at_slashes));
  EXPECT_FALSE(re->matches("za" + std::string(20, 'b') + "/x"));
}

TEST(GoRegexp, ManyDoubleStarsStayLinear) {
  std::string expr = "^";
  for (int i = 0; i < 30; ++i) expr += "(.*/)?";
  expr += "x$";
  auto re = GoRegexp::compile(expr);
  ASSERT_TRUE(re.ok());
  EXPECT_GT(re->dfa_states(), 0u);
  std::string path;
  for (int i = 0; i < 2000; ++i) path += "d/";
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(re->matches(path + "y"));
  EXPECT_TRUE(re->matches(path + "x"));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::milliseconds(50));
}

// The DFA and the NFA simulation must agree everywhere, prefixes included.
TEST(GoRegexp, DfaAgreesWithNfaSimulation) {
  std::mt19937 rng(99);
  const std::vector<std::string> atoms = {"a", "b", "/", "[^/]*", "[^/]", "(.*/)?", ".*", "\\.",
                                          "[ab]", "[^a]", "^", "$", "(a|b/)", "\\d", "x?", "\\Q*"};
  const std::string chars = "ab/.x1\n";
  int compared = 0;
  for (int i = 0; i < 300; ++i) {
    std::string expr = rng() % 2 ? "^" : "";
    const int n = 1 + static_cast<int>(rng() % 6);
    for (int k = 0; k < n; ++k) expr += atoms[rng() % atoms.size()];
    if (rng() % 2) expr += "$";
    auto dfa = GoRegexp::compile(expr);
    auto nfa = GoRegexp::compile(expr, GoRegexp::Engine::nfa);
    ASSERT_EQ(dfa.ok(), nfa.ok()) << expr;
    if (!dfa.ok()) continue;
    EXPECT_EQ(nfa->dfa_states(), 0u);
    for (int j = 0; j < 30; ++j) {
      std::string text;
      const int len = static_cast<int>(rng() % 8);
      for (int k = 0; k < len; ++k) text += chars[rng() % chars.size()];
      for (auto mode : {GoRegexp::Prefixes::no, GoRegexp::Prefixes::at_slashes}) {
        EXPECT_EQ(dfa->matches(text, mode), nfa->matches(text, mode)) << expr << " vs " << text;
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 10000);
}

}  // namespace
}  // namespace frontend::ignore
