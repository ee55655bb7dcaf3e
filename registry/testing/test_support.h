#pragma once
// Test helpers for registry/: a temporary directory, running a program and
// capturing its output, and a free loopback port.

#include <string>
#include <vector>

#include "base/testing/temp_dir.h"

namespace registry::testing {

using TempDir = base::testing::TempDir;

struct RunResult {
  int exit_code = -1;
  std::string out;
};

// Runs argv[0] (looked up in $PATH) and returns its exit code and stdout
// (stderr is discarded).
RunResult run_capture(const std::vector<std::string>& argv);

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();

void write_file(const std::string& path, const std::string& content, int mode = 0644);
std::string read_file(const std::string& path);

}  // namespace registry::testing
