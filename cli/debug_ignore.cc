// `kiln debug ignore-match [--pattern P]... -- PATH`: print `true` when the
// patterns exclude PATH from the build context (the parent-directory rule
// included), else `false`.
// `kiln debug ignore-file FILE`: print the cleaned patterns of an ignore file
// as a JSON array.
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/fs.h"
#include "cli/debug_commands.h"
#include "frontend/ignore/ignore_file.h"
#include "frontend/ignore/pattern_matcher.h"

namespace cli {

namespace {

struct IgnoreMatchOptions {
  std::vector<std::string> patterns;
  std::string path;
};

void fail(CommandContext& ctx, const base::Error& e) {
  std::cerr << "error: " << e.render() << "\n";
  ctx.exit_code = 1;
}

void run_ignore_match(const IgnoreMatchOptions& opts, CommandContext& ctx) {
  // Each --pattern reads like one line of an ignore file ("/a" is "a").
  std::vector<std::string> patterns;
  for (const auto& line : opts.patterns) {
    auto read = frontend::ignore::read_ignore_patterns(line, "--pattern");
    if (!read.ok()) return fail(ctx, read.error());
    patterns.insert(patterns.end(), read->begin(), read->end());
  }
  auto matcher = frontend::ignore::PatternMatcher::create(std::move(patterns));
  if (!matcher.ok()) return fail(ctx, matcher.error());
  std::cout << (matcher->excluded(opts.path) ? "true" : "false") << "\n";
  ctx.exit_code = 0;
}

void run_ignore_file(const std::string& file, CommandContext& ctx) {
  base::RealFs fs;
  auto content = fs.read_file(file);
  if (!content.ok()) return fail(ctx, content.error());
  auto patterns = frontend::ignore::read_ignore_patterns(*content, file);
  if (!patterns.ok()) return fail(ctx, patterns.error());
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& p : *patterns) out.push_back(p);
  // Patterns may hold any bytes; invalid UTF-8 is shown as U+FFFD.
  std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  ctx.exit_code = 0;
}

}  // namespace

void register_debug_ignore(CLI::App& debug, CommandContext& ctx) {
  auto match_opts = std::make_shared<IgnoreMatchOptions>();
  CLI::App* match = debug.add_subcommand(
      "ignore-match", "Print whether .dockerignore patterns exclude a path (true or false)");
  match->add_option("--pattern", match_opts->patterns,
                    "An ignore pattern, as one line of .dockerignore (repeatable, in order)")
      ->type_name("PATTERN")
      ->allow_extra_args(false);
  match->add_option("path", match_opts->path, "Path relative to the context root")->required();
  match->callback([match_opts, &ctx] { run_ignore_match(*match_opts, ctx); });

  auto file = std::make_shared<std::string>();
  CLI::App* read = debug.add_subcommand(
      "ignore-file", "Print the cleaned patterns of a .dockerignore file as a JSON array");
  read->add_option("file", *file, "The ignore file")->required();
  read->callback([file, &ctx] { run_ignore_file(*file, ctx); });
}

}  // namespace cli
