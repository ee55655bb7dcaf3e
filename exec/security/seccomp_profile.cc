#include "exec/security/seccomp_profile.h"

#include <linux/capability.h>
#include <sched.h>
#include <sys/socket.h>

#include <cerrno>
#include <initializer_list>

namespace exec::security {
namespace {

using Action = SyscallRule::Action;
using Op = SyscallArg::Op;

// One entry of the table: a group of syscalls with the same action and
// argument conditions, and when the group applies (Docker's includes and
// excludes).
struct Group {
  std::vector<std::string_view> names;
  Action action = Action::allow;
  int error = 0;
  std::vector<SyscallArg> args{};
  int requires_cap = -1;  // only when this capability is granted
  int unless_cap = -1;    // not when this capability is granted
  std::vector<Arch> arches{};  // only on these native architectures (empty = all)
  KernelVersion min_kernel{};
};

// The namespace flags a clone without CAP_SYS_ADMIN must not carry.
constexpr uint64_t k_clone_namespace_flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
                                             CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
                                             CLONE_NEWCGROUP;

// Syscalls every process may make. Transcribed from Docker's default profile;
// several are 32-bit-only or newer than our libseccomp and are skipped where
// they cannot be resolved.
const std::vector<std::string_view>& always_allowed() {
  static const std::vector<std::string_view> k_names = {
    "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "cachestat", "capget",
    "capset", "chdir", "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64",
    "clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64",
    "clock_nanosleep", "clock_nanosleep_time64", "close", "close_range", "connect",
    "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1",
    "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait",
    "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat", "exit", "exit_group",
    "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark",
    "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32", "fchownat", "fcntl",
    "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr",
    "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate",
    "ftruncate64", "futex", "futex_requeue", "futex_time64", "futex_wait", "futex_waitv",
    "futex_wake", "futimesat", "getcpu", "getcwd", "getdents", "getdents64", "getegid",
    "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32",
    "getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority",
    "getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit",
    "get_robust_list", "getrusage", "getsid", "getsockname", "getsockopt", "get_thread_area",
    "gettid", "gettimeofday", "getuid", "getuid32", "getxattr", "getxattrat",
    "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel",
    "ioctl", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64",
    "ioprio_get", "ioprio_set", "io_setup", "io_submit", "ipc", "kill", "landlock_add_rule",
    "landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32", "lgetxattr",
    "link", "linkat", "listen", "listmount", "listxattr", "listxattrat", "llistxattr",
    "_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise",
    "map_shadow_stack", "membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir",
    "mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect",
    "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
    "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "mseal", "msgctl", "msgget",
    "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap", "name_to_handle_at",
    "nanosleep", "newfstatat", "_newselect", "open", "openat", "openat2", "pause",
    "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free",
    "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2",
    "prlimit64", "process_mrelease", "pselect6", "pselect6_time64", "pwrite64", "pwritev",
    "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom",
    "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr",
    "removexattrat", "rename", "renameat", "renameat2", "restart_syscall", "riscv_hwprobe",
    "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
    "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
    "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr", "sched_getparam",
    "sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
    "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity",
    "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp",
    "select", "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "send",
    "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto", "setfsgid", "setfsgid32",
    "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setitimer",
    "setpgid", "setpriority", "setregid", "setregid32", "setresgid", "setresgid32",
    "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit", "set_robust_list",
    "setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid", "setuid32",
    "setxattr", "setxattrat", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack",
    "signalfd", "signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair", "splice",
    "stat", "stat64", "statfs", "statfs64", "statmount", "statx", "symlink", "symlinkat",
    "sync", "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create",
    "timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
    "timer_settime64", "timerfd_create", "timerfd_gettime", "timerfd_gettime64",
    "timerfd_settime", "timerfd_settime64", "times", "tkill", "truncate", "truncate64",
    "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "uretprobe", "utime",
    "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid",
    "waitpid", "write", "writev",
  };
  return k_names;
}

Group personality(uint64_t value) {
  return Group{.names = {"personality"}, .args = {{.index = 0, .op = Op::equal, .value = value}}};
}

// Docker's profile after its unconditional list, in its order. Groups for
// architectures we do not build for (ppc64le, s390, riscv64) are left out;
// arm's are kept for aarch64 hosts.
const std::vector<Group>& conditional_groups() {
  static const std::vector<Group> k_groups = {
      // Docker allows ptrace and process_vm_* to everyone on kernels from
      // 4.8; kiln keeps them behind CAP_SYS_PTRACE (below), which no RUN
      // step holds: a build step has no business tracing processes, and a
      // tracer is the classic way out of a sandbox.
      // AF_VSOCK reaches the hypervisor's host side.
      {.names = {"socket"}, .args = {{.index = 0, .op = Op::not_equal, .value = AF_VSOCK}}},
      // The personalities programs legitimately set (and the query value);
      // others would e.g. turn on READ_IMPLIES_EXEC or disable ASLR.
      personality(0x0),
      personality(0x0008),
      personality(0x20000),
      personality(0x20008),
      personality(0xffffffff),
      {.names = {"arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint",
                 "cacheflush", "set_tls"},
       .arches = {Arch::aarch64}},
      {.names = {"arch_prctl"}, .arches = {Arch::x86_64}},
      {.names = {"modify_ldt"}, .arches = {Arch::x86_64}},
      {.names = {"open_by_handle_at"}, .requires_cap = CAP_DAC_READ_SEARCH},
      {.names = {"bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen",
                 "fspick", "lookup_dcookie", "lsm_get_self_attr", "lsm_list_modules",
                 "lsm_set_self_attr", "mount", "mount_setattr", "move_mount", "open_tree",
                 "perf_event_open", "quotactl", "quotactl_fd", "setdomainname", "sethostname",
                 "setns", "syslog", "umount", "umount2", "unshare"},
       .requires_cap = CAP_SYS_ADMIN},
      // Without CAP_SYS_ADMIN: unshare only without namespace flags. Docker
      // lets unshare(CLONE_NEWUSER) through where the host allows
      // unprivileged user namespaces; kiln refuses every new namespace, the
      // user namespace included (its kernel surface is large).
      {.names = {"unshare"},
       .args = {{.index = 0, .op = Op::masked_equal, .value = k_clone_namespace_flags,
                 .value_two = 0}},
       .unless_cap = CAP_SYS_ADMIN},
      // Without CAP_SYS_ADMIN: clone only without namespace flags.
      {.names = {"clone"},
       .args = {{.index = 0, .op = Op::masked_equal, .value = k_clone_namespace_flags,
                 .value_two = 0}},
       .unless_cap = CAP_SYS_ADMIN},
      // clone3's flags are in memory a filter cannot read: ENOSYS makes libc
      // fall back to clone, where the rule above applies.
      {.names = {"clone3"}, .action = Action::error, .error = ENOSYS,
       .unless_cap = CAP_SYS_ADMIN},
      {.names = {"reboot"}, .requires_cap = CAP_SYS_BOOT},
      {.names = {"chroot"}, .requires_cap = CAP_SYS_CHROOT},
      {.names = {"delete_module", "init_module", "finit_module"}, .requires_cap = CAP_SYS_MODULE},
      {.names = {"acct"}, .requires_cap = CAP_SYS_PACCT},
      {.names = {"kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv",
                 "process_vm_writev", "ptrace"},
       .requires_cap = CAP_SYS_PTRACE},
      {.names = {"iopl", "ioperm"}, .requires_cap = CAP_SYS_RAWIO},
      {.names = {"settimeofday", "stime", "clock_settime", "clock_settime64"},
       .requires_cap = CAP_SYS_TIME},
      {.names = {"vhangup"}, .requires_cap = CAP_SYS_TTY_CONFIG},
      {.names = {"get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"},
       .requires_cap = CAP_SYS_NICE},
      {.names = {"syslog"}, .requires_cap = CAP_SYSLOG},
      {.names = {"bpf"}, .requires_cap = CAP_BPF},
      {.names = {"perf_event_open"}, .requires_cap = CAP_PERFMON},
  };
  return k_groups;
}

bool has(CapabilityMask mask, int cap) { return (mask & capability_bit(cap)) != 0; }

bool at_least(KernelVersion have, KernelVersion want) {
  return have.major != want.major ? have.major > want.major : have.minor >= want.minor;
}

bool applies(const Group& g, const ProfileContext& ctx) {
  if (g.requires_cap >= 0 && !has(ctx.capabilities, g.requires_cap)) return false;
  if (g.unless_cap >= 0 && has(ctx.capabilities, g.unless_cap)) return false;
  if (!g.arches.empty()) {
    bool found = false;
    for (Arch a : g.arches) found = found || a == ctx.arch;
    if (!found) return false;
  }
  return at_least(ctx.kernel, g.min_kernel);
}

}  // namespace

std::vector<SyscallRule> docker_default_rules(const ProfileContext& ctx) {
  std::vector<SyscallRule> rules;
  rules.reserve(always_allowed().size() + 64);
  for (std::string_view name : always_allowed()) rules.push_back(SyscallRule{.name = name});
  for (const Group& g : conditional_groups()) {
    if (!applies(g, ctx)) continue;
    for (std::string_view name : g.names) {
      rules.push_back(SyscallRule{.name = name, .action = g.action, .error = g.error,
                                  .args = g.args});
    }
  }
  return rules;
}

}  // namespace exec::security
