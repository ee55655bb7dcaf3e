#pragma once
// Each kiln subcommand lives in its own file and registers itself on the
// parent CLI11 app through one of these functions; main.cc calls them all.
// A command's callback returns through `exit_code` so main can exit cleanly.

#include <CLI/CLI.hpp>

#include <string>

namespace cli {

// Where a command's callback leaves the process exit status.
struct CommandContext {
  int exit_code = 0;
};

// The --root option every store command takes. An empty value is refused:
// it would silently pick the default store.
CLI::Option* add_root_option(CLI::App* cmd, std::string& root);

void register_debug_commands(CLI::App& app, CommandContext& ctx);
void register_build(CLI::App& app, CommandContext& ctx);
void register_run(CLI::App& app, CommandContext& ctx);
void register_image_commands(CLI::App& app, CommandContext& ctx);
void register_storage_commands(CLI::App& app, CommandContext& ctx);
void register_registry_commands(CLI::App& app, CommandContext& ctx);

}  // namespace cli
