#pragma once
// run_sandboxed(): runs one ProcessSpec (exec/spec.h) as a RUN step, in its
// own namespaces, on the root the caller prepared, and reports how it ended.
//
// How the sandbox is built, and why in this order
// ------------------------------------------------
// Two processes take part:
//
//   kiln (calling thread) ── clone(CLONE_VM | CLONE_VFORK | new namespaces) ──▶ step (PID 1)
//
// 1. The parent writes /etc/hosts, /etc/hostname and /etc/resolv.conf into
//    spec.state_dir, resolves the rlimits and the execve() candidates, then
//    clones the step's process as posix_spawn does
//    (exec/sandbox/shared_clone.h): it shares kiln's memory on a stack of its
//    own, and the calling thread sleeps until it has exec'd or failed. So the
//    child may allocate and call the hooks' std::functions even though kiln
//    is multithreaded (a fork() would copy the allocator's locks as other
//    threads held them), and it reports the mount points it created and any
//    failure straight into the parent's memory. It is born in new mount, PID,
//    UTS and IPC namespaces (and a network namespace for Network::none), as
//    PID 1 of its PID namespace: when it exits, the kernel kills whatever it
//    left behind and reaps it before the exit becomes visible, so "no process
//    is left" is guaranteed by the kernel, not by us. kiln is its parent and
//    reaps it itself, so the pid it may SIGKILL on cancel can never be a
//    recycled one.
// 2. The child sets PR_SET_PDEATHSIG (and checks, with a pidfd of kiln, that
//    kiln did not die before), closes every descriptor of kiln it inherited
//    except the step's output pipes, starts a new session (terminal signals
//    for kiln must not reach the step) and resets the signal dispositions.
// 3. It moves itself into the step's cgroup (hooks.cgroup->add_process(0)),
//    so everything it starts is born inside, and only then unshares the
//    cgroup namespace, which is therefore rooted at the step's cgroup.
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
// A failure in the child is written into the parent's memory before it
// exits, and becomes an error naming the phase. An execve() failure (command not
// found) is an error naming argv[0], as runc reports it. The parent meanwhile
// forwards stdout and stderr as they arrive, watches PID 1 through a pidfd,
// and polls Cancel and the timeout every 50 ms; either SIGKILLs the step's
// PID 1, which takes the whole PID namespace with it.
//
// Threads: run_sandboxed may be called from several threads at once. The
// step is killed if the calling thread exits while it runs (PR_SET_PDEATHSIG
// follows the cloning thread), so call it from a thread that waits for it.
#include <functional>

#include "base/result.h"
#include "exec/cgroup/step_cgroup.h"
#include "exec/spec.h"

namespace exec {

// Phases of the child's set-up that the caller fills in (capabilities and
// seccomp). Each runs in the child process; an error aborts the run and is
// reported by run_sandboxed() as an error naming the phase.
struct SandboxHooks {
  // The child calls cgroup->add_process(0) for itself first thing; the
  // parent calls kill_all() once the step has ended.
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
