#pragma once
// A RUN op of the build graph turned into what exec runs: the process of
// ir::Exec with its user resolved, the build-wide settings of `kiln build`
// (limits, network, extra hosts) and the per-step overrides (RUN --network,
// RUN --security).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "exec/spec.h"
#include "solver/ir/ir.h"
#include "solver/ops/exec/exec_user.h"

namespace solver_ops::exec_step {

// A `kiln build --secret`: a file read when a step mounts it, or a value
// taken from the environment when the build started.
struct SecretSource {
  std::string file{};
  std::optional<std::string> value{};
};

// What `kiln build` sets for every RUN of the build.
struct RunSettings {
  exec::Limits limits{};
  exec::Network network = exec::Network::host;  // what RUN --network=default means
  std::vector<exec::HostEntry> extra_hosts{};    // --add-host
  bool allow_insecure = false;                   // --allow security.insecure
  std::map<std::string, SecretSource> secrets{};  // --secret, by id
  std::map<std::string, std::string> ssh{};       // --ssh: id → agent socket path
  // --on-failure shell: when a RUN fails, an interactive shell in its root,
  // with its env, user, working directory and mounts, before the build ends.
  bool shell_on_failure = false;
};

// `rootfs` is the mounted root; `user` already resolved inside it.
base::Result<exec::ProcessSpec> make_process_spec(const ir::Exec& op, const ExecUser& user,
                                                  const RunSettings& settings, std::string rootfs);

// "/bin/sh -c make" as BuildKit quotes the process in its error messages.
std::string process_display(const std::vector<std::string>& argv);

}  // namespace solver_ops::exec_step
