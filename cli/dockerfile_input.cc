#include "cli/dockerfile_input.h"

#include <cstdio>

#include "base/fs.h"

namespace cli {

base::Result<std::string> read_dockerfile(const std::string& file) {
  if (file == "-") {
    std::string text;
    char buf[65536];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) text.append(buf, n);
    if (std::ferror(stdin)) return base::make_error("cannot read the Dockerfile from standard input");
    return text;
  }
  base::RealFs fs;
  return fs.read_file(file);
}

}  // namespace cli
