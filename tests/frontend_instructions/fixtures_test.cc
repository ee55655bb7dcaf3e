// Negative golden fixtures: each tests/fixtures/dockerfiles/instructions-errors/<case>/
// holds a Dockerfile that parses but fails the instruction stage, and
// expected-error.txt, a substring of the rendered error (file:line:col: message,
// the quoted line, the hint).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "frontend/instructions/instructions.h"
#include "frontend/parser/parser.h"

namespace frontend::instructions {
namespace {

namespace fs = std::filesystem;

fs::path cases_dir() {
  const char* src = std::getenv("KILN_SOURCE_DIR");
  return fs::path(src ? src : ".") / "tests/fixtures/dockerfiles/instructions-errors";
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(cases_dir(), ec))
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class InstructionErrorFixture : public testing::TestWithParam<std::string> {};

TEST_P(InstructionErrorFixture, FailsWithExpectedError) {
  fs::path dir = cases_dir() / GetParam();
  ASSERT_TRUE(fs::exists(dir / "Dockerfile")) << dir;
  ASSERT_TRUE(fs::exists(dir / "expected-error.txt")) << dir;
  std::string expected = read_file(dir / "expected-error.txt");
  while (!expected.empty() && (expected.back() == '\n' || expected.back() == '\r')) expected.pop_back();
  ASSERT_FALSE(expected.empty());

  auto doc = parser::parse_dockerfile(read_file(dir / "Dockerfile"), "Dockerfile");
  ASSERT_TRUE(doc.ok()) << "the parser rejected the fixture: " << doc.error().render();
  auto parsed = parse_instructions(*doc);
  ASSERT_FALSE(parsed.ok()) << "expected an error containing:\n" << expected;
  std::string rendered = parsed.error().render();
  EXPECT_NE(rendered.find(expected), std::string::npos)
      << "expected substring:\n" << expected << "\nactual:\n" << rendered;
}

INSTANTIATE_TEST_SUITE_P(Cases, InstructionErrorFixture, testing::ValuesIn(case_names()),
                         [](const testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param;
                           for (auto& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

TEST(InstructionErrorFixtures, ThereAreMany) { EXPECT_GE(case_names().size(), 60u); }

}  // namespace
}  // namespace frontend::instructions
