// `kiln debug graph -f FILE [--target T] [--build-arg K=V]... [--platform P]
// [--context DIR] [--format json|dot]`: parse, check and lower a Dockerfile, then print the
// build graph (solver/ir/serialize.h) without building anything.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "base/fs.h"
#include "cli/debug_commands.h"
#include "cli/dockerfile_input.h"
#include "frontend/ignore/ignore_file.h"
#include "frontend/instructions/instructions.h"
#include "frontend/lower/lower.h"
#include "frontend/parser/parser.h"
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

// --build-arg K=V, or K alone to take the value from kiln's environment (an
// unset variable leaves the arg undefined, as docker does).
std::vector<std::pair<std::string, std::string>> build_args(const std::vector<std::string>& raw) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& a : raw) {
    size_t eq = a.find('=');
    if (eq != std::string::npos) {
      out.emplace_back(a.substr(0, eq), a.substr(eq + 1));
    } else if (const char* v = std::getenv(a.c_str())) {
      out.emplace_back(a, v);
    }
  }
  return out;
}

base::Result<std::string> run(const GraphOptions& opts) {
  TRY_ASSIGN(std::string text, read_dockerfile(opts.file));
  std::string display = opts.file == "-" ? "<stdin>" : opts.file;
  TRY_ASSIGN(frontend::ast::Document doc, frontend::parser::parse_dockerfile(text, display));
  TRY_ASSIGN(frontend::instructions::ParsedDockerfile parsed, frontend::instructions::parse_instructions(doc));
  frontend::lower::LowerOptions lower_opts;
  lower_opts.build_args = build_args(opts.build_args);
  lower_opts.target = opts.target;
  if (!opts.platform.empty()) {
    TRY_ASSIGN(lower_opts.target_platform, base::with_context(ir::parse_platform(opts.platform), "--platform"));
  }
  if (!opts.build_platform.empty()) {
    TRY_ASSIGN(lower_opts.build_platform,
               base::with_context(ir::parse_platform(opts.build_platform), "--build-platform"));
  }
  if (!opts.context.empty()) {
    // The .dockerignore that a build of this context would use.
    base::RealFs fs;
    TRY_ASSIGN(std::optional<std::string> ignore_file,
               frontend::ignore::find_ignore_file(fs, opts.context, opts.file));
    if (ignore_file) {
      TRY_ASSIGN(std::string content, fs.read_file(*ignore_file));
      TRY_ASSIGN(lower_opts.ignore_patterns, frontend::ignore::read_ignore_patterns(content, *ignore_file));
    }
  }
  TRY_ASSIGN(ir::Definition def, frontend::lower::lower(parsed, lower_opts));
  return opts.format == "dot" ? ir::to_dot(def) : ir::to_json(def);
}

}  // namespace

void register_debug_graph(CLI::App& debug, CommandContext& ctx) {
  auto opts = std::make_shared<GraphOptions>();
  CLI::App* cmd = debug.add_subcommand("graph", "Print the build graph of a Dockerfile (JSON or Graphviz DOT)");
  cmd->add_option("-f,--file", opts->file, "Dockerfile to lower (\"-\" reads standard input)")->required();
  cmd->add_option("--target", opts->target, "Build stage to stop at (default: the last stage)");
  cmd->add_option("--build-arg", opts->build_args, "Set a build argument (K=V, or K to take it from the environment)");
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
