#include "cli/progress/progress_display.h"

#include <cstdlib>
#include <string>

#include "cli/progress/json_printer.h"
#include "cli/progress/plain_printer.h"
#include "cli/progress/stream_display.h"
#include "cli/progress/terminal.h"
#include "cli/progress/tty_display.h"

namespace cli::progress {

namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

}  // namespace

base::Result<ProgressMode> parse_progress_mode(std::string_view text) {
  if (text == "auto") return ProgressMode::automatic;
  if (text == "tty") return ProgressMode::tty;
  if (text == "plain") return ProgressMode::plain;
  if (text == "json") return ProgressMode::json;
  if (text == "quiet") return ProgressMode::quiet;
  return base::make_error("invalid progress mode \"" + std::string(text) +
                          "\": expected auto, tty, plain, json or quiet");
}

ProgressMode resolve_progress_mode(ProgressMode mode, bool is_tty, std::string_view term) {
  if (mode != ProgressMode::automatic) return mode;
  return is_tty && term != "dumb" ? ProgressMode::tty : ProgressMode::plain;
}

base::Result<std::unique_ptr<ProgressDisplay>> make_progress_sink(ProgressMode mode, int fd) {
  switch (resolve_progress_mode(mode, is_terminal(fd), env_or_empty("TERM"))) {
    case ProgressMode::tty: {
      if (!is_terminal(fd)) {
        return base::make_error("progress mode tty needs a terminal, but the output (fd " +
                                std::to_string(fd) + ") is not one");
      }
      // https://no-color.org: any non-empty NO_COLOR turns colours off.
      TtyOptions options{fd, env_or_empty("NO_COLOR").empty()};
      return std::unique_ptr<ProgressDisplay>(std::make_unique<TtyDisplay>(options));
    }
    case ProgressMode::json:
      return std::unique_ptr<ProgressDisplay>(std::make_unique<StreamDisplay>(std::make_unique<JsonPrinter>(), fd));
    case ProgressMode::quiet:
      return std::unique_ptr<ProgressDisplay>(std::make_unique<QuietDisplay>());
    case ProgressMode::automatic:  // resolved above
    case ProgressMode::plain:
      break;
  }
  return std::unique_ptr<ProgressDisplay>(std::make_unique<StreamDisplay>(std::make_unique<PlainPrinter>(), fd));
}

}  // namespace cli::progress
