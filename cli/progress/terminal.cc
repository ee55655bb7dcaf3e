#include "cli/progress/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>

namespace cli::progress {

TerminalSize terminal_size(int fd) {
  TerminalSize size;
  struct winsize ws {};
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0) {
    if (ws.ws_col > 0) size.width = ws.ws_col;
    if (ws.ws_row > 0) size.height = ws.ws_row;
  }
  return size;
}

bool is_terminal(int fd) { return isatty(fd) == 1; }

void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace cli::progress
