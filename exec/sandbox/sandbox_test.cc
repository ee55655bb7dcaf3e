// run_sandboxed() end to end: a busybox root, real namespaces and mounts.
// Every test needs root and skips with the reason otherwise.
#include "exec/sandbox/sandbox.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "base/unique_fd.h"
#include "exec/sandbox/sandbox_testing.h"

namespace exec {
namespace {

namespace fs = std::filesystem;
using exec::testing::CollectingSink;
using exec::testing::NeverCancel;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class Sandbox : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!exec::testing::is_root()) GTEST_SKIP() << "namespaces, mounts and mknod need root";
    if (!fs::exists("/bin/busybox")) GTEST_SKIP() << "/bin/busybox (Debian's busybox-static) is not installed";
    root = tmp.path() + "/root";
    state = tmp.path() + "/state";
    fs::create_directories(state);
    exec::testing::make_busybox_root(root, true);
    mounts_before = exec::testing::host_mounts(tmp.path());
    fds_before = exec::testing::open_fd_count();
  }
  void TearDown() override {
    if (IsSkipped()) return;
    // Whatever a test did, nothing of the sandbox may remain on the host.
    EXPECT_EQ(exec::testing::host_mounts(tmp.path()), mounts_before);
    EXPECT_EQ(exec::testing::open_fd_count(), fds_before);
    EXPECT_FALSE(exec::testing::has_children());
  }

  ProcessSpec spec_for(std::vector<std::string> argv) {
    ProcessSpec spec;
    spec.rootfs = root;
    spec.state_dir = state;
    spec.argv = std::move(argv);
    spec.env = {"PATH=/usr/bin:/bin", "HOME=/root"};
    return spec;
  }
  ProcessSpec shell(const std::string& script) { return spec_for({"/bin/sh", "-c", script}); }

  // Runs and expects success with exit code 0.
  std::string run_ok(const ProcessSpec& spec, const SandboxHooks& hooks = {}) {
    CollectingSink sink;
    auto r = run_sandboxed(spec, hooks, sink, NeverCancel{});
    EXPECT_TRUE(r.ok()) << r.error().message;
    if (r.ok()) {
      EXPECT_EQ(r->status(), 0) << "stderr: " << sink.err;
    }
    return sink.out;
  }

  exec::testing::TempDir tmp;
  std::string root, state;
  std::vector<std::string> mounts_before;
  size_t fds_before = 0;
};

TEST_F(Sandbox, StepIsPid1AndSeesOnlyItsOwnProcesses) {
  auto out = lines_of(run_ok(shell("echo $$; ls /proc | grep '^[0-9]*$'")));
  ASSERT_GE(out.size(), 2u);
  EXPECT_EQ(out[0], "1");
  // PID 1 (the shell) and the pipeline's ls and grep: nothing of the host.
  std::vector<std::string> pids(out.begin() + 1, out.end());
  EXPECT_LE(pids.size(), 3u);
  EXPECT_NE(std::find(pids.begin(), pids.end(), "1"), pids.end());
}

TEST_F(Sandbox, HostnameAndEtcFilesAreTheSandboxes) {
  auto spec = shell("hostname; cat /etc/hostname; cat /etc/hosts; cat /etc/resolv.conf >/dev/null && echo resolv");
  spec.hostname = "kiln-test-sandbox";
  spec.extra_hosts = {{"db.internal", "10.9.8.7"}};
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  ASSERT_NE(std::string(host), spec.hostname);
  auto out = run_ok(spec);
  EXPECT_EQ(out,
            "kiln-test-sandbox\nkiln-test-sandbox\n"
            "127.0.0.1\tlocalhost kiln-test-sandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n"
            "10.9.8.7\tdb.internal\nresolv\n");
  // Bound read-only, never written into the root.
  auto write = shell("echo x >> /etc/hosts");
  CollectingSink sink;
  auto r = run_sandboxed(write, {}, sink, NeverCancel{});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NE(r->status(), 0);
  // The empty mount point it needed is gone again.
  EXPECT_FALSE(fs::exists(root + "/etc/hosts"));
}

TEST_F(Sandbox, NetworkNoneHasOnlyLoopbackAndItIsUp) {
  auto spec = shell("ls /sys/class/net; cat /sys/class/net/lo/flags; tail -n +3 /proc/net/dev | wc -l");
  spec.network = Network::none;
  auto out = lines_of(run_ok(spec));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], "lo");
  EXPECT_EQ(std::stoi(out[1], nullptr, 16) & 1, 1) << "IFF_UP";
  EXPECT_EQ(out[2], "1");
}

TEST_F(Sandbox, NetworkHostSharesTheHostsInterfaces) {
  std::vector<std::string> host;
  for (const auto& e : fs::directory_iterator("/sys/class/net")) host.push_back(e.path().filename().string());
  std::sort(host.begin(), host.end());
  auto out = lines_of(run_ok(shell("ls /sys/class/net")));
  EXPECT_EQ(out, host);
}

TEST_F(Sandbox, KernelFilesAreMaskedOrReadOnly) {
  // Kernels differ in which of these exist; each one the host has is checked.
  std::string script;
  std::vector<std::string> want;
  for (const char* masked : {"/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug"}) {
    if (!fs::exists(masked)) continue;
    script += std::string("echo ") + masked + "=$(wc -c < " + masked + ");";
    want.push_back(std::string(masked) + "=0");
  }
  if (fs::exists("/proc/sysrq-trigger")) {
    script += "echo sysrq=$(grep -c ' /proc/sysrq-trigger ro,' /proc/self/mountinfo);";
    want.push_back("sysrq=1");
  }
  script +=
      "echo firmware=$(ls /sys/firmware | wc -l);"
      "echo foo > /proc/sys/kernel/hostname 2>/dev/null; echo sysctl=$?;"
      "mkdir /sys/kiln 2>/dev/null; echo sys=$?;"
      "echo sysmount=$(grep -c ' / /sys ro,' /proc/self/mountinfo)";
  for (const char* w : {"firmware=0", "sysctl=1", "sys=1", "sysmount=1"}) want.push_back(w);
  EXPECT_EQ(lines_of(run_ok(shell(script))), want);
}

TEST_F(Sandbox, PrivilegedStepsSeeTheKernelFiles) {
  auto spec = shell("grep -c kcore /proc/self/mountinfo; grep -c ' / /sys rw,' /proc/self/mountinfo");
  spec.privileged = true;
  spec.network = Network::none;  // a fresh, writable sysfs of its own
  EXPECT_EQ(lines_of(run_ok(spec)), (std::vector<std::string>{"0", "1"}));
}

TEST_F(Sandbox, DevHasTheMinimalNodesAndNothingOfTheHost) {
  auto spec = shell(
      "ls /dev | tr '\\n' ' '; echo;"
      "echo hi > /dev/null && head -c 4 /dev/zero | wc -c;"
      "grep ' /dev/shm ' /proc/self/mountinfo | grep -o 'size=[0-9]*k'");
  spec.uid = 1000;
  spec.gid = 1000;
  spec.limits.shm_size = 8 << 20;
  auto out = lines_of(run_ok(spec));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero ");
  EXPECT_EQ(out[1], "4");
  EXPECT_EQ(out[2], "size=8192k");
}

TEST_F(Sandbox, NoDescriptorOfKilnReachesTheStep) {
  // Neither close-on-exec nor not: the step must not see them.
  base::UniqueFd plain(::open("/", O_RDONLY | O_DIRECTORY));
  base::UniqueFd cloexec(::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(plain.valid() && cloexec.valid());
  // ls itself holds one descriptor for the directory it lists.
  EXPECT_EQ(lines_of(run_ok(spec_for({"/bin/ls", "/proc/self/fd"}))),
            (std::vector<std::string>{"0", "1", "2", "3"}));
}

TEST_F(Sandbox, EnvCwdUserAndGroupsAreExactlyTheSpecs) {
  auto spec = spec_for({"sh", "-c", "env | grep -v '^PWD=\\|^SHLVL=' | sort; pwd; id"});
  spec.env = {"PATH=/bin", "FOO=bar baz", "EMPTY="};
  spec.cwd = "/work/dir";
  spec.uid = 1000;
  spec.gid = 1001;
  spec.additional_gids = {10, 20};
  auto out = lines_of(run_ok(spec));
  EXPECT_EQ(out, (std::vector<std::string>{"EMPTY=", "FOO=bar baz", "PATH=/bin", "/work/dir",
                                           "uid=1000 gid=1001 groups=10,20"}));
  EXPECT_TRUE(fs::is_directory(root + "/work/dir"));  // created, and kept like runc does
}

TEST_F(Sandbox, ExitCodesAndStreamsAreReportedApart) {
  CollectingSink sink;
  auto r = run_sandboxed(shell("echo out; echo err >&2; exit 3"), {}, sink, NeverCancel{});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->signaled);
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_FALSE(r->canceled);
  EXPECT_GT(r->wall.count(), 0);
  EXPECT_EQ(sink.out, "out\n");
  EXPECT_EQ(sink.err, "err\n");
}

TEST_F(Sandbox, DeathBySignalIsReportedAsTheSignal) {
  // PID 1 ignores signals it has no handler for when they come from inside
  // its namespace, so the signal comes from the host, as a kill would.
  std::thread killer([] {
    for (int i = 0; i < 200; ++i) {
      auto pids = exec::testing::find_processes(std::string("sleep\0" "4242", 10));
      if (!pids.empty()) {
        ::kill(pids.front(), SIGKILL);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  CollectingSink sink;
  auto r = run_sandboxed(spec_for({"sleep", "4242"}), {}, sink, NeverCancel{});
  killer.join();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->signaled);
  EXPECT_EQ(r->signal, SIGKILL);
  EXPECT_EQ(r->status(), 137);
  EXPECT_FALSE(r->canceled);
}

TEST_F(Sandbox, BackgroundProcessesDieWithTheStep) {
  auto out = run_ok(shell("sleep 31337 & echo started"));
  EXPECT_EQ(out, "started\n");
  EXPECT_TRUE(exec::testing::find_processes(std::string("sleep\0" "31337", 11)).empty());
}

TEST_F(Sandbox, MountPointsTheSandboxCreatedAreRemovedAfterwards) {
  // FROM scratch: no /proc, /dev, /sys, /etc, /mnt in the root.
  std::string bare = tmp.path() + "/bare";
  exec::testing::make_busybox_root(bare, false);
  fs::create_directories(state);
  std::string data = tmp.path() + "/data";
  fs::create_directories(data);
  auto spec = shell("ls / | tr '\\n' ' '; touch /mnt/tmp/file");
  spec.rootfs = bare;
  spec.mounts = {{MountEntry::Kind::tmpfs, "", "/mnt/tmp", false, 1 << 20, 01777},
                 {MountEntry::Kind::bind, data, "/data/in", true, 0, std::nullopt}};
  EXPECT_EQ(run_ok(spec), "bin data dev etc mnt proc sys ");
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(bare)) left.push_back(e.path().filename().string());
  EXPECT_EQ(left, std::vector<std::string>{"bin"});
}

TEST_F(Sandbox, SymlinksInTheImageCannotMoveMountsOutOfTheRoot) {
  std::string outside = tmp.path() + "/outside";
  fs::create_directories(outside);
  fs::remove(root + "/etc");
  fs::create_directory_symlink(outside, root + "/etc");  // absolute, as an image would have it
  fs::remove(root + "/proc");
  fs::create_directory_symlink("../../../../../../../../newproc", root + "/proc");
  auto out = lines_of(run_ok(shell("cat /etc/hostname; echo $$")));
  EXPECT_EQ(out, (std::vector<std::string>{"kiln", "1"}));
  EXPECT_TRUE(fs::is_empty(outside));
  // Created below <root><outside>, and removed again.
  EXPECT_FALSE(fs::exists(root + outside + "/hosts"));
  EXPECT_FALSE(fs::exists(root + "/tmp" + outside.substr(4)));
  EXPECT_FALSE(fs::exists(root + "/newproc"));
  EXPECT_TRUE(fs::is_symlink(root + "/proc"));
}

TEST_F(Sandbox, CwdCannotBeAMagicLinkOutOfTheRoot) {
  auto spec = shell("pwd");
  spec.cwd = "/proc/self/fd/3";
  CollectingSink sink;
  auto r = run_sandboxed(spec, {}, sink, NeverCancel{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("(cwd)"), std::string::npos) << r.error().message;
}

TEST_F(Sandbox, BindAndTmpfsMounts) {
  std::string ro = tmp.path() + "/ro", rw = tmp.path() + "/rw";
  fs::create_directories(ro);
  fs::create_directories(rw);
  exec::testing::write_file(ro + "/file", "content\n");
  auto spec = shell(
      "cat /in/file; touch /in/x 2>/dev/null; echo ro=$?; echo hi > /out/made; "
      "stat -c %a /scratch; grep ' /scratch ' /proc/self/mountinfo | grep -o 'size=[0-9]*k'");
  spec.mounts = {{MountEntry::Kind::bind, ro, "/in", true, 0, std::nullopt},
                 {MountEntry::Kind::bind, rw, "/out", false, 0, std::nullopt},
                 {MountEntry::Kind::tmpfs, "", "/scratch", false, 2 << 20, 01777}};
  EXPECT_EQ(lines_of(run_ok(spec)), (std::vector<std::string>{"content", "ro=1", "1777", "size=2048k"}));
  EXPECT_EQ(exec::testing::read_file(rw + "/made"), "hi\n");
}

TEST_F(Sandbox, UlimitsApply) {
  auto spec = shell("ulimit -n; ulimit -Hn");
  spec.limits.ulimits = {{"nofile", 100, 200}};
  EXPECT_EQ(lines_of(run_ok(spec)), (std::vector<std::string>{"100", "200"}));
}

TEST_F(Sandbox, CommandNotFoundIsAnErrorNamingIt) {
  CollectingSink sink;
  auto r = run_sandboxed(spec_for({"no-such-command", "x"}), {}, sink, NeverCancel{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "exec \"no-such-command\": executable file not found in $PATH");
  r = run_sandboxed(spec_for({"/bin/nope"}), {}, sink, NeverCancel{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "exec \"/bin/nope\": no such file or directory");
}

TEST_F(Sandbox, HooksRunInOrderAroundTheUserSwitch) {
  SandboxHooks hooks;
  hooks.before_user_switch = []() -> base::Result<void> {
    if (::getuid() != 0) return base::make_error("expected root before the switch");
    return {};
  };
  hooks.after_user_switch = []() -> base::Result<void> {
    if (::getuid() != 1000) return base::make_error("expected uid 1000 after the switch");
    return {};
  };
  hooks.before_exec = []() -> base::Result<void> {
    if (::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) return base::make_error("no_new_privs is not set");
    return {};
  };
  auto spec = shell("id -u");
  spec.uid = 1000;
  EXPECT_EQ(run_ok(spec, hooks), "1000\n");

  hooks.before_exec = []() -> base::Result<void> { return base::make_error("seccomp says no"); };
  CollectingSink sink;
  auto r = run_sandboxed(spec, hooks, sink, NeverCancel{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "cannot set up the sandbox (before_exec): seccomp says no");
}

TEST_F(Sandbox, CancelKillsTheWholeStep) {
  exec::testing::FlagCancel cancel;
  std::thread canceler([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel.flag = true;
  });
  CollectingSink sink;
  auto start = std::chrono::steady_clock::now();
  auto r = run_sandboxed(shell("sleep 31338 & echo started; sleep 31339"), {}, sink, cancel);
  canceler.join();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->canceled);
  EXPECT_TRUE(r->signaled);
  EXPECT_EQ(r->signal, SIGKILL);
  EXPECT_EQ(sink.out, "started\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(exec::testing::find_processes(std::string("sleep\0" "31338", 11)).empty());
  EXPECT_TRUE(exec::testing::find_processes(std::string("sleep\0" "31339", 11)).empty());
}

TEST_F(Sandbox, TimeoutKillsTheStep) {
  auto spec = spec_for({"sleep", "31340"});
  spec.timeout = std::chrono::milliseconds(200);
  CollectingSink sink;
  auto start = std::chrono::steady_clock::now();
  auto r = run_sandboxed(spec, {}, sink, NeverCancel{});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->canceled);
  EXPECT_EQ(r->status(), 137);
  EXPECT_GE(r->wall, std::chrono::milliseconds(200));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(Sandbox, CancelBeforeTheStepStartedStillStopsIt) {
  exec::testing::FlagCancel cancel;
  cancel.flag = true;
  CollectingSink sink;
  auto r = run_sandboxed(spec_for({"sleep", "31341"}), {}, sink, cancel);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->canceled);
  EXPECT_EQ(r->status(), 137);
}

TEST_F(Sandbox, SetUpFailuresNameThePhase) {
  auto spec = shell("true");
  spec.mounts = {{MountEntry::Kind::bind, tmp.path() + "/missing", "/in", false, 0, std::nullopt}};
  CollectingSink sink;
  auto r = run_sandboxed(spec, {}, sink, NeverCancel{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "cannot set up the sandbox (mounts): bind mount source " + tmp.path() +
                                   "/missing: No such file or directory");
  spec = shell("true");
  spec.rootfs = tmp.path() + "/no-root";
  r = run_sandboxed(spec, {}, sink, NeverCancel{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "cannot resolve " + spec.rootfs + ": No such file or directory");
}

// Records what the sandbox asks of the cgroup. add_process runs in the
// step's process, which shares this test's memory until it execs: it checks
// that the process joins the cgroup itself, before it unshares its cgroup
// namespace (which is then rooted at the step's cgroup).
class FakeCgroup final : public StepCgroup {
 public:
  base::Result<void> add_process(int pid) override {
    added = pid;
    caller = ::getpid();
    std::error_code ec;
    auto cgroup_ns = fs::read_symlink("/proc/self/ns/cgroup", ec);
    added_before_cgroup_unshare = !ec && cgroup_ns == m_kiln_cgroup_ns;
    auto pid_ns = fs::read_symlink("/proc/self/ns/pid", ec);
    added_in_step_pid_namespace = !ec && pid_ns != m_kiln_pid_ns;
    if (fail_add) return base::make_error("cgroup.procs: permission denied");
    return {};
  }
  base::Result<void> kill_all() override {
    ++kills;
    return {};
  }
  base::Result<CgroupOutcome> outcome() override { return CgroupOutcome{true, false}; }
  int added = -1;
  pid_t caller = 0;
  bool added_before_cgroup_unshare = false;
  bool added_in_step_pid_namespace = false;
  bool fail_add = false;
  int kills = 0;

 private:
  fs::path m_kiln_cgroup_ns = fs::read_symlink("/proc/self/ns/cgroup");
  fs::path m_kiln_pid_ns = fs::read_symlink("/proc/self/ns/pid");
};

TEST_F(Sandbox, CgroupGetsTheChildFirstAndReportsTheOutcome) {
  FakeCgroup cgroup;
  SandboxHooks hooks;
  hooks.cgroup = &cgroup;
  CollectingSink sink;
  auto r = run_sandboxed(shell("echo hi"), hooks, sink, NeverCancel{});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(cgroup.added, 0);  // "the calling process"
  EXPECT_EQ(cgroup.caller, 1);  // the step's PID 1, in its own PID namespace
  EXPECT_TRUE(cgroup.added_in_step_pid_namespace);
  EXPECT_TRUE(cgroup.added_before_cgroup_unshare);
  EXPECT_EQ(cgroup.kills, 1);
  EXPECT_TRUE(r->oom_killed);
  EXPECT_FALSE(r->pids_limit_hit);
  EXPECT_EQ(sink.out, "hi\n");

  cgroup.fail_add = true;
  r = run_sandboxed(shell("echo never"), hooks, sink, NeverCancel{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "cannot put the step into its cgroup: cgroup.procs: permission denied");
  EXPECT_EQ(sink.out, "hi\n");
  EXPECT_EQ(cgroup.kills, 2);  // a failed set-up still leaves nothing behind
}

TEST_F(Sandbox, ConcurrentRunsKeepTheirOutputApart) {
  // Each step has its own root and state directory, as the caller provides.
  constexpr int k_threads = 4, k_runs = 10;
  std::vector<std::string> errors(k_threads);
  std::vector<ProcessSpec> specs;
  for (int t = 0; t < k_threads; ++t) {
    std::string dir = tmp.path() + "/t" + std::to_string(t);
    exec::testing::make_busybox_root(dir + "/root", false);
    fs::create_directories(dir + "/state");
    specs.push_back(spec_for({}));
    specs.back().rootfs = dir + "/root";
    specs.back().state_dir = dir + "/state";
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < k_runs; ++i) {
        std::string want = "thread " + std::to_string(t) + " run " + std::to_string(i) + "\n";
        CollectingSink sink;
        ProcessSpec spec = specs[static_cast<size_t>(t)];
        spec.argv = {"/bin/sh", "-c", "echo '" + want.substr(0, want.size() - 1) + "'"};
        auto r = run_sandboxed(spec, {}, sink, NeverCancel{});
        if (!r.ok()) errors[static_cast<size_t>(t)] += r.error().message + "\n";
        else if (sink.out != want || r->status() != 0) errors[static_cast<size_t>(t)] += "got: " + sink.out;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
  for (const ProcessSpec& spec : specs)  // only bin/: every mount point was removed again
    EXPECT_EQ(std::distance(fs::directory_iterator(spec.rootfs), fs::directory_iterator()), 1);
}

TEST_F(Sandbox, ManyRunsLeaveNothingBehind) {
  // As many runs as fit in about 20 seconds (up to 1000); the fixture's
  // TearDown compares mounts, descriptors and children with the start.
  using namespace std::chrono;
  auto spec = spec_for({"true"});
  spec.network = Network::none;
  std::vector<double> ms;
  auto until = steady_clock::now() + seconds(20);
  while (ms.size() < 1000 && steady_clock::now() < until) {
    CollectingSink sink;
    auto t = steady_clock::now();
    auto r = run_sandboxed(spec, {}, sink, NeverCancel{});
    ms.push_back(duration<double, std::milli>(steady_clock::now() - t).count());
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->status(), 0);
  }
  std::sort(ms.begin(), ms.end());
  std::cout << "runs: " << ms.size() << ", median " << ms[ms.size() / 2] << " ms, p90 "
            << ms[ms.size() * 9 / 10] << " ms, max " << ms.back() << " ms per run\n";
  EXPECT_GE(ms.size(), 100u);
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(root)) left.push_back(e.path().filename().string());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"bin", "dev", "etc", "proc", "sys", "tmp"}));
}

}  // namespace
}  // namespace exec
