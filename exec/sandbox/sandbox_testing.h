#pragma once
// Test helpers for the sandbox: a busybox root file system in a temporary
// directory, an output sink that keeps what it got, cancel switches, and
// views of the host (mounts, descriptors, processes) to prove nothing leaks.
#include <unistd.h>

#include <atomic>
#include <string>
#include <vector>

#include "base/testing/temp_dir.h"
#include "exec/spec.h"

namespace exec::testing {

inline bool is_root() { return ::geteuid() == 0; }

using TempDir = base::testing::TempDir;

// <dir>/bin/busybox (a copy of the host's static busybox) and applet links.
// With `with_system_dirs`, also /proc, /dev, /sys, /etc, /tmp as an image has.
void make_busybox_root(const std::string& dir, bool with_system_dirs);

class CollectingSink final : public OutputSink {
 public:
  void write(int stream, std::string_view data) override { (stream == 1 ? out : err).append(data); }
  std::string out;
  std::string err;
};

class NeverCancel final : public Cancel {
 public:
  bool requested() const override { return false; }
};

class FlagCancel final : public Cancel {
 public:
  bool requested() const override { return flag.load(); }
  std::atomic<bool> flag{false};
};

// Lines of /proc/self/mountinfo; with `under`, only those naming that path
// (other processes mount and unmount elsewhere while tests run in parallel).
std::vector<std::string> host_mounts(const std::string& under = "");
size_t open_fd_count();                   // entries of /proc/self/fd
// Host pids whose command line (NUL-separated argv) contains `needle`.
std::vector<int> find_processes(const std::string& needle);
bool has_children();                      // any unreaped child of this process
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);

}  // namespace exec::testing
