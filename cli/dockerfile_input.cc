#include "cli/dockerfile_input.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "frontend/parser/parser.h"

namespace cli {

// The parser refuses a Dockerfile past its size limit; reading stops one byte
// beyond it, so that an endless or huge input is refused without being held
// in memory whole.
base::Result<std::string> read_dockerfile(const std::string& file) {
  std::FILE* in = stdin;
  if (file != "-") {
    in = std::fopen(file.c_str(), "rbe");  // "e": close on exec, as every descriptor kiln opens
    if (in == nullptr) {
      const int error = errno;
      return base::make_error("cannot read the Dockerfile " + file + ": " + std::strerror(error));
    }
  }
  std::string text;
  char buf[65536];
  size_t n = 0;
  while (text.size() <= frontend::parser::k_max_dockerfile_size && (n = std::fread(buf, 1, sizeof buf, in)) > 0)
    text.append(buf, n);
  const bool failed = std::ferror(in) != 0;
  const int error = errno;
  if (in != stdin) std::fclose(in);
  if (failed)
    return base::make_error(file == "-" ? std::string("cannot read the Dockerfile from standard input")
                                        : "cannot read the Dockerfile " + file + ": " + std::strerror(error));
  return text;
}

}  // namespace cli
