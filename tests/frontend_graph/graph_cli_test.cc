// `kiln debug graph` end to end: the example Dockerfile in JSON and DOT, build
// args and targets from the command line, and errors on stderr.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/cli/run_kiln.h"

namespace {

const std::vector<std::string> k_platforms = {"--platform", "linux/amd64", "--build-platform", "linux/amd64"};

std::vector<std::string> args(std::vector<std::string> a) {
  a.insert(a.end(), k_platforms.begin(), k_platforms.end());
  return a;
}

TEST(DebugGraph, PrintsTheExampleAsJson) {
  std::string file = tests::source_path("examples/multistage/Dockerfile");
  auto run = tests::run_kiln(args({"debug", "graph", "-f", file}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["schema"], "kiln.ir.v1");
  EXPECT_EQ(j["target"], "final");
  ASSERT_EQ(j["stages"].size(), 2u);  // test is not needed by final
  EXPECT_EQ(j["stages"][0]["name"], "build");
  // Byte-identical on a second run.
  EXPECT_EQ(tests::run_kiln(args({"debug", "graph", "-f", file})).out, run.out);
}

TEST(DebugGraph, TargetAndBuildArgs) {
  std::string file = tests::source_path("examples/multistage/Dockerfile");
  auto run = tests::run_kiln(args({"debug", "graph", "-f", file, "--target", "test", "--build-arg", "VERSION=2.0.0",
                                   "--build-arg", "BUSYBOX=busybox:1.36"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["target"], "test");
  bool saw_image = false, saw_version = false;
  for (const auto& op : j["ops"]) {
    if (op["kind"] == "image") saw_image = op["ref"] == "docker.io/library/busybox:1.36";
    if (op["kind"] == "exec")
      for (const auto& kv : op["env"]) saw_version = saw_version || (kv[0] == "VERSION" && kv[1] == "2.0.0");
  }
  EXPECT_TRUE(saw_image);
  EXPECT_TRUE(saw_version);
}

TEST(DebugGraph, BuildArgWithoutValueComesFromTheEnvironment) {
  setenv("KILN_TEST_GRAPH_VERSION", "7.7.7", 1);
  std::string file = tests::source_path("tests/fixtures/dockerfiles/graph/build-arg-env/Dockerfile");
  auto run = tests::run_kiln(args({"debug", "graph", "-f", file, "--build-arg", "KILN_TEST_GRAPH_VERSION"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("\"7.7.7\""), std::string::npos) << run.out;
}

TEST(DebugGraph, Dot) {
  std::string file = tests::source_path("examples/multistage/Dockerfile");
  auto run = tests::run_kiln(args({"debug", "graph", "-f", file, "--format", "dot"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.rfind("digraph kiln {", 0), 0u);
  EXPECT_NE(run.out.find("cluster_stage0"), std::string::npos);
  EXPECT_NE(run.out.find("COPY --from=build"), std::string::npos);
}

TEST(DebugGraph, ErrorsGoToStderr) {
  std::string file = tests::source_path("examples/multistage/Dockerfile");
  auto run = tests::run_kiln(args({"debug", "graph", "-f", file, "--target", "nope"}));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_TRUE(run.out.empty());
  EXPECT_NE(run.err.find("error: target stage \"nope\" could not be found"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("build, test, final"), std::string::npos) << run.err;
  auto bad = tests::run_kiln(args({"debug", "graph", "-f", file, "--format", "xml"}));
  EXPECT_NE(bad.exit_code, 0);
}

}  // namespace
