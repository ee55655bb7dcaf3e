// Needs root: changes capability sets and uids in forked children, in the
// order the sandbox uses them. Each test skips with the reason otherwise.
#include "exec/security/capabilities.h"

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "exec/security/child_checks_test_util.h"
#include "exec/security/seccomp.h"
#include "exec/security/step_security.h"

namespace exec::security {
namespace {

using testing::ChildChecks;
using testing::run_grandchild;
using testing::run_in_child;

constexpr uint32_t k_user = 1000;

std::string hex(CapabilityMask m) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(m));
  return buf;
}

void expect_mask(ChildChecks& c, CapabilityMask got, CapabilityMask want, const char* what) {
  if (got != want) c.fail(std::string(what) + ": got " + hex(got) + ", want " + hex(want));
}

// What this process holds bounds what a child can get (a container may run
// the tests without some capabilities).
CapabilityMask held_now() {
  auto caps = current_capabilities();
  return caps.ok() ? caps->permitted & caps->bounding : 0;
}

// What the sandbox does between its two hooks.
void switch_user(ChildChecks& c, uint32_t uid) {
  gid_t gid = uid;
  c.expect_ok(setgroups(0, nullptr), errno, "setgroups");
  c.expect_ok(setresgid(gid, gid, gid), errno, "setresgid");
  c.expect_ok(setresuid(uid, uid, uid), errno, "setresuid");
}

#define SKIP_UNLESS_ROOT() \
  if (::geteuid() != 0) GTEST_SKIP() << "changing capability sets and uids needs root"

TEST(Capabilities, RootGetsDefaultSetWithoutMknod) {
  SKIP_UNLESS_ROOT();
  char dir[] = "/tmp/kiln-caps-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string base = dir;
  const CapabilityMask want = default_capabilities() & held_now();
  auto out = run_in_child([&](ChildChecks& c) {
    c.expect_ok(drop_bounding_set(false), "drop_bounding_set");
    switch_user(c, 0);
    c.expect_ok(apply_capabilities(false, 0), "apply_capabilities");
    auto caps = current_capabilities();
    c.expect_ok(caps.ok() ? base::Result<void>{} : caps.error(), "reading capabilities");
    if (!caps.ok()) return;
    expect_mask(c, caps->effective, want, "CapEff");
    expect_mask(c, caps->permitted, want, "CapPrm");
    expect_mask(c, caps->bounding, want, "CapBnd");
    expect_mask(c, caps->inheritable, 0, "CapInh");
    expect_mask(c, caps->ambient, 0, "CapAmb");
    c.expect(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0, "keepcaps cleared");

    // No CAP_MKNOD: device nodes are refused, everything else mknod makes works.
    errno = 0;
    long rc = mknod((base + "/null").c_str(), S_IFCHR | 0666, makedev(1, 3));
    c.expect_errno(rc, errno, EPERM, "mknod of a character device");
    errno = 0;
    rc = mknod((base + "/sda").c_str(), S_IFBLK | 0600, makedev(8, 0));
    c.expect_errno(rc, errno, EPERM, "mknod of a block device");
    c.expect_ok(mknod((base + "/fifo").c_str(), S_IFIFO | 0600, 0), errno, "mknod of a fifo");
    c.expect_ok(mknod((base + "/file").c_str(), S_IFREG | 0600, 0), errno, "mknod of a file");
    // Whiteouts (0:0) need no capability since Linux 5.8.
    c.expect_ok(mknod((base + "/whiteout").c_str(), S_IFCHR | 0, makedev(0, 0)), errno,
                "mknod of a whiteout");
    // Granted capabilities do work.
    c.expect_ok(chown((base + "/file").c_str(), 1234, 1234), errno, "chown (CAP_CHOWN)");
    // And the dropped ones are gone.
    errno = 0;
    rc = unshare(CLONE_NEWNS);
    c.expect_errno(rc, errno, EPERM, "unshare(CLONE_NEWNS) without CAP_SYS_ADMIN");
  });
  for (const char* name : {"/fifo", "/file", "/whiteout"}) ::unlink((base + name).c_str());
  ::rmdir(dir);
  EXPECT_TRUE(out.passed) << out.output;
}

TEST(Capabilities, NonRootUserHoldsNothing) {
  SKIP_UNLESS_ROOT();
  const CapabilityMask want_bounding = default_capabilities() & held_now();
  auto out = run_in_child([&](ChildChecks& c) {
    c.expect_ok(drop_bounding_set(false), "drop_bounding_set");
    switch_user(c, k_user);
    c.expect_ok(apply_capabilities(false, k_user), "apply_capabilities");
    auto caps = current_capabilities();
    if (!caps.ok()) return c.fail(caps.error().render());
    expect_mask(c, caps->effective, 0, "CapEff");
    expect_mask(c, caps->permitted, 0, "CapPrm");
    expect_mask(c, caps->inheritable, 0, "CapInh");
    expect_mask(c, caps->ambient, 0, "CapAmb");
    // The bounding set stays, so setuid-root binaries (sudo) get it back.
    expect_mask(c, caps->bounding, want_bounding, "CapBnd");
  });
  EXPECT_TRUE(out.passed) << out.output;
}

TEST(Capabilities, PrivilegedRootGetsEverything) {
  SKIP_UNLESS_ROOT();
  const CapabilityMask held = held_now();
  auto out = run_in_child([held](ChildChecks& c) {
    c.expect_ok(drop_bounding_set(true), "drop_bounding_set");
    switch_user(c, 0);
    c.expect_ok(apply_capabilities(true, 0), "apply_capabilities");
    auto caps = current_capabilities();
    if (!caps.ok()) return c.fail(caps.error().render());
    expect_mask(c, caps->effective, held, "CapEff");
    expect_mask(c, caps->permitted, held, "CapPrm");
    expect_mask(c, caps->bounding & all_capabilities(), held, "CapBnd");
    expect_mask(c, caps->inheritable, 0, "CapInh");
  });
  EXPECT_TRUE(out.passed) << out.output;
}

// The whole sequence as the sandbox runs it, ending in execve: the filter is
// loaded while CAP_SYS_ADMIN is still held (no no_new_privs), then the
// bounding set shrinks, the ids change and the capability sets are applied.
// Checks what the exec'd program sees.
void run_sequence(ChildChecks& c, const SeccompFilter& filter, uint32_t uid,
                  CapabilityMask held) {
  const StepSecurity s{.privileged = false, .uid = uid, .filter = &filter};
  c.expect_ok(before_user_switch(s), "before_user_switch");
  switch_user(c, uid);  // the sandbox's own setgroups/setresgid/setresuid
  c.expect_ok(after_user_switch(s), "after_user_switch");
  // Before exec: both layers are in place.
  errno = 0;
  long rc = unshare(CLONE_NEWNS);
  c.expect_errno(rc, errno, EPERM, "unshare(CLONE_NEWNS)");
  errno = 0;
  rc = mount("none", "/nonexistent-kiln", "tmpfs", 0, nullptr);
  c.expect_errno(rc, errno, EPERM, "mount");
  errno = 0;
  rc = mknod("/tmp/kiln-seq-null", S_IFCHR | 0666, makedev(1, 3));
  c.expect_errno(rc, errno, EPERM, "mknod of a character device");

  int p[2];
  c.expect_ok(pipe(p), errno, "pipe");
  int status = run_grandchild([&] {
    dup2(p[1], 1);
    close(p[0]);
    char* const argv[] = {const_cast<char*>("cat"), const_cast<char*>("/proc/self/status"),
                          nullptr};
    char* const envp[] = {nullptr};
    execve("/bin/busybox", argv, envp);
    return 127;
  });
  close(p[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = read(p[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
  close(p[0]);
  c.expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "busybox cat exits 0");
  auto caps = parse_proc_status_capabilities(text);
  if (!caps.ok()) return c.fail(caps.error().render());
  const CapabilityMask granted = default_capabilities() & held;
  const CapabilityMask want = uid == 0 ? granted : 0;
  expect_mask(c, caps->effective, want, "CapEff after exec");
  expect_mask(c, caps->permitted, want, "CapPrm after exec");
  expect_mask(c, caps->bounding, granted, "CapBnd after exec");
  c.expect(text.find("\nNoNewPrivs:\t0\n") != std::string::npos, "NoNewPrivs 0 after exec");
  c.expect(text.find("\nSeccomp:\t2\n") != std::string::npos, "Seccomp 2 after exec");
}

TEST(Capabilities, SandboxSequenceAsRoot) {
  SKIP_UNLESS_ROOT();
  if (::access("/bin/busybox", X_OK) != 0) GTEST_SKIP() << "needs /bin/busybox";
  auto filter = SeccompFilter::docker_default();
  ASSERT_TRUE(filter.ok()) << filter.error().render();
  const CapabilityMask held = held_now();
  auto out = run_in_child([&](ChildChecks& c) { run_sequence(c, *filter, 0, held); });
  EXPECT_TRUE(out.passed) << out.output;
}

TEST(Capabilities, UnprivilegedStepWithoutFilterFailsClosed) {
  SKIP_UNLESS_ROOT();
  auto out = run_in_child([](ChildChecks& c) {
    auto r = before_user_switch(StepSecurity{.privileged = false, .uid = 0, .filter = nullptr});
    c.expect(!r.ok(), "before_user_switch without a filter fails");
  });
  EXPECT_TRUE(out.passed) << out.output;
}

TEST(Capabilities, PrivilegedStepLoadsNoFilter) {
  SKIP_UNLESS_ROOT();
  auto out = run_in_child([](ChildChecks& c) {
    const StepSecurity s{.privileged = true, .uid = 0, .filter = nullptr};
    c.expect_ok(before_user_switch(s), "before_user_switch");
    c.expect_ok(after_user_switch(s), "after_user_switch");
    std::ifstream in("/proc/self/status");
    std::stringstream text;
    text << in.rdbuf();
    c.expect(text.str().find("\nSeccomp:\t0\n") != std::string::npos, "Seccomp: 0");
    // CAP_SYS_ADMIN and no filter: mount is the kernel's to refuse (ENOENT).
    errno = 0;
    long rc = mount("none", "/nonexistent-kiln", "tmpfs", 0, nullptr);
    c.expect_errno(rc, errno, ENOENT, "mount of a missing target");
  });
  EXPECT_TRUE(out.passed) << out.output;
}

TEST(Capabilities, SandboxSequenceAsUser) {
  SKIP_UNLESS_ROOT();
  if (::access("/bin/busybox", X_OK) != 0) GTEST_SKIP() << "needs /bin/busybox";
  auto filter = SeccompFilter::docker_default();
  ASSERT_TRUE(filter.ok()) << filter.error().render();
  const CapabilityMask held = held_now();
  auto out = run_in_child([&](ChildChecks& c) { run_sequence(c, *filter, k_user, held); });
  EXPECT_TRUE(out.passed) << out.output;
}

}  // namespace
}  // namespace exec::security
