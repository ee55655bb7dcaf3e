#pragma once
// A kiln root with a busybox image (examples/busybox, from Debian's
// busybox-static) built once per test program, shared by the tests of
// tests/run; each test builds its own Dockerfile in its own context.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/cli/run_kiln.h"
#include "tests/cli/test_files.h"

namespace tests {

class RunTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  KilnRun kiln(std::vector<std::string> args, const std::string& stdin_data = {});
  // `kiln build --progress=plain [extra] ctx`
  KilnRun build(const std::string& dockerfile, std::vector<std::string> extra = {});
  // Builds `dockerfile` with `-o type=local,dest=<dir>` and returns dir.
  std::string build_to_dir(const std::string& dockerfile, std::vector<std::string> extra = {});

  static std::string& root();
  static std::string& skip_reason();
  TempDir work;
  std::string ctx;
};

// The text of `path`, "" when missing.
std::string slurp(const std::string& path);

}  // namespace tests
