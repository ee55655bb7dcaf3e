#pragma once
// Runs the built `kiln` binary as a user would, for end-to-end CLI tests.

#include <string>
#include <vector>

namespace tests {

struct KilnRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Path of the kiln binary of this build (from KILN_BINARY_DIR, set by ctest).
std::string kiln_binary();
// Path of a file in the source tree (from KILN_SOURCE_DIR, set by ctest).
std::string source_path(const std::string& relative);

// Runs kiln with `args`, feeding `stdin_data` on its standard input.
KilnRun run_kiln(const std::vector<std::string>& args, const std::string& stdin_data = {});

}  // namespace tests
