#pragma once
// From command-line inputs to a build graph: read the Dockerfile (-f, or
// "-" for standard input), the .dockerignore that applies to the context,
// parse, check and lower. Shared by `kiln build` and `kiln debug graph`.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "frontend/lower/lower.h"
#include "solver/ir/ir.h"

namespace cli {

struct DefinitionRequest {
  std::string file;     // the Dockerfile path, or "-"
  std::string context;  // the context directory, or "" (no .dockerignore)
  std::string target;
  std::vector<std::string> build_args;  // as given: "K=V" or "K"
  std::string platform;
  std::string build_platform;
  frontend::lower::ImageConfigResolver resolve_image;  // optional
};

struct LoadedDefinition {
  ir::Definition def;
  std::string dockerfile_text;
  std::string display_name;  // how errors name the Dockerfile
  std::vector<std::string> ignore_patterns;
};

// --build-arg K=V, or K alone to take the value from kiln's environment (an
// unset variable leaves the arg undefined, as docker does).
std::vector<std::pair<std::string, std::string>> parse_build_args(const std::vector<std::string>& raw);

// `named_contexts`: --build-context, named_context_key() → directory; each
// directory's own .dockerignore applies to it.
base::Result<LoadedDefinition> load_definition(const DefinitionRequest& request,
                                               const std::map<std::string, std::string>& named_contexts = {});

}  // namespace cli
