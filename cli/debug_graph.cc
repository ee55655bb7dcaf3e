// `kiln debug graph -f FILE [--target T] [--build-arg K=V]... [--platform P]
// [--context DIR] [--format json|dot]`: parse, check and lower a Dockerfile, then print the
// build graph (solver/ir/serialize.h) without building anything.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/build_definition.h"
#include "cli/debug_commands.h"
#include "solver/ir/serialize.h"

namespace cli {

namespace {

struct GraphOptions {
  std::string file;
  std::string target;
  std::vector<std::string> build_args;
  std::string platform;
  std::string build_platform;
  std::string context;
  std::string format = "json";
};

base::Result<std::string> run(const GraphOptions& opts) {
  DefinitionRequest request{opts.file,     opts.context,        opts.target, opts.build_args,
                            opts.platform, opts.build_platform, {}};
  TRY_ASSIGN(LoadedDefinition loaded, load_definition(request));
  return opts.format == "dot" ? ir::to_dot(loaded.def) : ir::to_json(loaded.def);
}

}  // namespace

void register_debug_graph(CLI::App& debug, CommandContext& ctx) {
  auto opts = std::make_shared<GraphOptions>();
  CLI::App* cmd = debug.add_subcommand("graph", "Print the build graph of a Dockerfile (JSON or Graphviz DOT)");
  cmd->add_option("-f,--file", opts->file, "Dockerfile to lower (\"-\" reads standard input)")->required();
  cmd->add_option("--target", opts->target, "Build stage to stop at (default: the last stage)");
  cmd->add_option("--build-arg", opts->build_args, "Set a build argument (K=V, or K to take it from the environment)")->allow_extra_args(false);
  cmd->add_option("--platform", opts->platform, "Target platform (default: this machine's)");
  cmd->add_option("--build-platform", opts->build_platform, "Build platform (default: this machine's)");
  cmd->add_option("--context", opts->context, "Build context directory, to apply its .dockerignore");
  cmd->add_option("--format", opts->format, "Output format: json (default) or dot")
      ->type_name("string")
      ->check(CLI::IsMember({"json", "dot"}));
  cmd->callback([opts, &ctx] {
    auto out = run(*opts);
    if (!out.ok()) {
      std::cerr << "error: " << out.error().render() << "\n";
      ctx.exit_code = 1;
      return;
    }
    std::cout << *out;
    ctx.exit_code = 0;
  });
}

}  // namespace cli
