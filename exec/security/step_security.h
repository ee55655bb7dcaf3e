#pragma once
// The security work of one RUN step's child process, packaged for the
// sandbox's hooks so that it always happens in the one order that works:
//
//   parent, once per build:  SeccompFilter::docker_default()
//   child, before_user_switch:  before_user_switch(s)   seccomp, bounding set, keepcaps
//   child, (sandbox)            setgroups, setresgid, setresuid
//   child, after_user_switch:   after_user_switch(s)    effective/permitted sets
//   child, before_exec:         nothing from here
//
// The filter is loaded first, while the child still holds CAP_SYS_ADMIN (the
// kernel accepts a filter without no_new_privs only from such a process; the
// sandbox sets no_new_privs later, just before execve). Loading it before the
// user switch means no step of the set-up after this point can escape it.
// Everything the sandbox does after
// this hook therefore runs under the filter: mounts, pivot_root and
// sethostname must be done before it; setgroups, setres[ug]id, capset,
// prctl, chdir, dup2, close_range, setrlimit, setsid, ioctl and execve are
// all allowed.
#include <cstdint>

#include "base/result.h"
#include "exec/security/seccomp.h"

namespace exec::security {

struct StepSecurity {
  bool privileged = false;  // RUN --security=insecure: all capabilities, no filter
  uint32_t uid = 0;         // the step's uid after the switch
  // Required unless privileged; owned by the caller and alive until the
  // child has exec'd.
  const SeccompFilter* filter = nullptr;
};

// The before_user_switch hook: loads the filter (unless privileged), then
// drops the bounding set and sets keepcaps. Fails closed: an unprivileged
// step without a filter is an error.
base::Result<void> before_user_switch(const StepSecurity& s);

// The after_user_switch hook: the step's effective and permitted sets.
base::Result<void> after_user_switch(const StepSecurity& s);

}  // namespace exec::security
