// `kiln debug instructions -f FILE`: parse a Dockerfile and run the
// instruction stage (keyword, flag and argument checks), then print the typed
// instructions as JSON (format in frontend/instructions/instructions_json.h).
// No variable expansion: values are shown as written.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "base/fs.h"
#include "cli/debug_commands.h"
#include "cli/dockerfile_input.h"
#include "frontend/instructions/instructions.h"
#include "frontend/instructions/instructions_json.h"
#include "frontend/parser/parser.h"

namespace cli {

namespace {

struct InstructionsOptions {
  std::string file;
};

void run_instructions(const InstructionsOptions& opts, CommandContext& ctx) {
  ctx.exit_code = 1;
  base::Result<std::string> text = read_dockerfile(opts.file);
  if (!text.ok()) {
    std::cerr << "error: " << text.error().render() << "\n";
    return;
  }
  std::string display = opts.file == "-" ? "<stdin>" : opts.file;
  auto doc = frontend::parser::parse_dockerfile(*text, display);
  if (!doc.ok()) {
    std::cerr << "error: " << doc.error().render() << "\n";
    return;
  }
  auto parsed = frontend::instructions::parse_instructions(*doc);
  if (!parsed.ok()) {
    std::cerr << "error: " << parsed.error().render() << "\n";
    return;
  }
  std::cout << frontend::instructions::dump_json(*parsed);
  ctx.exit_code = 0;
}

}  // namespace

void register_debug_instructions(CLI::App& debug, CommandContext& ctx) {
  auto opts = std::make_shared<InstructionsOptions>();
  CLI::App* cmd = debug.add_subcommand(
      "instructions", "Print the checked, typed instructions of a Dockerfile as JSON");
  cmd->add_option("-f,--file", opts->file, "Dockerfile to read (\"-\" reads standard input)")->required();
  cmd->callback([opts, &ctx] { run_instructions(*opts, ctx); });
}

}  // namespace cli
