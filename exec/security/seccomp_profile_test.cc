#include "exec/security/seccomp_profile.h"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <string>

namespace exec::security {
namespace {

ProfileContext defaults() {
  return ProfileContext{.capabilities = default_capabilities(), .arch = Arch::x86_64,
                        .kernel = {6, 1}};
}

std::vector<SyscallRule> rules_named(const std::vector<SyscallRule>& rules,
                                     std::string_view name) {
  std::vector<SyscallRule> out;
  for (const SyscallRule& r : rules) {
    if (r.name == name) out.push_back(r);
  }
  return out;
}

bool allowed_unconditionally(const std::vector<SyscallRule>& rules, std::string_view name) {
  return std::any_of(rules.begin(), rules.end(), [&](const SyscallRule& r) {
    return r.name == name && r.action == SyscallRule::Action::allow && r.args.empty();
  });
}

TEST(SeccompProfile, AllowsOrdinarySyscalls) {
  auto rules = docker_default_rules(defaults());
  for (std::string_view name : {"read", "write", "openat", "execve", "fork", "vfork", "wait4",
                                "mmap", "futex", "rt_sigaction", "socketpair", "connect",
                                "setresuid", "setgroups", "capset", "prctl", "close_range",
                                "mknod", "mknodat", "chroot", "arch_prctl", "modify_ldt"}) {
    EXPECT_TRUE(allowed_unconditionally(rules, name)) << name;
  }
}

TEST(SeccompProfile, LeavesOutWhatNeedsCapabilitiesWeDoNotGrant) {
  auto rules = docker_default_rules(defaults());
  for (std::string_view name :
       {"mount", "umount2", "pivot_root", "setns", "sethostname", "bpf", "perf_event_open",
        "reboot", "kexec_load", "kexec_file_load", "init_module", "finit_module",
        "delete_module", "clock_settime", "settimeofday", "acct", "iopl", "ioperm", "swapon",
        "swapoff", "keyctl", "add_key", "request_key", "open_by_handle_at", "kcmp",
        "pidfd_getfd", "syslog", "vhangup", "mbind", "fsopen", "move_mount", "open_tree",
        "userfaultfd", "lookup_dcookie", "quotactl", "name_to_handle_at_missing"}) {
    EXPECT_TRUE(rules_named(rules, name).empty()) << name;
  }
}

TEST(SeccompProfile, CloneWithoutNamespaceFlagsAndClone3Enosys) {
  auto rules = docker_default_rules(defaults());
  auto clone = rules_named(rules, "clone");
  ASSERT_EQ(clone.size(), 1u);
  ASSERT_EQ(clone[0].args.size(), 1u);
  const SyscallArg& a = clone[0].args[0];
  EXPECT_EQ(a.index, 0u);
  EXPECT_EQ(a.op, SyscallArg::Op::masked_equal);
  EXPECT_EQ(a.value, static_cast<uint64_t>(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
                                           CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
                                           CLONE_NEWCGROUP));
  EXPECT_EQ(a.value_two, 0u);

  auto clone3 = rules_named(rules, "clone3");
  ASSERT_EQ(clone3.size(), 1u);
  EXPECT_EQ(clone3[0].action, SyscallRule::Action::error);
  EXPECT_EQ(clone3[0].error, ENOSYS);
}

TEST(SeccompProfile, SocketExceptVsock) {
  auto socket = rules_named(docker_default_rules(defaults()), "socket");
  ASSERT_EQ(socket.size(), 1u);
  ASSERT_EQ(socket[0].args.size(), 1u);
  EXPECT_EQ(socket[0].args[0].op, SyscallArg::Op::not_equal);
  EXPECT_EQ(socket[0].args[0].value, static_cast<uint64_t>(AF_VSOCK));
}

TEST(SeccompProfile, PersonalityOnlyKnownValues) {
  auto rules = rules_named(docker_default_rules(defaults()), "personality");
  std::set<uint64_t> values;
  for (const SyscallRule& r : rules) {
    ASSERT_EQ(r.args.size(), 1u);
    EXPECT_EQ(r.args[0].op, SyscallArg::Op::equal);
    values.insert(r.args[0].value);
  }
  EXPECT_EQ(values, (std::set<uint64_t>{0x0, 0x8, 0x20000, 0x20008, 0xffffffff}));
}

TEST(SeccompProfile, PtraceNeedsSysPtraceOnEveryKernel) {
  ProfileContext ctx = defaults();
  for (KernelVersion kernel : {KernelVersion{4, 4}, KernelVersion{4, 8}, KernelVersion{6, 1}}) {
    ctx.kernel = kernel;
    for (std::string_view name : {"ptrace", "process_vm_readv", "process_vm_writev"})
      EXPECT_TRUE(rules_named(docker_default_rules(ctx), name).empty()) << name;
  }
  ctx.capabilities |= capability_bit(CAP_SYS_PTRACE);
  EXPECT_FALSE(rules_named(docker_default_rules(ctx), "ptrace").empty());
}

TEST(SeccompProfile, UnshareOnlyWithoutNamespaceFlags) {
  auto rules = rules_named(docker_default_rules(defaults()), "unshare");
  ASSERT_EQ(rules.size(), 1u);
  ASSERT_EQ(rules[0].args.size(), 1u);
  EXPECT_EQ(rules[0].args[0].op, SyscallArg::Op::masked_equal);
  EXPECT_NE(rules[0].args[0].value & CLONE_NEWUSER, 0u);
  EXPECT_NE(rules[0].args[0].value & CLONE_NEWNS, 0u);
  EXPECT_EQ(rules[0].args[0].value_two, 0u);
}

TEST(SeccompProfile, SysAdminUnlocksMountAndPlainClone) {
  ProfileContext ctx = defaults();
  ctx.capabilities |= capability_bit(CAP_SYS_ADMIN);
  auto rules = docker_default_rules(ctx);
  EXPECT_TRUE(allowed_unconditionally(rules, "mount"));
  EXPECT_TRUE(allowed_unconditionally(rules, "clone"));
  EXPECT_TRUE(allowed_unconditionally(rules, "clone3"));
  for (const SyscallRule& r : rules_named(rules, "clone3")) {
    EXPECT_EQ(r.action, SyscallRule::Action::allow);
  }
}

TEST(SeccompProfile, ChrootFollowsSysChroot) {
  ProfileContext ctx = defaults();
  ctx.capabilities &= ~capability_bit(CAP_SYS_CHROOT);
  EXPECT_TRUE(rules_named(docker_default_rules(ctx), "chroot").empty());
}

TEST(SeccompProfile, ArchSpecificEntries) {
  ProfileContext arm = defaults();
  arm.arch = Arch::aarch64;
  auto rules = docker_default_rules(arm);
  EXPECT_TRUE(rules_named(rules, "arch_prctl").empty());
  EXPECT_TRUE(rules_named(rules, "modify_ldt").empty());
  EXPECT_TRUE(allowed_unconditionally(rules, "set_tls"));
  EXPECT_TRUE(rules_named(docker_default_rules(defaults()), "set_tls").empty());
}

TEST(SeccompProfile, DefaultCapabilitiesAreDockersWithoutMknod) {
  CapabilityMask want = 0;
  for (int cap : {CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_NET_RAW, CAP_SETGID,
                  CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
                  CAP_KILL, CAP_AUDIT_WRITE}) {
    want |= capability_bit(cap);
  }
  EXPECT_EQ(default_capabilities(), want);
  // Docker's CapEff for root is 00000000a80425fb; bit 27 (CAP_MKNOD) is ours to drop.
  EXPECT_EQ(default_capabilities(), 0xa80425fbu & ~capability_bit(CAP_MKNOD));
  EXPECT_EQ(default_capabilities() & capability_bit(CAP_MKNOD), 0u);
  EXPECT_EQ(granted_capabilities(false), want);
  EXPECT_EQ(granted_capabilities(true), all_capabilities());
  EXPECT_NE(all_capabilities() & capability_bit(CAP_SYS_ADMIN), 0u);
}

}  // namespace
}  // namespace exec::security
