#pragma once
// The two child processes of run_sandboxed() (see sandbox.h): the middle
// process, which creates the namespaces and relays the step's end, and the
// step's PID 1, which builds the root and execs the command. Everything they
// need is decided by the parent before fork() and handed over in ChildPlan.
#include <sys/types.h>

#include <string>
#include <vector>

#include "exec/sandbox/etc_files.h"
#include "exec/sandbox/process_plan.h"
#include "exec/sandbox/sandbox.h"

namespace exec::sandbox {

struct ChildPlan {
  const ProcessSpec& spec;
  const SandboxHooks& hooks;
  std::string rootfs;  // canonical host path
  EtcFiles etc;
  std::vector<Rlimit> rlimits;
  std::vector<std::string> exec_candidates;
  std::vector<char*> argv;  // null-terminated views of spec.argv / spec.env
  std::vector<char*> envp;
  pid_t parent_pid = 0;
  int sync_fd = -1;     // read: one byte "go", later EOF "status read"
  int control_fd = -1;  // write: records (exec/sandbox/channel.h)
  int out_fd = -1;      // write: the step's stdout and stderr
  int err_fd = -1;
};

// The body of the middle process; never returns.
[[noreturn]] void run_middle(const ChildPlan& plan);

}  // namespace exec::sandbox
