// `kiln debug parse -f FILE`: print what the parser made of a Dockerfile as
// one JSON object (format in frontend/parser/ast_json.h). No expansion and
// no instruction checks: only BuildKit's parse stage.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "base/fs.h"
#include "cli/debug_commands.h"
#include "cli/dockerfile_input.h"
#include "frontend/parser/ast_json.h"
#include "frontend/parser/parser.h"

namespace cli {

namespace {

struct ParseOptions {
  std::string file;
};

void run_parse(const ParseOptions& opts, CommandContext& ctx) {
  base::Result<std::string> text = read_dockerfile(opts.file);
  if (!text.ok()) {
    std::cerr << "error: " << text.error().render() << "\n";
    ctx.exit_code = 1;
    return;
  }
  std::string display = opts.file == "-" ? "<stdin>" : opts.file;
  auto doc = frontend::parser::parse_dockerfile(*text, display);
  if (!doc.ok()) {
    std::cerr << "error: " << doc.error().render() << "\n";
    ctx.exit_code = 1;
    return;
  }
  std::cout << frontend::parser::dump_json(*doc);
  ctx.exit_code = 0;
}

}  // namespace

void register_debug_parse(CLI::App& debug, CommandContext& ctx) {
  auto opts = std::make_shared<ParseOptions>();
  CLI::App* cmd = debug.add_subcommand("parse", "Print the parsed Dockerfile as JSON (BuildKit's parse stage)");
  cmd->add_option("-f,--file", opts->file, "Dockerfile to parse (\"-\" reads standard input)")->required();
  cmd->callback([opts, &ctx] { run_parse(*opts, ctx); });
}

}  // namespace cli
