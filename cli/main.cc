// kiln: the command line. Parses arguments and wires modules together; all
// logic lives in the modules.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <string_view>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/help_formatter.h"

namespace {

// CLI11 reports an unknown subcommand as "a subcommand is required"; docker
// names the word instead. Walks the subcommand chain the way the user typed it
// and returns the message for the first word that is not a command, if any.
std::string unknown_command_message(const CLI::App& app, int argc, char** argv) {
  const CLI::App* current = &app;
  std::string path = app.get_name();
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word == "--") break;
    if (!word.empty() && word[0] == '-') return {};  // options: leave them to CLI11
    auto subs = current->get_subcommands([&](const CLI::App* s) { return s->check_name(word); });
    if (subs.empty()) {
      if (current->get_require_subcommand_min() == 0) return {};
      return path + ": '" + word + "' is not a " + path + " command.\nSee '" + path + " --help'";
    }
    current = subs.front();
    path += " " + current->get_name();
  }
  return {};
}

}  // namespace

namespace cli {

CLI::Option* add_root_option(CLI::App* cmd, std::string& root) {
  return cmd
      ->add_option("--root", root, "kiln's storage directory (default: $KILN_ROOT or /var/lib/kiln)")
      ->check(CLI::Validator(
          [](std::string& value) {
            return value.empty() ? std::string("needs a directory (an empty value would pick the default store)")
                                 : std::string();
          },
          ""));
}

}  // namespace cli

namespace {

// docker's shape for a bad command line: "unknown flag: --bogus" or the
// problem, then "See 'kiln build --help'." for the command that was parsed.
std::string usage_error_message(const CLI::App* app, const CLI::Error& e) {
  std::string path = app->get_name();
  const CLI::App* cur = app;
  while (!cur->get_subcommands().empty()) {
    cur = cur->get_subcommands().front();
    path += " " + cur->get_name();
  }
  std::string message = e.what();
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    // The first flag the command does not know, in the order typed.
    std::vector<std::string> extras = cur->remaining();
    if (extras.empty()) extras = app->remaining();
    for (const std::string& word : extras)
      if (word.size() > 1 && word[0] == '-') {
        message = "unknown flag: " + word.substr(0, word.find('='));
        break;
      }
  }
  return message + "\nSee '" + path + " --help'.\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"A daemonless builder of OCI container images from Dockerfiles", "kiln"};
  app.set_version_flag("-v,--version", std::string("kiln version ") + KILN_VERSION);
  app.require_subcommand(1);
  cli::CommandContext ctx;
  cli::install_help_formatter(app);
  app.failure_message(usage_error_message);
  cli::register_build(app, ctx);
  cli::register_run(app, ctx);
  cli::register_image_commands(app, ctx);
  cli::register_storage_commands(app, ctx);
  cli::register_registry_commands(app, ctx);
  cli::register_debug_commands(app, ctx);
  // A misspelled backend is the user's mistake, not the store's.
  if (const char* backend = std::getenv("KILN_SNAPSHOTTER");
      backend && *backend && std::string_view(backend) != "auto" && std::string_view(backend) != "overlay" &&
      std::string_view(backend) != "copy") {
    std::cerr << "error: KILN_SNAPSHOTTER=" << backend << ": unknown snapshotter (auto, overlay or copy)\n";
    return cli::k_exit_usage;
  }
  if (std::string msg = unknown_command_message(app, argc, argv); !msg.empty()) {
    std::cerr << msg << "\n";
    return cli::k_exit_usage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    // Help and version are successes; every other parse error is a usage error.
    return code == 0 ? 0 : cli::k_exit_usage;
  }
  return ctx.exit_code;
}
