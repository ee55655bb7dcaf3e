#include "exec/cgroup/describe.h"

#include <array>
#include <cstdio>

namespace exec::cgroup {

std::string format_bytes(int64_t bytes) {
  static constexpr std::array<const char*, 7> k_units = {"B",   "KiB", "MiB", "GiB",
                                                         "TiB", "PiB", "EiB"};
  auto size = static_cast<double>(bytes);
  size_t unit = 0;
  while (size >= 1024.0 && unit + 1 < k_units.size()) {
    size /= 1024.0;
    ++unit;
  }
  std::array<char, 48> buf{};
  std::snprintf(buf.data(), buf.size(), "%.4g %s", size, k_units[unit]);
  return buf.data();
}

std::string describe_outcome(const Limits& limits, const ProcessResult& result) {
  if (result.status() == 0) return "";
  if (result.oom_killed) {
    std::string out = "RUN killed: out of memory";
    if (limits.memory_bytes && *limits.memory_bytes > 0)
      out += " (limit " + format_bytes(*limits.memory_bytes) + ")";
    return out;
  }
  if (result.pids_limit_hit) {
    std::string out = "RUN failed: process limit reached";
    if (limits.pids_max && *limits.pids_max > 0)
      out += " (--pids-limit " + std::to_string(*limits.pids_max) + ")";
    return out;
  }
  return "";
}

}  // namespace exec::cgroup
