// Loads the compiled filter in forked children and checks what the kernel
// then allows. The children set no_new_privs first, which lets an
// unprivileged process load a filter; the privileged sequence (no
// no_new_privs, capabilities dropped) is in capabilities_test.cc.
#include "exec/security/seccomp.h"

#include <fcntl.h>
#include <pthread.h>
#include <gtest/gtest.h>
#include <linux/keyctl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "exec/security/child_checks_test_util.h"

namespace exec::security {
namespace {

using testing::ChildChecks;
using testing::run_grandchild;
using testing::run_in_child;

const SeccompFilter& filter() {
  static const SeccompFilter k_filter = [] {
    auto f = SeccompFilter::docker_default();
    if (!f.ok()) {
      std::cerr << "cannot build the filter: " << f.error().render() << "\n";
      std::abort();
    }
    return std::move(f).value();
  }();
  return k_filter;
}

// In the child: no_new_privs, then the filter.
bool confine(ChildChecks& c) {
  c.expect_ok(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), errno, "no_new_privs");
  auto r = filter().load();
  c.expect_ok(r, "loading the filter");
  return r.ok();
}

#define EXPECT_EPERM(c, call) \
  do {                        \
    errno = 0;                \
    long rc_ = (call);        \
    (c).expect_errno(rc_, errno, EPERM, #call); \
  } while (0)

TEST(SeccompFilter, KernelSupportsFilters) {
  // Every kernel we run the suite on has them; the other tests need them too.
  EXPECT_TRUE(seccomp_available());
}

TEST(SeccompFilter, Builds) {
  EXPECT_GT(filter().instruction_count(), 100u);
  // What this libseccomp cannot name stays denied; it must never be one of
  // the syscalls every program uses.
  std::set<std::string> skipped(filter().skipped_syscalls().begin(),
                                filter().skipped_syscalls().end());
  for (const char* name : {"read", "write", "execve", "clone", "clone3", "socket", "openat",
                           "personality", "arch_prctl", "rseq", "faccessat2", "close_range"}) {
    EXPECT_EQ(skipped.count(name), 0u) << name;
  }
  std::string list;
  for (const auto& s : skipped) list += s + " ";
  std::cout << "syscalls unknown to this libseccomp (denied): " << list << "\n";
}

TEST(SeccompFilter, StatusShowsFilterMode) {
  auto out = run_in_child([](ChildChecks& c) {
    if (!confine(c)) return;
    std::ifstream in("/proc/self/status");
    std::stringstream text;
    text << in.rdbuf();
    c.expect(text.str().find("\nSeccomp:\t2\n") != std::string::npos, "Seccomp: 2 in status");
  });
  EXPECT_TRUE(out.passed) << out.output;
}

TEST(SeccompFilter, DeniesPrivilegedSyscalls) {
  // Arguments are chosen so that, without the filter, each call would fail
  // harmlessly with another errno (or do nothing) even as root.
  auto out = run_in_child([](ChildChecks& c) {
    if (!confine(c)) return;
    EXPECT_EPERM(c, mount("none", "/nonexistent-kiln", "tmpfs", 0, nullptr));
    EXPECT_EPERM(c, umount2("/nonexistent-kiln", 0));
    EXPECT_EPERM(c, syscall(SYS_pivot_root, "/nonexistent-a", "/nonexistent-b"));
    EXPECT_EPERM(c, syscall(SYS_reboot, 0, 0, 0, nullptr));
    EXPECT_EPERM(c, syscall(SYS_kexec_load, 0, 0, nullptr, ~0ul));
    EXPECT_EPERM(c, syscall(SYS_kexec_file_load, -1, -1, 0, nullptr, ~0ul));
    timespec ts{};
    EXPECT_EPERM(c, clock_settime(CLOCK_MONOTONIC, &ts));
    EXPECT_EPERM(c, syscall(SYS_settimeofday, nullptr, nullptr));
    EXPECT_EPERM(c, syscall(SYS_init_module, nullptr, 0, ""));
    EXPECT_EPERM(c, syscall(SYS_finit_module, -1, "", 0));
    EXPECT_EPERM(c, syscall(SYS_delete_module, "kiln-none", O_NONBLOCK));
    EXPECT_EPERM(c, swapon("/nonexistent-kiln", 0));
    EXPECT_EPERM(c, swapoff("/nonexistent-kiln"));
    EXPECT_EPERM(c, syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
    EXPECT_EPERM(c, syscall(SYS_add_key, "user", "kiln-test", "x", 1, KEY_SPEC_PROCESS_KEYRING));
    EXPECT_EPERM(c, syscall(SYS_request_key, "user", "kiln-test", nullptr, 0));
    EXPECT_EPERM(c, syscall(SYS_setns, -1, 0));
    EXPECT_EPERM(c, syscall(SYS_sethostname, nullptr, 1));
    EXPECT_EPERM(c, syscall(SYS_acct, "/nonexistent-kiln"));
    EXPECT_EPERM(c, syscall(SYS_bpf, -1, nullptr, 0));
    EXPECT_EPERM(c, syscall(SYS_perf_event_open, nullptr, 0, -1, -1, 0));
    EXPECT_EPERM(c, syscall(SYS_open_by_handle_at, -1, nullptr, 0));
    EXPECT_EPERM(c, syscall(SYS_fsopen, "tmpfs", 0));
    EXPECT_EPERM(c, syscall(SYS_open_tree, -1, "/", 0));
    EXPECT_EPERM(c, syscall(SYS_iopl, 0));
    EXPECT_EPERM(c, syscall(SYS_kcmp, getpid(), getpid(), 0, 0, 0));
    EXPECT_EPERM(c, syscall(SYS_userfaultfd, 0));
  });
  EXPECT_TRUE(out.passed) << out.output;
}

TEST(SeccompFilter, CloneOnlyWithoutNamespaceFlags) {
  auto out = run_in_child([](ChildChecks& c) {
    if (!confine(c)) return;
    for (int flag : {CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWUTS,
                     CLONE_NEWIPC, CLONE_NEWCGROUP}) {
      errno = 0;
      long rc = syscall(SYS_clone, flag | SIGCHLD, 0, 0, 0, 0);
      if (rc == 0) _exit(0);  // a child after all: the check below reports it
      if (rc > 0) waitpid(static_cast<pid_t>(rc), nullptr, 0);
      c.expect_errno(rc, errno, EPERM, "clone with namespace flag " + std::to_string(flag));
    }
    // clone3 reports ENOSYS so that libc falls back to clone.
    clone_args args{};
    args.exit_signal = SIGCHLD;
    errno = 0;
    long rc = syscall(SYS_clone3, &args, sizeof args);
    if (rc == 0) _exit(0);
    if (rc > 0) waitpid(static_cast<pid_t>(rc), nullptr, 0);
    c.expect_errno(rc, errno, ENOSYS, "clone3");
    // Plain fork (glibc: clone without namespace flags) works.
    int status = run_grandchild([] { return 7; });
    c.expect(WIFEXITED(status) && WEXITSTATUS(status) == 7, "fork and exit status 7");
  });
  EXPECT_TRUE(out.passed) << out.output;
}

TEST(SeccompFilter, SocketsExceptVsock) {
  auto out = run_in_child([](ChildChecks& c) {
    if (!confine(c)) return;
    EXPECT_EPERM(c, socket(AF_VSOCK, SOCK_STREAM, 0));
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    c.expect_ok(fd, errno, "socket(AF_INET)");
    if (fd >= 0) close(fd);
    fd = socket(AF_INET6, SOCK_DGRAM, 0);
    // IPv6 may be disabled on the host; only EPERM would be the filter.
    c.expect(fd >= 0 || errno != EPERM, "socket(AF_INET6) not denied by the filter");
    if (fd >= 0) close(fd);
    int pair[2];
    c.expect_ok(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), errno, "socketpair(AF_UNIX)");
  });
  EXPECT_TRUE(out.passed) << out.output;
}

TEST(SeccompFilter, PersonalityOnlyKnownValues) {
  auto out = run_in_child([](ChildChecks& c) {
    if (!confine(c)) return;
    c.expect_ok(personality(0xffffffff), errno, "personality query");
    c.expect_ok(personality(PER_LINUX), errno, "personality(PER_LINUX)");
    c.expect_ok(personality(PER_LINUX32), errno, "personality(PER_LINUX32)");
    c.expect_ok(personality(PER_LINUX), errno, "personality back to PER_LINUX");
    EXPECT_EPERM(c, personality(READ_IMPLIES_EXEC));
    EXPECT_EPERM(c, personality(ADDR_NO_RANDOMIZE));
  });
  EXPECT_TRUE(out.passed) << out.output;
}

TEST(SeccompFilter, PtraceAndNewUserNamespacesAreDenied) {
  auto out = run_in_child([](ChildChecks& c) {
    if (!confine(c)) return;
    int status = run_grandchild(
        [] { return ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) == 0 ? 0 : errno; });
    c.expect(WIFEXITED(status) && WEXITSTATUS(status) == EPERM,
             "ptrace(PTRACE_TRACEME) denied (exit " + std::to_string(WEXITSTATUS(status)) + ")");
    status = run_grandchild([] { return unshare(CLONE_NEWUSER) == 0 ? 0 : errno; });
    c.expect(WIFEXITED(status) && WEXITSTATUS(status) == EPERM,
             "unshare(CLONE_NEWUSER) denied (exit " + std::to_string(WEXITSTATUS(status)) + ")");
    status = run_grandchild([] { return unshare(CLONE_FILES) == 0 ? 0 : errno; });
    c.expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
             "unshare(CLONE_FILES) allowed (exit " + std::to_string(WEXITSTATUS(status)) + ")");
  });
  EXPECT_TRUE(out.passed) << out.output;
}

TEST(SeccompFilter, OrdinaryWorkStillRuns) {
  auto out = run_in_child([](ChildChecks& c) {
    if (!confine(c)) return;
    // File I/O in a fresh directory.
    char dir[] = "/tmp/kiln-seccomp-XXXXXX";
    c.expect(mkdtemp(dir) != nullptr, "mkdtemp");
    std::string file = std::string(dir) + "/f";
    int fd = open(file.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    c.expect_ok(fd, errno, "open for writing");
    c.expect(write(fd, "hello", 5) == 5, "write");
    c.expect_ok(fsync(fd), errno, "fsync");
    close(fd);
    char buf[8] = {};
    fd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
    c.expect(fd >= 0 && read(fd, buf, sizeof buf) == 5 && std::string(buf) == "hello", "read");
    if (fd >= 0) close(fd);
    std::string fifo = std::string(dir) + "/fifo";
    c.expect_ok(mkfifo(fifo.c_str(), 0600), errno, "mkfifo");
    c.expect_ok(rename(file.c_str(), (file + "2").c_str()), errno, "rename");
    c.expect_ok(chmod((file + "2").c_str(), 0600), errno, "chmod");
    c.expect_ok(unlink((file + "2").c_str()), errno, "unlink");
    c.expect_ok(unlink(fifo.c_str()), errno, "unlink fifo");
    c.expect_ok(rmdir(dir), errno, "rmdir");

    // Threads: glibc tries clone3 first and falls back to clone on ENOSYS.
    pthread_t thread;
    int value = 0;
    int rc = pthread_create(
        &thread, nullptr,
        [](void* arg) -> void* {
          *static_cast<int*>(arg) = 42;
          return nullptr;
        },
        &value);
    c.expect(rc == 0 && pthread_join(thread, nullptr) == 0 && value == 42,
             "pthread_create (rc " + std::to_string(rc) + ")");

    // fork + execve of a shell, output through a pipe.
    if (access("/bin/busybox", X_OK) != 0) {
      c.note("no /bin/busybox; exec check skipped");
      return;
    }
    int p[2];
    c.expect_ok(pipe(p), errno, "pipe");
    int status = run_grandchild([&] {
      dup2(p[1], 1);
      close(p[0]);
      char* const argv[] = {const_cast<char*>("sh"), const_cast<char*>("-c"),
                            const_cast<char*>("echo ok"), nullptr};
      char* const envp[] = {nullptr};
      execve("/bin/busybox", argv, envp);
      return 127;
    });
    close(p[1]);
    char text[16] = {};
    ssize_t n = read(p[0], text, sizeof text - 1);
    c.expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "busybox sh exits 0");
    c.expect(n == 3 && std::string(text) == "ok\n", "busybox sh prints ok");
  });
  EXPECT_TRUE(out.passed) << out.output;
}

// Syscalls newer than our libseccomp that Docker's profile allows are added
// by number on the native ABI: the kernel answers (or says ENOSYS), not the
// filter.
TEST(SeccompFilter, NewerSyscallsReachTheKernel) {
  if (native_arch() != Arch::x86_64 && native_arch() != Arch::aarch64)
    GTEST_SKIP() << "the fallback numbers cover x86_64 and aarch64";
  auto out = run_in_child([](ChildChecks& c) {
    if (!confine(c)) return;
    constexpr long k_statmount = 457, k_listmount = 458, k_mseal = 462, k_getxattrat = 464;
    for (long nr : {k_statmount, k_listmount, k_mseal, k_getxattrat}) {
      errno = 0;
      long rc = syscall(nr, 0, 0, 0, 0, 0, 0);
      c.expect(rc != -1 || errno != EPERM, "syscall " + std::to_string(nr) + " not EPERM");
    }
    // lsm_set_self_attr needs CAP_SYS_ADMIN in Docker's profile.
    errno = 0;
    long rc = syscall(460L, 0, 0, 0, 0);
    c.expect_errno(rc, errno, EPERM, "lsm_set_self_attr");
  });
  EXPECT_TRUE(out.passed) << out.output;
}

#if defined(__x86_64__)
// The 32-bit ABI (int 0x80) is covered as well: otherwise a process could
// call mount through it.
TEST(SeccompFilter, CompatAbiIsFiltered) {
  auto out = run_in_child([](ChildChecks& c) {
    if (!confine(c)) return;
    int status = run_grandchild([] {
      long getpid_rc = 0;
      long mount_rc = 0;
      // i386: getpid = 20, mount = 21.
      asm volatile("int $0x80" : "=a"(getpid_rc) : "a"(20L) : "memory");
      asm volatile("int $0x80" : "=a"(mount_rc) : "a"(21L), "b"(0L), "c"(0L), "d"(0L)
                   : "memory");
      if (getpid_rc <= 0) return 1;
      return mount_rc == -EPERM ? 0 : 2;
    });
    if (WIFSIGNALED(status)) {
      c.note("no IA-32 emulation in this kernel (int 0x80 killed the process)");
      return;
    }
    c.expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
             "x86 ABI: getpid works and mount is EPERM (exit " +
                 std::to_string(WEXITSTATUS(status)) + ")");
  });
  EXPECT_TRUE(out.passed) << out.output;
  if (!out.output.empty()) std::cout << out.output;
}
#endif

// The per-step budget is 30 ms for everything the sandbox adds; building
// must therefore happen once per build, loading once per step.
TEST(SeccompFilter, BuildAndLoadCost) {
  using Clock = std::chrono::steady_clock;
  constexpr int k_rounds = 5;
  auto start = Clock::now();
  for (int i = 0; i < k_rounds; ++i) ASSERT_TRUE(SeccompFilter::docker_default().ok());
  auto build_us =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count() /
      k_rounds;

  // personality() has argument conditions, so the kernel's per-syscall
  // action cache cannot skip the program: it measures the filter's run time.
  constexpr int k_calls = 100000;
  auto per_call_ns = [] {
    auto t0 = Clock::now();
    for (int i = 0; i < k_calls; ++i) personality(0xffffffff);
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count() /
           k_calls;
  };
  const SeccompFilter& built = filter();  // built here, not in the child
  auto out = run_in_child([&](ChildChecks& c) {
    c.expect_ok(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), errno, "no_new_privs");
    long before = per_call_ns();
    timespec cpu0{}, cpu1{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0);
    auto t0 = Clock::now();
    auto r = built.load();
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu1);
    long cpu_us = (cpu1.tv_sec - cpu0.tv_sec) * 1000000 + (cpu1.tv_nsec - cpu0.tv_nsec) / 1000;
    c.expect_ok(r, "load");
    long after = per_call_ns();
    c.note(std::to_string(us) + " " + std::to_string(cpu_us) + " " + std::to_string(before) +
           " " + std::to_string(after));
  });
  ASSERT_TRUE(out.passed) << out.output;
  std::istringstream fields(out.output.substr(out.output.find(' ') + 1));
  long load_us = 0, load_cpu_us = 0, before_ns = 0, after_ns = 0;
  fields >> load_us >> load_cpu_us >> before_ns >> after_ns;
  std::cout << "seccomp filter: build " << build_us << " us (" << filter().instruction_count()
            << " instructions), load " << load_us << " us (cpu " << load_cpu_us
            << " us), personality() " << before_ns
            << " ns -> " << after_ns << " ns\n";
  RecordProperty("build_us", std::to_string(build_us));
  RecordProperty("load_us", std::to_string(load_us));
  // CPU time: wall time on a loaded machine includes waiting for a core.
  EXPECT_LT(load_cpu_us, 30000);
}

}  // namespace
}  // namespace exec::security
