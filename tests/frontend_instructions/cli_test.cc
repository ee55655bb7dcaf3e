// `kiln debug instructions` end to end: JSON on success, a rendered,
// positioned error and exit code 1 on failure.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/cli/run_kiln.h"

namespace {

TEST(DebugInstructions, PrintsTypedInstructions) {
  tests::KilnRun r = tests::run_kiln({"debug", "instructions", "-f", "-"},
                                     "ARG V=1\nFROM alpine:$V AS Build\n"
                                     "RUN --mount=type=cache,target=/c --network=none make\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["kiln_instructions_version"], 1);
  EXPECT_EQ(j["meta_args"][0]["args"][0]["name"], "V");
  EXPECT_EQ(j["stages"][0]["name"], "build");
  EXPECT_EQ(j["stages"][0]["base_name"], "alpine:$V");
  EXPECT_EQ(j["stages"][0]["commands"][0]["instruction"], "RUN");
  EXPECT_EQ(j["stages"][0]["commands"][0]["network"], "none");
  EXPECT_EQ(j["stages"][0]["commands"][0]["mounts"][0]["type"], "cache");
  EXPECT_EQ(j["warnings"][0]["short"], "StageNameCasing: Stage name 'Build' should be lowercase");
}

TEST(DebugInstructions, ReportsCheckErrors) {
  tests::KilnRun r = tests::run_kiln({"debug", "instructions", "-f", "-"},
                                     "FROM alpine\nRUN --network=bridge make\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("error: <stdin>:2:5: invalid network mode \"bridge\""), std::string::npos) << r.err;
}

TEST(DebugInstructions, ReadsAFile) {
  tests::KilnRun r = tests::run_kiln(
      {"debug", "instructions", "-f",
       tests::source_path("tests/fixtures/dockerfiles/instructions-errors/unknown-instruction/Dockerfile")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unknown instruction: COPPY"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hint: did you mean COPY?"), std::string::npos) << r.err;
}

}  // namespace
