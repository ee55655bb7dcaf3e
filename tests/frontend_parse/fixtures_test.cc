// Runs every golden case under tests/fixtures/dockerfiles/parse (a
// Dockerfile and the expected `kiln debug parse` JSON) and
// tests/fixtures/dockerfiles/parse-errors (a Dockerfile and a substring of
// the rendered error, file:line:col included).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "frontend/parser/ast_json.h"
#include "frontend/parser/parser.h"

namespace {

namespace fs = std::filesystem;

fs::path fixtures_dir(const char* kind) {
  const char* src = std::getenv("KILN_SOURCE_DIR");
  return fs::path(src ? src : ".") / "tests" / "fixtures" / "dockerfiles" / kind;
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> cases(const char* kind) {
  std::vector<fs::path> out;
  fs::path dir = fixtures_dir(kind);
  if (!fs::is_directory(dir)) return out;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_directory()) out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string trim_trailing_newlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

TEST(ParseFixtures, EveryCaseMatchesItsExpectedJson) {
  std::vector<fs::path> all = cases("parse");
  ASSERT_GE(all.size(), 40u) << "fixtures missing under " << fixtures_dir("parse");
  for (const fs::path& dir : all) {
    SCOPED_TRACE(dir.filename().string());
    auto doc = frontend::parser::parse_dockerfile(read(dir / "Dockerfile"), "Dockerfile");
    ASSERT_TRUE(doc.ok()) << doc.error().render();
    nlohmann::ordered_json expected = nlohmann::ordered_json::parse(read(dir / "expected.json"));
    nlohmann::ordered_json actual = nlohmann::ordered_json::parse(frontend::parser::dump_json(*doc));
    EXPECT_EQ(actual, expected) << "got:\n" << actual.dump(2);
  }
}

TEST(ParseFixtures, EveryErrorCaseFailsWithItsMessage) {
  std::vector<fs::path> all = cases("parse-errors");
  ASSERT_GE(all.size(), 15u) << "fixtures missing under " << fixtures_dir("parse-errors");
  for (const fs::path& dir : all) {
    SCOPED_TRACE(dir.filename().string());
    auto doc = frontend::parser::parse_dockerfile(read(dir / "Dockerfile"), "Dockerfile");
    ASSERT_FALSE(doc.ok());
    std::string rendered = doc.error().render();
    std::string expected = trim_trailing_newlines(read(dir / "expected-error.txt"));
    EXPECT_NE(rendered.find(expected), std::string::npos) << "rendered:\n" << rendered;
    ASSERT_TRUE(doc.error().pos);
    EXPECT_GE(doc.error().pos->line, 1);
    EXPECT_GE(doc.error().pos->column, 1);
  }
}

}  // namespace
