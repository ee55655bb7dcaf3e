#include "cli/build_definition.h"

#include <cstdlib>

#include "base/fs.h"
#include "cli/dockerfile_input.h"
#include "frontend/ignore/ignore_file.h"
#include "frontend/instructions/instructions.h"
#include "frontend/parser/parser.h"

namespace cli {

std::vector<std::pair<std::string, std::string>> parse_build_args(const std::vector<std::string>& raw) {
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

base::Result<LoadedDefinition> load_definition(const DefinitionRequest& request,
                                               const std::map<std::string, std::string>& named_contexts) {
  LoadedDefinition out;
  TRY_ASSIGN(out.dockerfile_text, read_dockerfile(request.file));
  out.display_name = request.file == "-" ? "<stdin>" : request.file;
  TRY_ASSIGN(frontend::ast::Document doc,
             frontend::parser::parse_dockerfile(out.dockerfile_text, out.display_name));
  TRY_ASSIGN(frontend::instructions::ParsedDockerfile parsed,
             frontend::instructions::parse_instructions(doc));
  frontend::lower::LowerOptions lower_opts;
  lower_opts.build_args = parse_build_args(request.build_args);
  lower_opts.target = request.target;
  lower_opts.resolve_image = request.resolve_image;
  if (!request.platform.empty()) {
    TRY_ASSIGN(lower_opts.target_platform,
               base::with_context(ir::parse_platform(request.platform), "--platform"));
  }
  if (!request.build_platform.empty()) {
    TRY_ASSIGN(lower_opts.build_platform,
               base::with_context(ir::parse_platform(request.build_platform), "--build-platform"));
  }
  if (!request.context.empty()) {
    base::RealFs fs;
    TRY_ASSIGN(std::optional<std::string> ignore_file,
               frontend::ignore::find_ignore_file(fs, request.context, request.file));
    if (ignore_file) {
      TRY_ASSIGN(std::string content, fs.read_file(*ignore_file));
      TRY_ASSIGN(lower_opts.ignore_patterns,
                 frontend::ignore::read_ignore_patterns(content, *ignore_file));
    }
  }
  for (const auto& [key, dir] : named_contexts) {
    // BuildKit reads only ".dockerignore" of a named context (no
    // Dockerfile-specific ignore file).
    base::RealFs fs;
    frontend::lower::NamedContext named;
    std::string ignore_file = dir + "/.dockerignore";
    auto content = fs.read_file(ignore_file);
    if (content.ok()) {
      TRY_ASSIGN(named.ignore_patterns, frontend::ignore::read_ignore_patterns(*content, ignore_file));
    }
    lower_opts.named_contexts[key] = std::move(named);
  }
  out.ignore_patterns = lower_opts.ignore_patterns;
  TRY_ASSIGN(out.def, frontend::lower::lower(parsed, lower_opts));
  return out;
}

}  // namespace cli
