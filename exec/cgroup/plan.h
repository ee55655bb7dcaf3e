#pragma once
// The deciding half of exec/cgroup: from exec::Limits to the exact interface
// files and values each cgroup version gets, and the parsing of what the
// kernel reports back. Pure functions, no I/O.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "exec/spec.h"

namespace exec::cgroup {

// Limits after docker's defaulting, in the units the kernel takes.
struct ResolvedLimits {
  std::optional<int64_t> memory{};  // bytes
  // memory + swap in bytes, -1 = unlimited swap. Set only with `memory`:
  // given, or docker's default of twice --memory.
  std::optional<int64_t> memory_swap{};
  bool swap_given = false;  // --memory-swap was given (a warning if unenforceable)
  std::optional<int64_t> cpu_quota{};   // µs per period
  std::optional<int64_t> cpu_period{};  // µs
  bool cpus_given = false;              // from --cpus (docker: an error if no CFS)
  std::optional<int64_t> pids_max{};

  bool wants_memory() const { return memory.has_value(); }
  bool wants_cpu() const { return cpu_quota || cpu_period; }
  bool wants_pids() const { return pids_max.has_value(); }
};

// docker's rules: --cpus N → period 100000 µs, quota N × 100000 (truncated);
// --memory without --memory-swap → swap total 2 × memory; values <= 0 for
// memory, quota and pids mean no limit.
ResolvedLimits resolve_limits(const Limits& limits);

// Controllers the limits need, in a fixed order: "cpu", "memory", "pids".
std::vector<std::string> needed_controllers(const ResolvedLimits& limits);

// What a host can enforce of `requested`: `missing(controller)` says why the
// host lacks a controller ("" when it has it). Limits of a missing controller
// are dropped with a warning naming the flag, as docker does; --cpus without
// the cpu controller is an error.
struct SupportedLimits {
  ResolvedLimits limits;
  std::vector<std::string> controllers;  // the needed ones the host has
  std::vector<std::string> warnings;
};
base::Result<SupportedLimits> drop_unsupported(const ResolvedLimits& requested,
                                               const std::function<std::string(const std::string&)>& missing);

struct FileWrite {
  std::string controller;  // which hierarchy (v1) / controller (v2) the file belongs to
  std::string file;        // relative to the step's cgroup directory
  std::string value;
};

// v1, in an order the kernel accepts on a fresh cgroup (memory before
// memsw, period before quota). `swap_supported`: memory.memsw.* exists.
std::vector<FileWrite> v1_writes(const ResolvedLimits& limits, bool swap_supported);

// v2: memory.max, memory.swap.max (= total − memory, "max" for -1),
// cpu.max ("quota period", quota "max" when only the period is set),
// pids.max. `swap_supported`: memory.swap.max exists.
std::vector<FileWrite> v2_writes(const ResolvedLimits& limits, bool swap_supported);

// The value of `key` in a flat-keyed cgroup file ("oom_kill 3\nmax 0\n"),
// or nullopt when the key is missing or not a number.
std::optional<uint64_t> keyed_value(std::string_view text, std::string_view key);

}  // namespace exec::cgroup
