#pragma once
// The seam between the build and the sandbox: what to run and how, as plain
// data. The caller (solver/ops/exec) has already mounted the step's writable
// root at `rootfs` on the host and resolved names (USER, mounts' sources) to
// numbers and host paths; exec only builds the sandbox around it, runs the
// process and reports how it ended.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace exec {

enum class Network { host, none };

// One extra mount inside the sandbox, applied in order after the root's own
// /proc, /dev, /sys and /etc files.
struct MountEntry {
  enum class Kind { bind, tmpfs };
  Kind kind = Kind::bind;
  std::string source{};  // host path (bind); unused for tmpfs
  std::string target{};  // absolute path inside the root
  bool readonly = false;
  uint64_t tmpfs_size = 0;         // bytes, 0 = kernel default
  std::optional<uint32_t> mode{};  // tmpfs root mode
};

struct Ulimit {
  std::string name{};  // "nofile", "nproc", ... as docker spells them
  uint64_t soft = 0;
  uint64_t hard = 0;
};

// Resource limits of `kiln build` (--memory, --cpus, ...). Unset = no limit.
struct Limits {
  std::optional<int64_t> memory_bytes{};
  std::optional<int64_t> memory_swap_bytes{};  // memory + swap; -1 = unlimited swap
  std::optional<uint64_t> cpu_quota_us{};
  std::optional<uint64_t> cpu_period_us{};
  std::optional<double> cpus{};  // --cpus; turned into quota/period
  std::optional<int64_t> pids_max{};
  uint64_t shm_size = 64ull << 20;  // /dev/shm, docker's default 64 MiB
  std::vector<Ulimit> ulimits{};
  bool any_cgroup_limit() const {
    return memory_bytes || memory_swap_bytes || cpu_quota_us || cpus || pids_max;
  }
};

struct HostEntry {
  std::string name{};
  std::string address{};
};

struct ProcessSpec {
  std::string rootfs{};  // host path of the mounted, writable root
  std::vector<std::string> argv{};
  std::vector<std::string> env{};  // "NAME=value", passed as is
  std::string cwd = "/";           // absolute inside the root; created if missing
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids{};
  Network network = Network::host;
  std::string hostname = "kiln";
  std::vector<HostEntry> extra_hosts{};  // appended to /etc/hosts
  std::vector<MountEntry> mounts{};
  Limits limits{};
  // RUN --security=insecure: all capabilities, no seccomp, /proc and /sys
  // writable. Only when the build allows it.
  bool privileged = false;
  // Unique name for the step's cgroup (under kiln/ in each hierarchy).
  std::string cgroup_name{};
  std::optional<std::chrono::milliseconds> timeout{};
  // A debug shell: the process reads and writes kiln's own standard input,
  // output and error (the terminal) instead of having its output captured.
  bool interactive = false;
  // A host directory the sandbox may use for per-step files (/etc/hosts,
  // /etc/resolv.conf, /etc/hostname sources); created and removed by the caller.
  std::string state_dir{};
};

// How the process ended. Exactly one of exit_code / signal is meaningful.
struct ProcessResult {
  int exit_code = 0;       // when !signaled
  int signal = 0;          // when signaled
  bool signaled = false;
  bool oom_killed = false;       // the memory limit killed a process of the step
  bool pids_limit_hit = false;   // fork/clone failed on the pids limit
  bool canceled = false;         // stopped by Cancel
  std::chrono::nanoseconds wall{};
  // Docker's convention: exit_code, or 128 + signal.
  int status() const { return signaled ? 128 + signal : exit_code; }
};

// Where the process's stdout (1) and stderr (2) go, as they arrive.
class OutputSink {
 public:
  virtual ~OutputSink() = default;
  virtual void write(int stream, std::string_view data) = 0;
};

// Polled while the process runs; true stops it (SIGKILL to everything in the
// sandbox) and run() returns with `canceled`.
class Cancel {
 public:
  virtual ~Cancel() = default;
  virtual bool requested() const = 0;
};

}  // namespace exec
