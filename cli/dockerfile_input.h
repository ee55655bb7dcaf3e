#pragma once
// Reads the Dockerfile named by -f: a path, or "-" for standard input, as
// docker's `-f -` does.
#include <string>

#include "base/result.h"

namespace cli {

base::Result<std::string> read_dockerfile(const std::string& file);

}  // namespace cli
