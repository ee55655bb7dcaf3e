#pragma once
// Files for end-to-end tests: a temporary directory removed with its
// contents, and whole-file write and read.
#include <sys/stat.h>
#include <sys/types.h>

#include <string>

#include "base/testing/temp_dir.h"

namespace tests {

using TempDir = base::testing::TempDir;

// Creates the parent directories as needed.
void write(const std::string& path, const std::string& text, mode_t mode = 0644);
// "" when the file cannot be read.
std::string read(const std::string& path);
// Whether `tool` is on PATH.
bool have(const char* tool);

}  // namespace tests
