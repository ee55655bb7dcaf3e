// Runs the case tables in testdata/: values.txt (expansion results) and
// words.txt (word splitting). Their expectations are BuildKit's results for
// the same inputs; see the header of each file for its format.
#include <gtest/gtest.h>

#include <fstream>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "frontend/shell/lexer.h"
#include "frontend/shell/utf8.h"

namespace frontend::shell {
namespace {

struct TableCase {
  std::string file;
  int line = 0;
  std::string word;
  std::string expected;  // "error: ..." for a failure
  std::vector<std::pair<std::string, std::string>> env;
  char escape = '\\';
  bool raw_quotes = false;
  bool raw_escapes = false;
  bool skip_quotes = false;
  bool skip_unset = false;
};

std::string trim(std::string s, bool left, bool right) {
  const auto is_ws = [](char c) { return c == ' ' || c == '\t'; };
  while (left && !s.empty() && is_ws(s.front())) s.erase(s.begin());
  while (right && !s.empty() && is_ws(s.back())) s.pop_back();
  return s;
}

std::vector<TableCase> load(const std::string& name,
                            std::vector<std::pair<std::string, std::string>> defaults) {
  std::vector<TableCase> cases;
  std::ifstream in(std::string(KILN_SHELL_TESTDATA) + "/" + name);
  EXPECT_TRUE(in.good()) << "cannot read testdata/" << name;
  TableCase state;
  state.file = name;
  state.env = defaults;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("env ", 0) == 0) {
      const size_t eq = line.find('=');
      state.env.emplace_back(line.substr(4, eq - 4), line.substr(eq + 1));
    } else if (line == "env-reset") {
      state.env = defaults;
    } else if (line.rfind("escape ", 0) == 0) {
      state.escape = line[7];
    } else if (line.rfind("raw-quotes ", 0) == 0) {
      state.raw_quotes = line[11] == '1';
    } else if (line.rfind("skip-quotes ", 0) == 0) {
      state.skip_quotes = line[12] == '1';
    } else if (line.rfind("skip-unset ", 0) == 0) {
      state.skip_unset = line[11] == '1';
    } else if (line.rfind("raw-escapes ", 0) == 0) {
      state.raw_escapes = line[12] == '1';
    } else {
      const size_t bar = line.find('|');
      EXPECT_NE(bar, std::string::npos) << name << ":" << number << ": no '|'";
      if (bar == std::string::npos) continue;
      TableCase c = state;
      c.line = number;
      c.word = trim(line.substr(0, bar), true, true);
      c.expected = line.substr(bar + 1);
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

void PrintTo(const TableCase& c, std::ostream* os) { *os << quote(c.word); }

std::string case_name(const testing::TestParamInfo<TableCase>& info) {
  return "line_" + std::to_string(info.param.line);
}

base::Result<WordResult> run(const TableCase& c) {
  Lexer lexer(c.escape);
  lexer.set_raw_quotes(c.raw_quotes);
  lexer.set_raw_escapes(c.raw_escapes);
  lexer.set_skip_process_quotes(c.skip_quotes);
  lexer.set_skip_unset_env(c.skip_unset);
  return lexer.process_word(c.word, env_from_pairs(c.env));
}

void expect_error(const TableCase& c, const base::Result<WordResult>& r, std::string expected) {
  ASSERT_FALSE(r.ok()) << "expected an error for " << c.word << ", got " << r->result;
  expected = trim(expected.substr(std::string("error:").size()), true, true);
  EXPECT_EQ(r.error().message, "failed to process " + quote(c.word) + ": " + expected);
}

class ValuesTable : public testing::TestWithParam<TableCase> {};

TEST_P(ValuesTable, ExpandsLikeBuildKit) {
  const TableCase& c = GetParam();
  SCOPED_TRACE(c.file + ":" + std::to_string(c.line) + ": " + c.word);
  const auto r = run(c);
  const std::string expected = trim(c.expected, true, true);
  if (expected.rfind("error:", 0) == 0) return expect_error(c, r, expected);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->result, expected);
}

INSTANTIATE_TEST_SUITE_P(Shell, ValuesTable,
                         testing::ValuesIn(load("values.txt", {{"PWD", "/home"},
                                                               {"SHELL", "bash"},
                                                               {"KOREAN", "한국어"},
                                                               {"NULL", ""}})),
                         case_name);

class WordsTable : public testing::TestWithParam<TableCase> {};

TEST_P(WordsTable, SplitsLikeBuildKit) {
  const TableCase& c = GetParam();
  SCOPED_TRACE(c.file + ":" + std::to_string(c.line) + ": " + c.word);
  const auto r = run(c);
  const std::string expected = trim(c.expected, true, false);
  if (expected.rfind("error:", 0) == 0) return expect_error(c, r, expected);
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::vector<std::string> words;
  for (size_t start = 0; !expected.empty();) {
    const size_t comma = expected.find(',', start);
    words.push_back(expected.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  EXPECT_EQ(r->words, words);
  // process_words is the same split.
  Lexer lexer(c.escape);
  lexer.set_raw_quotes(c.raw_quotes);
  lexer.set_raw_escapes(c.raw_escapes);
  const auto only_words = lexer.process_words(c.word, env_from_pairs(c.env));
  ASSERT_TRUE(only_words.ok());
  EXPECT_EQ(*only_words, words);
}

INSTANTIATE_TEST_SUITE_P(Shell, WordsTable, testing::ValuesIn(load("words.txt", {})), case_name);

}  // namespace
}  // namespace frontend::shell
