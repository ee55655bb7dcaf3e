#pragma once
// The `kiln debug` subcommands, one file each (cli/debug_<name>.cc). Each adds
// itself to the `debug` app; add its declaration here, its call in debug.cc and
// its source file in cli/CMakeLists.txt.
#include "cli/commands.h"

namespace cli {

void register_debug_parse(CLI::App& debug, CommandContext& ctx);
void register_debug_graph(CLI::App& debug, CommandContext& ctx);
void register_debug_expand(CLI::App& debug, CommandContext& ctx);
void register_debug_ignore(CLI::App& debug, CommandContext& ctx);
void register_debug_instructions(CLI::App& debug, CommandContext& ctx);
}  // namespace cli
