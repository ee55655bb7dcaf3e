#include "cli/help_formatter.h"

#include <algorithm>
#include <memory>
#include <sstream>

namespace cli {
namespace {

std::string command_path(const CLI::App* app) {
  std::string path = app->get_name();
  for (const CLI::App* p = app->get_parent(); p; p = p->get_parent()) path = p->get_name() + " " + path;
  return path;
}

// docker prints the value type after the flag name: "-t, --tag list".
std::string option_label(const CLI::Option* opt) {
  std::string names;
  std::string short_name;
  std::string long_name;
  for (const auto& s : opt->get_snames()) short_name = "-" + s;
  for (const auto& l : opt->get_lnames()) long_name = "--" + l;
  names = short_name.empty() ? "    " + long_name : short_name + ", " + long_name;
  // Flags expect no value items; options do.
  if (opt->get_items_expected_max() != 0) {
    std::string type = opt->get_type_name();
    if (opt->get_items_expected_max() > 1 || opt->get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll)
      type = "list";
    else if (type == "TEXT" || type.empty())
      type = "string";
    else if (type == "INT" || type == "UINT")
      type = "int";
    else
      std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
    names += " " + type;
  }
  return names;
}

class DockerStyleFormatter final : public CLI::Formatter {
 public:
  std::string make_help(const CLI::App* app, std::string, CLI::AppFormatMode) const override {
    std::ostringstream out;
    std::vector<const CLI::App*> subs = app->get_subcommands([](const CLI::App* s) {
      return !s->get_name().empty() && !s->get_group().empty();
    });
    std::vector<const CLI::Option*> positionals = app->get_options(
        [](const CLI::Option* o) { return o->get_lnames().empty() && o->get_snames().empty(); });
    std::vector<const CLI::Option*> flags = app->get_options(
        [](const CLI::Option* o) { return !o->get_lnames().empty() || !o->get_snames().empty(); });

    out << "\nUsage:  " << command_path(app);
    if (!flags.empty()) out << " [OPTIONS]";
    if (!subs.empty()) out << " COMMAND";
    for (const CLI::Option* p : positionals) {
      std::string name = p->get_name();
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
      std::vector<std::string> words;
      for (std::istringstream in(name); in >> name;) words.push_back(name);
      if (words.size() > 1) {
        // "SOURCE TARGET" names each value: no "...", and the values past
        // the required count in brackets ("NAME [DEST]").
        int required = p->get_required() ? p->get_expected_min() : 0;
        for (size_t i = 0; i < words.size(); ++i)
          out << " " << (static_cast<int>(i) < required ? words[i] : "[" + words[i] + "]");
        continue;
      }
      bool many = p->get_expected_max() > 1 || p->get_items_expected_max() > 1;
      out << " " << (p->get_required() ? words[0] : "[" + words[0] + "]") << (many ? "..." : "");
    }
    // Everything after the positionals is a command line of its own (kiln run).
    if (app->get_prefix_command()) out << " [COMMAND] [ARG...]";
    out << "\n\n" << app->get_description() << "\n";

    if (!subs.empty()) {
      size_t width = 0;
      for (const CLI::App* s : subs) width = std::max(width, s->get_name().size());
      out << "\nCommands:\n";
      for (const CLI::App* s : subs)
        out << "  " << s->get_name() << std::string(width - s->get_name().size() + 2, ' ')
            << s->get_description() << "\n";
    }
    if (!flags.empty()) {
      std::vector<std::pair<std::string, std::string>> rows;
      size_t width = 0;
      for (const CLI::Option* o : flags) {
        rows.emplace_back(option_label(o), o->get_description());
        width = std::max(width, rows.back().first.size());
      }
      out << "\nOptions:\n";
      for (const auto& [label, desc] : rows)
        out << "  " << label << std::string(width - label.size() + 3, ' ') << desc << "\n";
    }
    if (!subs.empty())
      out << "\nRun '" << command_path(app) << " COMMAND --help' for more information on a command.\n";
    return out.str();
  }
};

}  // namespace

void install_help_formatter(CLI::App& app) {
  app.formatter(std::make_shared<DockerStyleFormatter>());
  app.set_help_flag("-h,--help", "Print usage");
}

}  // namespace cli
