#include "exec/cgroup/plan.h"

#include <charconv>
#include <cmath>

namespace exec::cgroup {
namespace {

constexpr int64_t k_default_period = 100000;  // µs, the kernel's and docker's default

}  // namespace

ResolvedLimits resolve_limits(const Limits& limits) {
  ResolvedLimits r;
  if (limits.memory_bytes && *limits.memory_bytes > 0) {
    r.memory = *limits.memory_bytes;
    if (limits.memory_swap_bytes && *limits.memory_swap_bytes != 0) {
      r.memory_swap = *limits.memory_swap_bytes;
      r.swap_given = true;
    } else {
      r.memory_swap = 2 * *limits.memory_bytes;
    }
  }
  if (limits.cpus && *limits.cpus > 0) {
    // docker keeps nano-CPUs and computes quota = nano × period / 1e9.
    auto nano = static_cast<int64_t>(std::llround(*limits.cpus * 1e9));
    r.cpu_period = k_default_period;
    r.cpu_quota = nano * k_default_period / 1'000'000'000;
    r.cpus_given = true;
  } else {
    if (limits.cpu_quota_us && *limits.cpu_quota_us > 0)
      r.cpu_quota = static_cast<int64_t>(*limits.cpu_quota_us);
    if (limits.cpu_period_us && *limits.cpu_period_us > 0)
      r.cpu_period = static_cast<int64_t>(*limits.cpu_period_us);
  }
  if (limits.pids_max && *limits.pids_max > 0) r.pids_max = *limits.pids_max;
  return r;
}

std::vector<std::string> needed_controllers(const ResolvedLimits& limits) {
  std::vector<std::string> out;
  if (limits.wants_cpu()) out.emplace_back("cpu");
  if (limits.wants_memory()) out.emplace_back("memory");
  if (limits.wants_pids()) out.emplace_back("pids");
  return out;
}

std::vector<FileWrite> v1_writes(const ResolvedLimits& limits, bool swap_supported) {
  std::vector<FileWrite> out;
  if (limits.memory) {
    out.push_back({"memory", "memory.limit_in_bytes", std::to_string(*limits.memory)});
    // A fresh cgroup's memsw limit is unlimited, so it may follow the memory
    // limit; writing it first could fall below memory.limit_in_bytes.
    if (swap_supported && limits.memory_swap)
      out.push_back({"memory", "memory.memsw.limit_in_bytes", std::to_string(*limits.memory_swap)});
  }
  if (limits.cpu_period)
    out.push_back({"cpu", "cpu.cfs_period_us", std::to_string(*limits.cpu_period)});
  if (limits.cpu_quota)
    out.push_back({"cpu", "cpu.cfs_quota_us", std::to_string(*limits.cpu_quota)});
  if (limits.pids_max) out.push_back({"pids", "pids.max", std::to_string(*limits.pids_max)});
  return out;
}

std::vector<FileWrite> v2_writes(const ResolvedLimits& limits, bool swap_supported) {
  std::vector<FileWrite> out;
  if (limits.memory) {
    out.push_back({"memory", "memory.max", std::to_string(*limits.memory)});
    if (swap_supported && limits.memory_swap) {
      // v2 limits swap alone; docker's --memory-swap is memory + swap.
      std::string swap = *limits.memory_swap == -1
                             ? "max"
                             : std::to_string(*limits.memory_swap - *limits.memory);
      out.push_back({"memory", "memory.swap.max", swap});
    }
  }
  if (limits.wants_cpu()) {
    std::string quota = limits.cpu_quota ? std::to_string(*limits.cpu_quota) : "max";
    out.push_back({"cpu", "cpu.max",
                   quota + " " + std::to_string(limits.cpu_period.value_or(k_default_period))});
  }
  if (limits.pids_max) out.push_back({"pids", "pids.max", std::to_string(*limits.pids_max)});
  return out;
}

std::optional<uint64_t> keyed_value(std::string_view text, std::string_view key) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 &&
        line[key.size()] == ' ') {
      std::string_view num = line.substr(key.size() + 1);
      uint64_t v = 0;
      auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
      if (ec != std::errc() || end != num.data() + num.size()) return std::nullopt;
      return v;
    }
  }
  return std::nullopt;
}

namespace {

std::string flag_of(const std::string& controller, const ResolvedLimits& limits) {
  if (controller == "memory") return "--memory";
  if (controller == "pids") return "--pids-limit";
  return limits.cpus_given ? "--cpus" : "--cpu-quota/--cpu-period";
}

}  // namespace

base::Result<SupportedLimits> drop_unsupported(const ResolvedLimits& requested,
                                               const std::function<std::string(const std::string&)>& missing) {
  SupportedLimits out{requested, {}, {}};
  for (const auto& c : needed_controllers(requested)) {
    std::string why = missing(c);
    if (why.empty()) {
      out.controllers.push_back(c);
      continue;
    }
    if (c == "cpu" && requested.cpus_given) return base::make_error("--cpus cannot be enforced: " + why);
    out.warnings.push_back(flag_of(c, requested) + " ignored: " + why);
    if (c == "memory") out.limits.memory.reset(), out.limits.memory_swap.reset();
    if (c == "cpu") out.limits.cpu_quota.reset(), out.limits.cpu_period.reset();
    if (c == "pids") out.limits.pids_max.reset();
  }
  return out;
}

}  // namespace exec::cgroup
