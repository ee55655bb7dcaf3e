#pragma once
// Parsing and validation of the resource flags of `kiln build` (--memory,
// --memory-swap, --cpus, --cpu-quota, --cpu-period, --pids-limit, --ulimit,
// --shm-size), accepting exactly what docker accepts for the same flags.
// Pure functions: no I/O. The host's CPU count is passed in.
//
// Error messages name the flag and quote the value as given:
//   invalid value "12x" for --memory: invalid size
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "exec/spec.h"

namespace exec {

// docker's units.RAMInBytes: a decimal number with an optional fraction, one
// optional space, then an optional unit k, m, g, t or p (binary, 1k = 1024),
// an optional "i" and an optional "b", all case-insensitive: "512m", "1.5GiB",
// "100 kb", "42". Fractions are truncated to whole bytes.
base::Result<int64_t> parse_memory_bytes(std::string_view flag, std::string_view value);

// --memory-swap: "-1" (unlimited swap) or a size as above.
base::Result<int64_t> parse_memory_swap(std::string_view flag, std::string_view value);

// --cpus: a rational number as docker reads it ("1.5", ".25", "3/2", "2e-1")
// with at most nine decimals (docker stores nano-CPUs). Returns nano-CPUs;
// the range check against the host is in validate_limits.
base::Result<int64_t> parse_nano_cpus(std::string_view flag, std::string_view value);

// --cpu-quota, --cpu-period, --pids-limit: an int64 as docker's flag library
// reads it (Go's strconv.ParseInt with base 0): optional sign, then decimal,
// 0x hex, 0o or leading-0 octal ("010" is 8), or 0b binary, with "_"
// allowed between digits.
base::Result<int64_t> parse_int64(std::string_view flag, std::string_view value);

// --ulimit "name=soft[:hard]", names as docker's go-units list them (nofile,
// nproc, core, ...; "as" is refused as docker refuses it). Values are integers
// or "infinity"/-1 (unlimited, RLIM_INFINITY). Without a hard value, hard =
// soft. The soft limit may not exceed the hard one.
base::Result<Ulimit> parse_ulimit(std::string_view value);

// --shm-size: a size as for --memory; 0 means docker's default (64 MiB).
base::Result<uint64_t> parse_shm_size(std::string_view value);

// The flags as given on the command line; unset = not given.
struct LimitFlags {
  std::optional<std::string> memory{};
  std::optional<std::string> memory_swap{};
  std::optional<std::string> cpus{};
  std::optional<std::string> cpu_quota{};
  std::optional<std::string> cpu_period{};
  std::optional<std::string> pids_limit{};
  std::optional<std::string> shm_size{};
  std::vector<std::string> ulimits{};
};

// Parses every flag and applies docker's defaults (0 or a negative value for
// --memory, --memory-swap 0, --cpus 0, --cpu-quota <= 0, --cpu-period 0 and
// --pids-limit <= 0 mean "no limit") and checks (validate_limits).
base::Result<Limits> parse_limit_flags(const LimitFlags& flags, unsigned host_cpus);

// docker's daemon checks, on values already parsed:
// - --memory at least 6 MiB;
// - --memory-swap needs --memory and must be at least --memory (or -1);
// - --cpus with --cpu-quota or --cpu-period is a conflict;
// - --cpus between 0 and the host's CPU count;
// - --cpu-period within 1000..1000000 µs, --cpu-quota at least 1000 µs.
// `as_given`, when present, supplies the flags' original text for messages.
base::Result<void> validate_limits(const Limits& limits, unsigned host_cpus,
                                   const LimitFlags* as_given = nullptr);

}  // namespace exec
