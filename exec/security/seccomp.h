#pragma once
// The seccomp filter of a RUN step: Docker's default profile (see
// exec/security/seccomp_profile.h for what it allows and blocks, and why),
// compiled by libseccomp into a BPF program.
//
// Lifecycle: build the filter once per build in the parent (compiling takes
// a few milliseconds), share it read-only between steps, and call load() in
// each step's child after fork. load() is a single seccomp(2) call on the
// prepared program: it allocates nothing and takes no lock, so it is safe in
// a child forked from a multi-threaded process.
//
// Differences from Docker (docs draft):
// - The capability-gated parts of the profile follow kiln's granted set, which
//   lacks CAP_MKNOD; Docker's profile has no rule tied to CAP_MKNOD, so the
//   filter is otherwise the one Docker builds for its default capabilities.
// - Syscalls newer than our libseccomp (2.5.4 cannot name statmount,
//   listmount, mseal, the *xattrat family, lsm_*) are added by number from
//   our own table, on the native ABI only: through the x86/x32 (or arm)
//   compat ABI they fail with EPERM. Names neither knows (uretprobe, which
//   the kernel exempts from seccomp since 6.14 anyway, and other arches'
//   syscalls) stay denied; skipped_syscalls() lists them.
// - Docker allows unshare(2) and relies on capabilities to refuse namespace
//   creation, so unshare(CLONE_NEWUSER) works in a Docker build wherever the
//   host allows unprivileged user namespaces. kiln refuses unshare with any
//   namespace flag, and keeps ptrace and process_vm_* behind CAP_SYS_PTRACE
//   (Docker allows them from Linux 4.8): a build step needs neither.
// - RUN --security=insecure loads no filter at all, as in BuildKit.
#include <linux/filter.h>

#include <string>
#include <vector>

#include "base/result.h"
#include "exec/security/capabilities.h"
#include "exec/security/seccomp_profile.h"

namespace exec::security {

// A compiled seccomp program. Move-only: one per build, shared by reference.
// Thread-safe for concurrent const use.
class SeccompFilter {
 public:
  // Docker's default profile for a step holding default_capabilities(), on
  // the running kernel and native architecture (plus its compat ABIs).
  static base::Result<SeccompFilter> docker_default();
  // The same profile for another capability set (what the step's bounding
  // set will hold).
  static base::Result<SeccompFilter> for_capabilities(CapabilityMask capabilities);
  // Compiles the given rules for the native architecture plus, when `arch`
  // is the native one, its compat ABIs.
  static base::Result<SeccompFilter> compile(const std::vector<SyscallRule>& rules, Arch arch);

  SeccompFilter(SeccompFilter&&) noexcept = default;
  SeccompFilter& operator=(SeccompFilter&&) noexcept = default;
  SeccompFilter(const SeccompFilter&) = delete;
  SeccompFilter& operator=(const SeccompFilter&) = delete;
  ~SeccompFilter() = default;

  // Installs the filter on the calling thread. Needs CAP_SYS_ADMIN (in the
  // thread's user namespace) or no_new_privs already set: call it before
  // capabilities are dropped, since RUN steps run without no_new_privs.
  // Every syscall made after it (setgroups, setresuid, capset, prctl, execve,
  // close_range, ...) goes through the filter; all of those are allowed.
  base::Result<void> load() const;

  size_t instruction_count() const { return m_program.size(); }
  // Rule names neither libseccomp nor our fallback table could resolve (left
  // out, so denied).
  const std::vector<std::string>& skipped_syscalls() const { return m_skipped; }

 private:
  SeccompFilter(std::vector<sock_filter> program, std::vector<std::string> skipped)
      : m_program(std::move(program)), m_skipped(std::move(skipped)) {}

  std::vector<sock_filter> m_program;
  std::vector<std::string> m_skipped;
};

// Whether the kernel has seccomp filters (CONFIG_SECCOMP_FILTER). BuildKit
// runs steps without a profile where it does not; whether kiln should, or
// refuse, is the caller's decision.
bool seccomp_available();

// The native architecture and running kernel, as the profile needs them.
Arch native_arch();
KernelVersion running_kernel();

}  // namespace exec::security
