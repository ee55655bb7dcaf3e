#pragma once
// Lowering: typed Dockerfile instructions → the build graph (ir::Definition),
// with BuildKit's dockerfile2llb semantics: global and per-stage ARG scopes,
// --build-arg overrides, predefined platform and proxy args, variable
// expansion where the Dockerfile expands, stage references by name or index,
// --target pruning, ONBUILD triggers of base stages, SHELL, WORKDIR and heredoc
// RUN handling. See docs/architecture-graph.md for the rules.
//
// Pure: reads nothing but its arguments (base-image configs come from the
// optional resolver the caller injects) and never runs anything. Reentrant:
// concurrent calls share nothing; the resolver is called on the calling
// thread, at most once per image-based stage.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "frontend/instructions/instructions.h"
#include "solver/ir/ir.h"

namespace frontend::lower {

// What the lowering needs to know of a base image's config. Without a resolver
// every image counts as having an empty config (PATH gets docker's default).
struct BaseImageConfig {
  std::vector<std::string> env;  // "K=V", in image order
  std::string working_dir;
  std::string user;
  std::vector<std::string> shell;    // SHELL of the image, or empty
  std::vector<std::string> onbuild;  // triggers run when the image is a FROM base
};

// Returns the config of `ref` (normalized, e.g. docker.io/library/alpine:latest)
// for `platform`, or an error that fails the lowering at the FROM line.
using ImageConfigResolver =
    std::function<base::Result<BaseImageConfig>(const std::string& ref, const ir::Platform& platform)>;

// A --build-context NAME=DIR: a local directory that stands in for the stage
// or image called NAME (BuildKit's named contexts). Only local directories
// reach the lowering; the executor finds the directory under the key.
struct NamedContext {
  std::vector<std::string> ignore_patterns;  // the directory's .dockerignore lines
};

// The key under which BuildKit looks a named context up: the image name in
// its familiar form without ":latest" ("alpine" for docker.io/library/alpine,
// "example.com/app:1", a stage name as is). Errors name `name`.
base::Result<std::string> named_context_key(std::string_view name);

struct LowerOptions {
  // --build-arg K=V in command-line order; a later duplicate wins.
  std::vector<std::pair<std::string, std::string>> build_args;
  std::string target;  // --target; empty = the last stage
  std::optional<ir::Platform> target_platform;  // default: the host platform
  std::optional<ir::Platform> build_platform;   // default: the host platform
  std::string context_name = "context";
  std::vector<std::string> ignore_patterns;  // .dockerignore lines, in order
  ImageConfigResolver resolve_image;         // optional
  // Named contexts by named_context_key(). One replaces a stage of that name
  // (its instructions are not run), and otherwise FROM or COPY --from of an
  // image of that name. "scratch" and "context" are never looked up.
  std::map<std::string, NamedContext> named_contexts;
  ir::NetworkMode default_network = ir::NetworkMode::sandbox;
};

// Lowers `dockerfile` for `options`. Errors carry the Dockerfile position
// (file, line, column, offending line) of the instruction that failed.
base::Result<ir::Definition> lower(const instructions::ParsedDockerfile& dockerfile,
                                   const LowerOptions& options);

}  // namespace frontend::lower
