#pragma once
// The step's PID 1 between clone and execve (see sandbox.h): it joins the
// step's cgroup, builds the root and execs the command. Everything it needs
// is decided by the parent before the clone and handed over in ChildPlan; it
// reports back through ChildReport, which lives in the parent's memory (the
// child shares it until execve, exec/sandbox/shared_clone.h).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exec/sandbox/etc_files.h"
#include "exec/sandbox/process_plan.h"
#include "exec/sandbox/sandbox.h"

namespace exec::sandbox {

// Written by the child only; read by the parent once the child has exec'd or
// exited.
struct ChildReport {
  // Mount points the set-up created in the root, relative to it, outermost first.
  std::vector<std::string> created;
  // Set when the set-up or the execve failed: (phase, message).
  std::optional<std::pair<std::string, std::string>> error;
};

struct ChildPlan {
  const ProcessSpec& spec;
  const SandboxHooks& hooks;
  std::string rootfs;  // canonical host path
  EtcFiles etc;
  std::vector<Rlimit> rlimits;
  std::vector<std::string> exec_candidates;
  std::vector<char*> argv;  // null-terminated views of spec.argv / spec.env
  std::vector<char*> envp;
  int kiln_pidfd = -1;  // kiln itself: readable once kiln has died
  int out_fd = -1;      // the step's stdout and stderr
  int err_fd = -1;
  ChildReport* report = nullptr;
};

// The body of the step's process; never returns.
[[noreturn]] void run_step_child(const ChildPlan& plan);

}  // namespace exec::sandbox
