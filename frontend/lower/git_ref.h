#pragma once
// Recognizes ADD sources that are git repositories, as BuildKit's dfgitutil
// does: https/http URLs whose path ends in ".git", git:// and ssh:// URLs, and
// scp-like "user@host:path" remotes, with an optional "#ref[:subdir]" fragment
// and (Dockerfile 1.18) query options ref/tag/branch/subdir/checksum|commit/
// keep-git-dir/submodules. Pure.

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace frontend::lower {

struct GitRef {
  std::string remote;  // without fragment and query
  std::string ref;
  std::string subdir;
  std::string checksum;
  std::optional<bool> keep_git_dir;
  std::optional<bool> submodules;
};

// nullopt when `src` is not a git source (a local path or a plain URL); an error
// when it is one with malformed options.
base::Result<std::optional<GitRef>> parse_git_ref(std::string_view src);

// http:// or https:// and not a git repository.
bool is_http_source(std::string_view src);

}  // namespace frontend::lower
