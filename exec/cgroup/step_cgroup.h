#pragma once
// One RUN step's cgroup: the limits of exec::Limits applied to every process
// of the step, and what the kernel reports back (OOM kills, pids limit).
// The sandbox (exec/sandbox) only sees this interface; exec/cgroup/ has the
// v1 and v2 implementations.
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"

namespace exec {

struct CgroupOutcome {
  bool oom_killed = false;      // the memory limit killed a process
  bool pids_limit_hit = false;  // a fork/clone was refused by the pids limit
};

class StepCgroup {
 public:
  virtual ~StepCgroup() = default;  // kills what is left and removes the cgroup
  // Moves `pid` (and so its future children) into the cgroup; 0 is the
  // calling process. The sandbox's child calls it with 0 for itself, first
  // thing after its clone, so that nothing of the step runs outside.
  virtual base::Result<void> add_process(int pid) = 0;
  // SIGKILL to every process still in the cgroup, waiting until it is empty.
  virtual base::Result<void> kill_all() = 0;
  virtual base::Result<CgroupOutcome> outcome() = 0;
  // Limits the host cannot enforce and that were dropped, as docker drops
  // them with a warning ("--memory-swap cannot be enforced: ..."). Known from
  // creation on; the build prints them.
  virtual std::vector<std::string> warnings() const { return {}; }
  // cgroup v2: the step's cgroup directory, so the sandbox can start the
  // process in it directly with clone3(CLONE_INTO_CGROUP) instead of moving
  // it with add_process (a migration costs up to ~15 ms on a busy host).
  // Empty on v1, where add_process is the only way.
  virtual std::string unified_dir() const { return {}; }
};

}  // namespace exec
