#include "exec/sandbox/process_plan.h"

#include <array>
#include <utility>

namespace exec::sandbox {

std::optional<int> rlimit_resource(std::string_view name) {
  // The names of docker's --ulimit (go-units' ulimitNameMapping).
  static constexpr std::array<std::pair<std::string_view, int>, 16> k_names{{
      {"as", RLIMIT_AS},
      {"core", RLIMIT_CORE},
      {"cpu", RLIMIT_CPU},
      {"data", RLIMIT_DATA},
      {"fsize", RLIMIT_FSIZE},
      {"locks", RLIMIT_LOCKS},
      {"memlock", RLIMIT_MEMLOCK},
      {"msgqueue", RLIMIT_MSGQUEUE},
      {"nice", RLIMIT_NICE},
      {"nofile", RLIMIT_NOFILE},
      {"nproc", RLIMIT_NPROC},
      {"rss", RLIMIT_RSS},
      {"rtprio", RLIMIT_RTPRIO},
      {"rttime", RLIMIT_RTTIME},
      {"sigpending", RLIMIT_SIGPENDING},
      {"stack", RLIMIT_STACK},
  }};
  for (const auto& [n, r] : k_names)
    if (n == name) return r;
  return std::nullopt;
}

base::Result<std::vector<Rlimit>> plan_rlimits(const Limits& limits) {
  std::vector<Rlimit> out;
  for (const Ulimit& u : limits.ulimits) {
    std::optional<int> resource = rlimit_resource(u.name);
    if (!resource) return base::make_error("unknown ulimit \"" + u.name + "\"");
    if (u.soft > u.hard)
      return base::make_error("ulimit \"" + u.name + "\": soft limit " + std::to_string(u.soft) +
                              " is above the hard limit " + std::to_string(u.hard));
    // The all-ones value (docker's -1) is RLIM_INFINITY.
    out.push_back(Rlimit{*resource, rlimit{static_cast<rlim_t>(u.soft), static_cast<rlim_t>(u.hard)}});
  }
  return out;
}

std::vector<std::string> exec_candidates(std::string_view argv0, const std::vector<std::string>& env) {
  if (argv0.find('/') != std::string_view::npos) return {std::string(argv0)};
  std::string_view path = k_default_path;
  for (const std::string& e : env) {
    if (e.compare(0, 5, "PATH=") == 0) {
      path = std::string_view(e).substr(5);
      break;
    }
  }
  std::vector<std::string> out;
  for (size_t pos = 0;;) {
    size_t colon = path.find(':', pos);
    std::string_view dir = path.substr(pos, colon == std::string_view::npos ? std::string_view::npos : colon - pos);
    out.push_back((dir.empty() ? std::string(".") : std::string(dir)) + "/" + std::string(argv0));
    if (colon == std::string_view::npos) break;
    pos = colon + 1;
  }
  return out;
}

}  // namespace exec::sandbox
