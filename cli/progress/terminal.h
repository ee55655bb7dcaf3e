#pragma once
// The few terminal facts and writes the progress displays need, on a raw fd.
#include <string_view>

namespace cli::progress {

struct TerminalSize {
  int width = 80;   // BuildKit's defaults when the size cannot be read
  int height = 10;
};

// TIOCGWINSZ on `fd`; the defaults when it fails or reports zero.
TerminalSize terminal_size(int fd);

bool is_terminal(int fd);

// Writes all of `bytes`, retrying after EINTR and short writes. Errors are
// dropped: progress output that cannot be written must not fail the build.
void write_all(int fd, std::string_view bytes);

}  // namespace cli::progress
