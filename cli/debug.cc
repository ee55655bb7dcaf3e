// `kiln debug ...`: see what kiln understood of a Dockerfile, a word, an
// ignore file, without building anything.
#include "cli/commands.h"
#include "cli/debug_commands.h"

namespace cli {

void register_debug_commands(CLI::App& app, CommandContext& ctx) {
  CLI::App* debug = app.add_subcommand("debug", "Show what kiln understands of its inputs");
  debug->require_subcommand(1);
  register_debug_parse(*debug, ctx);
  register_debug_graph(*debug, ctx);
  register_debug_expand(*debug, ctx);
  register_debug_ignore(*debug, ctx);
  register_debug_instructions(*debug, ctx);
}

}  // namespace cli
