// kiln: the command line. Parses arguments and wires modules together; all
// logic lives in the modules.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "cli/help_formatter.h"

int main(int argc, char** argv) {
  CLI::App app{"A daemonless builder of OCI container images from Dockerfiles", "kiln"};
  app.set_version_flag("-v,--version", std::string("kiln version ") + KILN_VERSION);
  app.require_subcommand(1);
  cli::CommandContext ctx;
  cli::install_help_formatter(app);
  cli::register_debug_commands(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return ctx.exit_code;
}
