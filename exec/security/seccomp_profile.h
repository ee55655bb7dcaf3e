#pragma once
// The syscall policy of a RUN step, as data: Docker's default seccomp profile
// (moby/profiles seccomp/default.json) written down as our own table, and the
// pure function that selects the rules which apply to one process. No
// libseccomp here; exec/security/seccomp.h compiles the selected rules.
//
// What the profile does (docs draft):
// - Every syscall not listed fails with EPERM (Docker's default action,
//   SCMP_ACT_ERRNO with errno 1). The list holds the ~360 syscalls ordinary
//   programs need: file I/O, processes, signals, sockets, timers, IPC, ...
// - Denied unless the process holds the matching capability; a RUN step
//   holds none of these, so all stay denied: mount/umount, the new mount API,
//   setns, clone with namespace flags, bpf, perf_event_open, sethostname,
//   quotactl, fanotify_init (CAP_SYS_ADMIN); reboot (CAP_SYS_BOOT);
//   init/finit/delete_module (CAP_SYS_MODULE); settimeofday, clock_settime
//   (CAP_SYS_TIME); acct (CAP_SYS_PACCT); iopl/ioperm (CAP_SYS_RAWIO); kcmp,
//   pidfd_getfd, process_madvise (CAP_SYS_PTRACE); open_by_handle_at
//   (CAP_DAC_READ_SEARCH); vhangup (CAP_SYS_TTY_CONFIG); syslog (CAP_SYSLOG);
//   mbind, set_mempolicy (CAP_SYS_NICE).
// - Never allowed: kexec_load, swapon/swapoff, keyctl/add_key/request_key,
//   pivot_root, userfaultfd, and everything else not in the list.
// - chroot is allowed, as we grant CAP_SYS_CHROOT like Docker.
// - ptrace, process_vm_readv/writev are allowed on kernels >= 4.8 (where
//   seccomp can no longer be bypassed through ptrace), as in Docker.
// - Conditional rules: personality only for the values 0, 8 (PER_LINUX32),
//   0x20000 (UNAME26), 0x20008 and 0xffffffff (query); clone only without
//   namespace flags; clone3 fails with ENOSYS (its flags live in memory a
//   filter cannot read) so that libc falls back to clone; socket for every
//   address family except AF_VSOCK.
// - Architectures: the native one plus its compat ABIs (x86_64: also x86 and
//   x32; aarch64: also arm), as Docker does; another ABI is killed.
#include <cstdint>
#include <string_view>
#include <vector>

#include "exec/security/capabilities.h"

namespace exec::security {

// How an argument of the syscall is compared (the comparisons of one rule are
// ANDed; several rules for one syscall are ORed).
struct SyscallArg {
  enum class Op { equal, not_equal, masked_equal };
  unsigned index = 0;     // 0..5
  Op op = Op::equal;
  uint64_t value = 0;     // masked_equal: the mask
  uint64_t value_two = 0; // masked_equal: the expected (arg & mask)
};

struct SyscallRule {
  enum class Action { allow, error };
  std::string_view name;
  Action action = Action::allow;
  int error = 0;  // errno for Action::error
  std::vector<SyscallArg> args{};
};

// The native architecture whose profile variant is wanted: Docker's table has
// entries only for some architectures (arch_prctl, modify_ldt, ...).
enum class Arch { x86_64, aarch64, other };

struct KernelVersion {
  int major = 0;
  int minor = 0;
};

// What the selection depends on besides the table.
struct ProfileContext {
  CapabilityMask capabilities = 0;  // what the process may hold (bounding set)
  Arch arch = Arch::x86_64;
  KernelVersion kernel{};
};

// The rules of Docker's default profile that apply in `ctx`, in table order.
// The same name may appear more than once (one rule per argument condition).
// Names are those of the kernel's syscall tables; some are absent on a given
// architecture or unknown to an older libseccomp, which the compiler skips.
std::vector<SyscallRule> docker_default_rules(const ProfileContext& ctx);

// The default action of the profile: EPERM.
inline constexpr int k_default_errno = 1;

}  // namespace exec::security
