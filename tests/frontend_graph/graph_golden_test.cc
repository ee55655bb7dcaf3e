// Golden tests of the lowering: every folder under
// tests/fixtures/dockerfiles/graph/ is one case:
//   Dockerfile      the input
//   args            optional, one option per line: --build-arg K=V, --target T,
//                   --platform P, --build-platform P, --ignore PATTERN
//   expected.json   the exact `kiln debug graph` JSON, or
//   expected_error  substrings (one per line) the rendered error must contain
// Platforms default to linux/amd64 so the goldens do not depend on the host.
// KILN_UPDATE_GOLDEN=1 rewrites expected.json from the current output.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "frontend/instructions/instructions.h"
#include "frontend/lower/lower.h"
#include "frontend/parser/parser.h"
#include "solver/ir/serialize.h"

namespace {

namespace fs = std::filesystem;

fs::path fixtures() {
  const char* src = std::getenv("KILN_SOURCE_DIR");
  return fs::path(src ? src : ".") / "tests/fixtures/dockerfiles/graph";
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') out.push_back(line);
  return out;
}

base::Result<std::string> run_case(const fs::path& dir) {
  std::string text = read(dir / "Dockerfile");
  frontend::lower::LowerOptions opt;
  opt.target_platform = ir::Platform{"linux", "amd64", ""};
  opt.build_platform = ir::Platform{"linux", "amd64", ""};
  if (fs::exists(dir / "args")) {
    for (const std::string& line : lines(read(dir / "args"))) {
      size_t sp = line.find(' ');
      std::string flag = line.substr(0, sp);
      std::string value = sp == std::string::npos ? "" : line.substr(sp + 1);
      if (flag == "--build-arg") {
        size_t eq = value.find('=');
        opt.build_args.emplace_back(value.substr(0, eq), eq == std::string::npos ? "" : value.substr(eq + 1));
      } else if (flag == "--target") {
        opt.target = value;
      } else if (flag == "--platform") {
        TRY_ASSIGN(opt.target_platform, ir::parse_platform(value));
      } else if (flag == "--build-platform") {
        TRY_ASSIGN(opt.build_platform, ir::parse_platform(value));
      } else if (flag == "--ignore") {
        opt.ignore_patterns.push_back(value);
      } else {
        return base::make_error("unknown option in args file: " + line);
      }
    }
  }
  TRY_ASSIGN(auto doc, frontend::parser::parse_dockerfile(text, "Dockerfile"));
  TRY_ASSIGN(auto parsed, frontend::instructions::parse_instructions(doc));
  TRY_ASSIGN(auto def, frontend::lower::lower(parsed, opt));
  return ir::to_json(def);
}

class GraphGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(GraphGolden, MatchesExpected) {
  fs::path dir = fixtures() / GetParam();
  auto out = run_case(dir);
  if (fs::exists(dir / "expected_error")) {
    ASSERT_FALSE(out.ok()) << "expected an error, got:\n" << *out;
    std::string rendered = out.error().render();
    for (const std::string& want : lines(read(dir / "expected_error")))
      EXPECT_NE(rendered.find(want), std::string::npos) << "missing \"" << want << "\" in:\n" << rendered;
    return;
  }
  ASSERT_TRUE(out.ok()) << out.error().render();
  if (const char* update = std::getenv("KILN_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    std::ofstream(dir / "expected.json", std::ios::binary) << *out;
    return;
  }
  ASSERT_TRUE(fs::exists(dir / "expected.json")) << "no expected.json in " << dir;
  EXPECT_EQ(*out, read(dir / "expected.json")) << "rerun with KILN_UPDATE_GOLDEN=1 to accept";
  // Lowering again gives the same bytes.
  auto again = run_case(dir);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*out, *again);
}

std::vector<std::string> cases() {
  std::vector<std::string> out;
  if (!fs::exists(fixtures())) return out;
  for (const auto& entry : fs::directory_iterator(fixtures()))
    if (entry.is_directory()) out.push_back(entry.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, GraphGolden, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name = param_info.param;
                           for (auto& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

TEST(GraphGoldenSet, HasCases) { EXPECT_GE(cases().size(), 10u); }

}  // namespace
