#pragma once
// The USER of a RUN step resolved as runc resolves it for BuildKit, against
// the step's own root (never the host's /etc):
//  - "name" or "uid", optionally ":group" or ":gid";
//  - a user found in /etc/passwd (by name, or by uid when numeric) gives its
//    uid, primary gid and home; a numeric user that is not listed runs with
//    that uid, gid 0 and home "/"; an unknown name is an error;
//  - an explicit group replaces the primary gid (by name or number, unknown
//    names are errors); without one, the groups of /etc/group that list the
//    user by name become its supplementary groups.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace solver_ops::exec_step {

struct ExecUser {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids{};  // sorted, without gid
  std::string home = "/";
  friend bool operator==(const ExecUser&, const ExecUser&) = default;
};

// `spec` "" means root. `passwd` and `group` are the files' text ("" when
// the root lacks them).
base::Result<ExecUser> resolve_exec_user(std::string_view spec, std::string_view passwd,
                                         std::string_view group);

// Reads /etc/passwd and /etc/group inside the root open at `root_fd`.
base::Result<ExecUser> resolve_exec_user_in_root(int root_fd, std::string_view spec);

}  // namespace solver_ops::exec_step
