#pragma once
// run_sandboxed(): runs one ProcessSpec (exec/spec.h) as a RUN step, in its
// own namespaces, on the root the caller prepared, and reports how it ended.
//
// How the sandbox is built, and why in this order
// ------------------------------------------------
// Three processes take part:
//
//   kiln (parent) ── fork ──▶ middle ── unshare, fork ──▶ step (PID 1)
//
// 1. The parent writes /etc/hosts, /etc/hostname and /etc/resolv.conf into
//    spec.state_dir, resolves the rlimits and the execve() candidates, then
//    fork()s. glibc's fork keeps malloc usable in the child, so the child may
//    build strings and call the hooks' std::functions.
// 2. The middle process closes every descriptor of kiln it inherited except
//    its own pipes, starts a new session (terminal signals for kiln must not
//    reach the step) and waits on the sync pipe. Meanwhile the parent puts it
//    into the step's cgroup (hooks.cgroup->add_process) and only then lets it
//    go on: everything forked later is born inside the cgroup, and the new
//    cgroup namespace is rooted at the step's cgroup.
// 3. The middle unshare()s the mount, PID, UTS, IPC and cgroup namespaces
//    (and the network namespace for Network::none) and forks again. unshare
//    of a PID namespace applies only to children, so this second child is
//    PID 1 of the new namespace. The step's command is exec'ed as that PID 1:
//    when it exits, the kernel kills whatever it left behind and reaps it
//    before the exit becomes visible, so "no process is left" is guaranteed
//    by the kernel, not by us. The middle relays the exit status and keeps
//    the zombie until the parent has read it, so the pid the parent may still
//    SIGKILL on cancel can never be a recycled one.
// 4. In PID 1, before pivoting: "/" is made rprivate (no mount propagates to
//    the host), spec.rootfs is bound onto itself (pivot_root needs a mount
//    point) and /proc (of the new PID namespace), /dev (tmpfs with null, zero,
//    full, random, urandom, tty, devpts newinstance, shm, mqueue and the usual
//    links), /sys (read-only; a fresh sysfs in a new network namespace,
//    otherwise the host's bound), the three /etc files (bound read-only, so
//    they never reach the layer) and spec.mounts are mounted. Every target is
//    looked up with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) and
//    mounted through /proc/self/fd/N of an O_PATH descriptor, so a symlink in
//    the image (/etc -> /elsewhere) resolves inside the root and nothing is
//    created or mounted outside it. Mount points that had to be created are
//    reported to the parent, which removes them after the run when they are
//    still empty (as BuildKit does), so a FROM scratch step does not commit
//    /proc, /dev, /sys or /etc.
// 5. pivot_root(".", ".") and a lazy unmount of the old root (never chroot,
//    which a root process can escape). Then, unless privileged, Docker's
//    masked paths (/proc/kcore, /sys/firmware, ...) and read-only paths
//    (/proc/sys, /proc/sysrq-trigger, ...) are applied to the new /proc and
//    /sys.
// 6. Hostname (sethostname in the UTS namespace), loopback up (Network::none),
//    stdio (stdin /dev/null, stdout/stderr the parent's pipes), then the
//    working directory: created if missing, resolved inside the root, and
//    checked to be reachable from "/" after chdir (a descriptor leaked from
//    the host could otherwise give the step a cwd outside its root, the
//    CVE-2024-21626 class).
// 7. rlimits, hooks.before_user_switch, setgroups/setgid/setuid,
//    hooks.after_user_switch, umask 022, every descriptor above 2 marked
//    close-on-exec, PR_SET_NO_NEW_PRIVS (unless privileged),
//    hooks.before_exec (seccomp: last, so the set-up itself is not filtered),
//    and execve() over the PATH of spec.env.
//
// Failures in the child travel as messages on a close-on-exec control pipe
// and become an error naming the phase. An execve() failure (command not
// found) is an error naming argv[0], as runc reports it. The parent meanwhile
// forwards stdout and stderr as they arrive, and polls Cancel and the timeout
// every 50 ms; either SIGKILLs the step's PID 1, which takes the whole PID
// namespace with it.
//
// Threads: run_sandboxed may be called from several threads at once. The
// step is killed if the calling thread exits while it runs (PR_SET_PDEATHSIG
// follows the forking thread), so call it from a thread that waits for it.
#include <functional>

#include "base/result.h"
#include "exec/cgroup/step_cgroup.h"
#include "exec/spec.h"

namespace exec {

// Phases of the child's set-up that the caller fills in (capabilities and
// seccomp). Each runs in the child process; an error aborts the run and is
// reported by run_sandboxed() as an error naming the phase.
struct SandboxHooks {
  // The parent calls cgroup->add_process(child) before the child continues,
  // and kill_all() once the step has ended.
  StepCgroup* cgroup = nullptr;
  std::function<base::Result<void>()> before_user_switch;  // e.g. drop bounding set, keepcaps
  std::function<base::Result<void>()> after_user_switch;   // e.g. set effective/permitted caps
  // e.g. load seccomp; the very last step before execve, after no_new_privs.
  std::function<base::Result<void>()> before_exec;
};

// Runs `spec` to its end, streaming output to `out`. Returns how it ended
// (canceled = Cancel or spec.timeout stopped it), or an error when the
// sandbox could not be built or the command could not be executed. When it
// returns, no process of the step is left, none of its mounts exists, and
// no descriptor it opened is still open.
base::Result<ProcessResult> run_sandboxed(const ProcessSpec& spec, const SandboxHooks& hooks, OutputSink& out,
                                          const Cancel& cancel);

}  // namespace exec
