#pragma once
// The kernel surface the cgroup code touches: files and directories under a
// cgroup mount, plus kill(2) and a short pause for the kill/rmdir loops. The
// real implementation makes the syscalls; FakeCgroupFs (fake_cgroup_fs.h)
// models the parts of cgroupfs the tests need, so the v2 code is tested on
// hosts that have no writable v2 hierarchy.
//
// Calls return 0 or the errno of the failure so callers can tell EEXIST,
// EBUSY and ENOENT apart and name the file in their own messages.
// Implementations are stateless or internally synchronised; one instance may
// be shared by every step of a build and must outlive the cgroups using it.
#include <chrono>
#include <string>
#include <string_view>

namespace exec::cgroup {

class CgroupFs {
 public:
  virtual ~CgroupFs() = default;
  virtual int read_file(const std::string& path, std::string& out) = 0;
  // One write(2) of the whole value, as cgroupfs expects: no O_CREAT, no
  // truncation games.
  virtual int write_file(const std::string& path, std::string_view data) = 0;
  virtual int make_dir(const std::string& path) = 0;
  virtual int remove_dir(const std::string& path) = 0;
  virtual bool exists(const std::string& path) = 0;
  virtual int kill_process(int pid, int signal) = 0;
  virtual void pause(std::chrono::microseconds how_long) = 0;
};

// The real kernel. Stateless; the returned reference lives for the process.
CgroupFs& real_cgroup_fs();

// "No such file or directory", for messages.
std::string errno_text(int err);

// What add_process(pid) moves, for messages: "process 42", or "the step"
// for 0 (the step's process moving itself).
std::string who(int pid);

}  // namespace exec::cgroup
