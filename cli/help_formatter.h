#pragma once
// Help text laid out like docker's CLI:
//
//   Usage:  kiln debug parse [OPTIONS]
//
//   Print the parser's view of a Dockerfile as JSON
//
//   Options:
//     -f, --file string   Dockerfile to parse
//
//   Run 'kiln debug COMMAND --help' for more information on a command.
#include <CLI/CLI.hpp>

namespace cli {

// Installs the formatter on `app`; subcommands added later inherit it.
void install_help_formatter(CLI::App& app);

}  // namespace cli
