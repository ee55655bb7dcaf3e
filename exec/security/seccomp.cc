#include "exec/security/seccomp.h"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>

#include "base/unique_fd.h"

namespace exec::security {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

// Owns a libseccomp filter context while the program is compiled.
struct ContextDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Context = std::unique_ptr<void, ContextDeleter>;

scmp_compare to_scmp(SyscallArg::Op op) {
  switch (op) {
    case SyscallArg::Op::equal: return SCMP_CMP_EQ;
    case SyscallArg::Op::not_equal: return SCMP_CMP_NE;
    case SyscallArg::Op::masked_equal: return SCMP_CMP_MASKED_EQ;
  }
  return SCMP_CMP_EQ;
}

uint32_t to_scmp(const SyscallRule& rule) {
  if (rule.action == SyscallRule::Action::allow) return SCMP_ACT_ALLOW;
  return SCMP_ACT_ERRNO(static_cast<uint32_t>(rule.error));
}

// The compat ABIs Docker adds next to a native architecture: a process may
// switch to them (int 0x80, x32 syscalls), so they need the same rules.
std::vector<uint32_t> compat_arches(Arch arch) {
  switch (arch) {
    case Arch::x86_64: return {SCMP_ARCH_X86, SCMP_ARCH_X32};
    case Arch::aarch64: return {SCMP_ARCH_ARM};
    case Arch::other: return {};
  }
  return {};
}

base::Result<std::vector<sock_filter>> export_program(void* ctx) {
  // libseccomp 2.5 exports only to a file descriptor.
  base::UniqueFd fd(memfd_create("kiln-seccomp", MFD_CLOEXEC));
  if (!fd.valid()) return base::make_error("cannot create a memfd: " + errno_text(errno));
  if (int rc = seccomp_export_bpf(ctx, fd.get()); rc != 0) {
    return base::make_error("cannot export the seccomp program: " + errno_text(-rc));
  }
  off_t size = lseek(fd.get(), 0, SEEK_END);
  if (size < 0 || lseek(fd.get(), 0, SEEK_SET) != 0) {
    return base::make_error("cannot seek the exported seccomp program: " + errno_text(errno));
  }
  if (size == 0 || static_cast<size_t>(size) % sizeof(sock_filter) != 0) {
    return base::make_error("exported seccomp program has a bad size " + std::to_string(size));
  }
  std::vector<sock_filter> program(static_cast<size_t>(size) / sizeof(sock_filter));
  size_t done = 0;
  auto* bytes = reinterpret_cast<char*>(program.data());
  while (done < static_cast<size_t>(size)) {
    ssize_t n = read(fd.get(), bytes + done, static_cast<size_t>(size) - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return base::make_error("cannot read the exported seccomp program");
    done += static_cast<size_t>(n);
  }
  if (program.size() > BPF_MAXINSNS) {
    return base::make_error("seccomp program has " + std::to_string(program.size()) +
                            " instructions, more than the kernel accepts");
  }
  return program;
}

// Numbers of syscalls newer than libseccomp 2.5.4, for the native
// architecture only. x86_64 and the generic table (aarch64) share them; from
// the kernel's arch/x86/entry/syscalls/syscall_64.tbl and
// scripts/syscall.tbl. The kernel answers ENOSYS where it lacks one.
std::optional<int> syscall_number_fallback(std::string_view name, Arch arch) {
  if (arch != Arch::x86_64 && arch != Arch::aarch64) return std::nullopt;
  struct Entry {
    std::string_view name;
    int nr;
  };
  constexpr Entry k_table[] = {
      {"statmount", 457},         {"listmount", 458},        {"lsm_get_self_attr", 459},
      {"lsm_set_self_attr", 460}, {"lsm_list_modules", 461}, {"mseal", 462},
      {"setxattrat", 463},        {"getxattrat", 464},       {"listxattrat", 465},
      {"removexattrat", 466},
  };
  for (const Entry& e : k_table) {
    if (e.name == name) return e.nr;
  }
  return std::nullopt;
}

}  // namespace

bool seccomp_available() {
  // EINVAL: no seccomp at all. Then a filter-mode request with no program:
  // EFAULT where filters exist (the kernel tried to read it), EINVAL where
  // they do not. Nothing is installed either way.
  if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL) return false;
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, nullptr, 0, 0) < 0 && errno == EFAULT;
}

Arch native_arch() {
  switch (seccomp_arch_native()) {
    case SCMP_ARCH_X86_64: return Arch::x86_64;
    case SCMP_ARCH_AARCH64: return Arch::aarch64;
    default: return Arch::other;
  }
}

KernelVersion running_kernel() {
  struct utsname u {};
  if (uname(&u) != 0) return {};
  std::string_view release = u.release;
  KernelVersion v;
  const char* end = release.data() + release.size();
  auto [p, ec] = std::from_chars(release.data(), end, v.major);
  if (ec == std::errc{} && p != end && *p == '.') std::from_chars(p + 1, end, v.minor);
  return v;
}

base::Result<SeccompFilter> SeccompFilter::docker_default() {
  return for_capabilities(default_capabilities());
}

base::Result<SeccompFilter> SeccompFilter::for_capabilities(CapabilityMask capabilities) {
  ProfileContext ctx{.capabilities = capabilities, .arch = native_arch(),
                     .kernel = running_kernel()};
  return compile(docker_default_rules(ctx), ctx.arch);
}

base::Result<SeccompFilter> SeccompFilter::compile(const std::vector<SyscallRule>& rules,
                                                   Arch arch) {
  // Two contexts, merged at the end: the native architecture alone, where a
  // syscall our libseccomp cannot name can still be added by number, and the
  // compat ABIs, where libseccomp translates every rule by name.
  const uint32_t default_action = SCMP_ACT_ERRNO(static_cast<uint32_t>(k_default_errno));
  Context native(seccomp_init(default_action));
  if (!native) return base::make_error("cannot create a seccomp filter context");
  Context compat;
  const bool is_native = arch == native_arch();
  if (is_native && !compat_arches(arch).empty()) {
    compat.reset(seccomp_init(default_action));
    if (!compat || seccomp_arch_remove(compat.get(), SCMP_ARCH_NATIVE) != 0) {
      return base::make_error("cannot create a seccomp filter context");
    }
    for (uint32_t a : compat_arches(arch)) {
      if (int rc = seccomp_arch_add(compat.get(), a); rc != 0) {
        return base::make_error("cannot add a compat architecture to the seccomp filter: " +
                                errno_text(-rc));
      }
    }
  }
  // A binary search over syscall numbers instead of a linear scan: fewer
  // instructions run per syscall on kernels without seccomp's action cache.
  for (void* ctx : {native.get(), compat.get()}) {
    if (ctx != nullptr && seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) != 0) {
      return base::make_error("cannot enable the seccomp binary tree optimization");
    }
  }
  std::vector<std::string> skipped;
  for (const SyscallRule& rule : rules) {
    std::vector<scmp_arg_cmp> cmps;
    for (const SyscallArg& a : rule.args) {
      cmps.push_back(scmp_arg_cmp{.arg = a.index, .op = to_scmp(a.op), .datum_a = a.value,
                                  .datum_b = a.value_two});
    }
    auto add = [&](void* ctx, int nr) {
      return seccomp_rule_add_array(ctx, to_scmp(rule), nr, static_cast<unsigned>(cmps.size()),
                                    cmps.empty() ? nullptr : cmps.data());
    };
    int nr = seccomp_syscall_resolve_name(std::string(rule.name).c_str());
    bool on_compat = true;
    if (nr == __NR_SCMP_ERROR) {
      std::optional<int> number = is_native ? syscall_number_fallback(rule.name, arch)
                                            : std::nullopt;
      if (!number) {
        // Unknown to this libseccomp and to our fallback table: stays denied.
        if (std::find(skipped.begin(), skipped.end(), rule.name) == skipped.end()) {
          skipped.emplace_back(rule.name);
        }
        continue;
      }
      nr = *number;
      on_compat = false;  // numbers differ per ABI; only the native one is known
    }
    int rc = add(native.get(), nr);
    if (rc == 0 && compat && on_compat) rc = add(compat.get(), nr);
    if (rc != 0) {
      return base::make_error("cannot add the seccomp rule for " + std::string(rule.name) +
                              ": " + errno_text(-rc));
    }
  }
  if (compat) {
    if (int rc = seccomp_merge(native.get(), compat.get()); rc != 0) {
      return base::make_error("cannot merge the compat seccomp filter: " + errno_text(-rc));
    }
    (void)compat.release();  // seccomp_merge freed it
  }
  TRY_ASSIGN(auto program, export_program(native.get()));
  return SeccompFilter(std::move(program), std::move(skipped));
}

base::Result<void> SeccompFilter::load() const {
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(m_program.size());
  prog.filter = const_cast<sock_filter*>(m_program.data());
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
    int err = errno;
    base::Error e = base::make_error("cannot load the seccomp filter: " + errno_text(err));
    if (err == EACCES) {
      e.hint = "load it while the process still holds CAP_SYS_ADMIN, before dropping "
               "capabilities, or set no_new_privs first";
    }
    return e;
  }
  return {};
}

}  // namespace exec::security
