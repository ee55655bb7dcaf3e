#pragma once
// Pure decisions about the step's process, made in the parent before it
// forks so that the child only has to apply them: resource limits by their
// docker names, and where execve() looks for argv[0].
#include <sys/resource.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "exec/spec.h"

namespace exec::sandbox {

// PATH when spec.env sets none (runc's and BuildKit's default).
inline constexpr std::string_view k_default_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct Rlimit {
  int resource = 0;  // RLIMIT_*
  rlimit value{};
};

// The RLIMIT_* of a docker ulimit name ("nofile", "nproc", "core", ...), or
// nullopt for a name docker does not know.
std::optional<int> rlimit_resource(std::string_view name);

// spec.limits.ulimits as setrlimit() arguments; an unknown name or soft >
// hard is an error naming the ulimit.
base::Result<std::vector<Rlimit>> plan_rlimits(const Limits& limits);

// The candidates execve() is tried with, in order: argv0 itself when it has a
// slash, else each PATH entry of `env` (the first PATH= wins; empty entries
// mean "."), as runc's lookup does.
std::vector<std::string> exec_candidates(std::string_view argv0, const std::vector<std::string>& env);

}  // namespace exec::sandbox
