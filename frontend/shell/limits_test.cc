// Hostile inputs: every one must finish quickly with a result or a clear
// error, never exhaust the stack or memory.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "frontend/shell/lexer.h"

namespace frontend::shell {
namespace {

using Clock = std::chrono::steady_clock;

// Generous: the point is "not quadratic or worse", even in sanitizer builds.
constexpr auto k_slow = std::chrono::seconds(20);

std::string repeat(std::string_view s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

base::Result<WordResult> expand(std::string_view word, const EnvLookup& env) {
  return Lexer().process_word(word, env);
}

TEST(ShellLimits, MillionCharacterWord) {
  const std::string word = repeat("ab\\ c'd'\"e\" ", 100000);  // 1.2M characters
  const auto start = Clock::now();
  const auto r = expand(word, env_from_pairs({}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result.size(), 700000u);
  EXPECT_EQ(r->words.size(), 100000u);
  EXPECT_LT(Clock::now() - start, k_slow);
}

TEST(ShellLimits, DeepNestingIsAnErrorNotACrash) {
  const size_t levels = 100000;
  const std::string word = repeat("${a:-", levels) + "x" + repeat("}", levels);
  const auto r = expand(word, env_from_pairs({}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("a: substitutions nested more than 100 levels deep"),
            std::string::npos)
      << r.error().message;
}

TEST(ShellLimits, NestingUpToTheLimitWorks) {
  const size_t max = Limits{}.max_nesting;
  const std::string word = repeat("${a:-", max) + "x" + repeat("}", max);
  const auto r = expand(word, env_from_pairs({}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->result, "x");
  const std::string deeper =
      repeat("${a:-", max + 1) + "x" + repeat("}", max + 1);
  EXPECT_FALSE(expand(deeper, env_from_pairs({})).ok());
}

TEST(ShellLimits, DeepNestingThroughQuotesAndPatterns) {
  const size_t levels = 50000;
  const std::string word = repeat("\"${a#${b/x/", levels);
  const auto r = expand(word, env_from_pairs({}));
  EXPECT_FALSE(r.ok());
}

TEST(ShellLimits, ChainOfLargeValuesIsRefused) {
  const std::string big(1 << 20, 'v');
  const auto env = env_from_pairs({{"a", big}});
  const auto start = Clock::now();
  const auto r = expand(repeat("${a}", 250000), env);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("expanded word would be larger than 64 MiB"),
            std::string::npos)
      << r.error().message.substr(0, 200);
  EXPECT_LT(Clock::now() - start, k_slow);
  // Under the cap it works.
  const auto ok = expand(repeat("$a", 8), env);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->result.size(), 8u << 20);
}

TEST(ShellLimits, ChainOfLargeTrimsIsRefused) {
  // Each ${a##*v} reads the whole value but produces little: the work budget
  // still runs out (a small one here, to keep sanitizer builds quick).
  const auto env = env_from_pairs({{"a", std::string(1 << 16, 'v')}});
  Lexer lexer;
  Limits limits;
  limits.max_work_steps = 1u << 22;
  lexer.set_limits(limits);
  const auto start = Clock::now();
  const auto r = lexer.process_word(repeat("${a##*v}", 5000), env);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("steps"), std::string::npos);
  EXPECT_LT(Clock::now() - start, k_slow);
}

TEST(ShellLimits, ManyStarsAreCheap) {
  // A backtracking matcher needs len(value) * stars steps here.
  const auto env = env_from_pairs({{"a", std::string(1 << 16, 'a') + "b"}});
  const auto start = Clock::now();
  const auto r = expand("${a##" + repeat("*", 200000) + "c}", env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->result.size(), (1u << 16) + 1);
  const auto s = expand("${a%%" + repeat("*a", 20) + "*b}", env);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->result, "");
  EXPECT_LT(Clock::now() - start, k_slow);
}

TEST(ShellLimits, BacktrackingKillerPattern) {
  // (a*)*b-style inputs are exponential for naive backtracking matchers.
  const auto env = env_from_pairs({{"a", std::string(10000, 'a')}});
  const auto start = Clock::now();
  const auto r = expand("${a//" + repeat("*a", 100) + "*b/x}", env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->result, std::string(10000, 'a'));
  EXPECT_LT(Clock::now() - start, k_slow);
}

TEST(ShellLimits, ReplacementBlowUpIsRefused) {
  const auto env = env_from_pairs({{"a", std::string(100000, 'a')}, {"r", std::string(1000, 'r')}});
  const auto r = expand("${a//?/$r}", env);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("64 MiB"), std::string::npos) << r.error().message;
}

TEST(ShellLimits, ManyMatches) {
  const auto env = env_from_pairs({{"a", std::string(50000, 'a')}});
  const auto r = expand("${a//?/-}", env);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->result, std::string(50000, '-'));
}

TEST(ShellLimits, CustomLimits) {
  Lexer lexer;
  lexer.set_limits({.max_nesting = 2, .max_result_bytes = 1000, .max_work_steps = 100000});
  const auto env = env_from_pairs({{"a", std::string(300, 'a')}});
  EXPECT_TRUE(lexer.process_word("${x:-${y:-z}}", env).ok());
  const auto deep = lexer.process_word("${x:-${y:-${z:-w}}}", env);
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error().message,
            "failed to process \"${x:-${y:-${z:-w}}}\": z: substitutions nested more than 2 levels "
            "deep");
  EXPECT_TRUE(lexer.process_word("$a$a$a", env).ok());
  const auto big = lexer.process_word("$a$a$a$a", env);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().message,
            "failed to process \"$a$a$a$a\": expanded word would be larger than 1000 bytes");
  const auto replaced = lexer.process_word("${a//a/aaaa}", env);
  ASSERT_FALSE(replaced.ok());
  EXPECT_EQ(replaced.error().message,
            "failed to process \"${a//a/aaaa}\": replacing (a) would make a value larger than "
            "1000 bytes");
  const auto costly = lexer.process_word(repeat("${a##*a}", 400), env);
  ASSERT_FALSE(costly.ok());
  EXPECT_NE(costly.error().message.find("expansion needs more than 100000 steps"),
            std::string::npos);
}

}  // namespace
}  // namespace frontend::shell
