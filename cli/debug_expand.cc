// `kiln debug expand [--words] [--escape C] [--env NAME=VALUE]... -- INPUT`:
// expand one word the way Dockerfile instructions do and print the result as
// JSON: {"result", "matched", "unmatched"} or, with --words, {"words"}.
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/debug_commands.h"
#include "frontend/shell/lexer.h"

namespace cli {

namespace {

struct ExpandOptions {
  bool words = false;
  std::string escape = "\\";
  std::vector<std::string> env;
  std::string input;
};

base::Result<std::vector<std::pair<std::string, std::string>>> parse_env(
    const std::vector<std::string>& specs) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& spec : specs) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos) {
      return base::make_error("invalid --env \"" + spec + "\": expected NAME=VALUE (NAME= sets an empty value)");
    }
    if (eq == 0) return base::make_error("invalid --env \"" + spec + "\": the name is empty");
    pairs.emplace_back(spec.substr(0, eq), spec.substr(eq + 1));
  }
  return pairs;
}

// Values may hold any bytes; invalid UTF-8 is shown as U+FFFD.
std::string dump(const nlohmann::ordered_json& j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

void run_expand(const ExpandOptions& opts, CommandContext& ctx) {
  auto fail = [&ctx](const base::Error& e) {
    std::cerr << "error: " << e.render() << "\n";
    ctx.exit_code = 1;
  };
  if (opts.escape != "\\" && opts.escape != "`") {
    return fail(base::make_error("invalid --escape \"" + opts.escape +
                                 "\": the escape character must be \\ or `"));
  }
  auto pairs = parse_env(opts.env);
  if (!pairs.ok()) return fail(pairs.error());
  frontend::shell::Lexer lexer(opts.escape[0]);
  auto r = lexer.process_word(opts.input, frontend::shell::env_from_pairs(*pairs));
  if (!r.ok()) return fail(r.error());
  nlohmann::ordered_json out;
  if (opts.words) {
    out["words"] = r->words;
  } else {
    out["result"] = r->result;
    out["matched"] = r->matched;
    out["unmatched"] = r->unmatched;
  }
  std::cout << dump(out) << "\n";
  ctx.exit_code = 0;
}

}  // namespace

void register_debug_expand(CLI::App& debug, CommandContext& ctx) {
  auto opts = std::make_shared<ExpandOptions>();
  CLI::App* cmd = debug.add_subcommand(
      "expand", "Expand variables in a word as Dockerfile instructions do, and print JSON");
  cmd->add_flag("--words", opts->words, "Print the words the expansion splits into");
  cmd->add_option("--escape", opts->escape, "Escape character: \\ (default) or `");
  cmd->add_option("--env", opts->env, "Set a variable (repeatable; the last one wins)")
      ->type_name("NAME=VALUE")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  cmd->add_option("input", opts->input, "The word to expand (put it after --)")->required();
  cmd->callback([opts, &ctx] { run_expand(*opts, ctx); });
}

}  // namespace cli
