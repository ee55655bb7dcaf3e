// Step cgroups on the real kernel: whichever version the host has (v1 on
// hybrid hosts, v2 on unified ones). Needs root and the controllers; skips
// with the reason otherwise.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <vector>

#include "exec/cgroup/describe.h"
#include "exec/cgroup/factory.h"
#include "exec/cgroup/plan.h"
#include "exec/cgroup/procs.h"

namespace exec::cgroup {
namespace {

constexpr int64_t k_mib = 1024 * 1024;

class RealCgroupTest : public testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "cgroup limits need root";
    auto detected = detect_cgroup_host(fs);
    ASSERT_TRUE(detected.ok()) << detected.error().message;
    host = *detected;
    if (host.version == CgroupVersion::none) GTEST_SKIP() << "no cgroup hierarchy is mounted";
    std::cout << "host: " << describe_host(host) << "\n";
    // In a container whose cgroup namespace root holds processes, cgroup v2
    // refuses to delegate controllers: nothing here can run.
    Limits probe;
    if (have("pids")) probe.pids_max = 1000;
    if (have("memory")) probe.memory_bytes = 1ll << 30;
    auto cg = create_step_cgroup(fs, host, unique_name(), probe);
    if (!cg.ok() && cg.error().hint.find("delegates controllers only") != std::string::npos)
      GTEST_SKIP() << cg.error().message << " (" << cg.error().hint << ")";
    ASSERT_TRUE(cg.ok()) << cg.error().message;
  }

  // Skips unless the host has `controller` in the version in use.
  bool have(const std::string& controller) const {
    return host.version == CgroupVersion::v2 ? host.v2_controllers.count(controller) != 0
                                             : host.v1_mounts.count(controller) != 0;
  }

  std::string unique_name() {
    return "test-" + std::to_string(::getpid()) + "-" + std::to_string(m_counter++);
  }

  // The step's directory for `controller` (v2: the one directory).
  std::string dir_of(const std::string& name, const std::string& controller) const {
    std::string root =
        host.version == CgroupVersion::v2 ? host.unified_root : host.v1_mounts.at(controller);
    return join_path(join_path(root, host.parent), name);
  }

  std::string read(const std::string& path) {
    std::string text;
    int err = fs.read_file(path, text);
    EXPECT_EQ(err, 0) << path << ": " << errno_text(err);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  }

  // Forks a child that waits until it is in the cgroup, then runs `body`
  // and exits with its return value.
  template <class Body>
  pid_t spawn_in(StepCgroup& cg, Body body) {
    int go[2];
    EXPECT_EQ(::pipe(go), 0);
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(go[1]);
      char c;
      if (::read(go[0], &c, 1) != 1) ::_exit(100);
      ::_exit(body());
    }
    ::close(go[0]);
    auto before = std::chrono::steady_clock::now();
    auto added = cg.add_process(pid);
    last_add = std::chrono::steady_clock::now() - before;
    EXPECT_TRUE(added.ok()) << (added.ok() ? "" : added.error().message);
    EXPECT_EQ(::write(go[1], "x", 1), 1);
    ::close(go[1]);
    return pid;
  }

  static int wait_status(pid_t pid) {
    int status = 0;
    EXPECT_EQ(::waitpid(pid, &status, 0), pid);
    return status;
  }

  CgroupFs& fs = real_cgroup_fs();
  CgroupHost host;
  std::chrono::steady_clock::duration last_add{};  // of the latest spawn_in

 private:
  int m_counter = 0;
};

TEST_F(RealCgroupTest, MemoryLimitOomKillsAndIsReported) {
  if (!have("memory")) GTEST_SKIP() << "the memory controller is not available";
  Limits limits;
  limits.memory_bytes = 32 * k_mib;
  std::string name = unique_name();
  auto cg = create_step_cgroup(fs, host, name, limits);
  ASSERT_TRUE(cg.ok()) << cg.error().message;
  pid_t pid = spawn_in(**cg, [] {
    // 256 MiB, touched page by page: far past the limit (and docker's
    // default swap allowance of as much again).
    for (int i = 0; i < 256; ++i) {
      auto* chunk = static_cast<char*>(std::malloc(1 << 20));
      if (!chunk) return 3;
      std::memset(chunk, 0x5a, 1 << 20);
    }
    return 0;
  });
  int status = wait_status(pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  auto outcome = (*cg)->outcome();
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_TRUE(outcome->oom_killed);
  EXPECT_FALSE(outcome->pids_limit_hit);

  ProcessResult result;
  result.signaled = true;
  result.signal = WTERMSIG(status);
  result.oom_killed = outcome->oom_killed;
  EXPECT_EQ(result.status(), 137);
  EXPECT_EQ(describe_outcome(limits, result), "RUN killed: out of memory (limit 32 MiB)");

  std::string dir = dir_of(name, "memory");
  EXPECT_TRUE(fs.exists(dir));
  cg->reset();
  EXPECT_FALSE(fs.exists(dir)) << dir << " is left behind";
}

TEST_F(RealCgroupTest, PidsLimitStopsAForkLoopAndKillAllEmptiesTheCgroup) {
  if (!have("pids")) GTEST_SKIP() << "the pids controller is not available";
  Limits limits;
  limits.pids_max = 20;
  std::string name = unique_name();
  auto cg = create_step_cgroup(fs, host, name, limits);
  ASSERT_TRUE(cg.ok()) << cg.error().message;
  std::string dir = dir_of(name, "pids");
  EXPECT_EQ(read(dir + "/pids.max"), "20");
  pid_t pid = spawn_in(**cg, [] {
    int refused = 0;
    for (int i = 0; i < 50; ++i) {
      pid_t c = ::fork();
      if (c == 0) {
        ::pause();  // stays until killed
        ::_exit(0);
      }
      if (c < 0) ++refused;
    }
    return refused > 0 ? 0 : 1;  // leaves its children running
  });
  int status = wait_status(pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "no fork was refused";
  auto outcome = (*cg)->outcome();
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_TRUE(outcome->pids_limit_hit);
  EXPECT_FALSE(outcome->oom_killed);

  std::vector<int> before = parse_pids(read(dir + "/cgroup.procs"));
  EXPECT_EQ(before.size(), 19u);  // 20 minus the child that exited
  auto killed = (*cg)->kill_all();
  ASSERT_TRUE(killed.ok()) << killed.error().message;
  EXPECT_EQ(read(dir + "/cgroup.procs"), "");

  cg->reset();
  EXPECT_FALSE(fs.exists(dir)) << dir << " is left behind";
}

TEST_F(RealCgroupTest, KillAllWithTheMainProcessStillRunning) {
  std::string name = unique_name();
  auto cg = create_step_cgroup(fs, host, name, Limits{});
  ASSERT_TRUE(cg.ok()) << cg.error().message;
  pid_t pid = spawn_in(**cg, [] {
    for (int i = 0; i < 5; ++i)
      if (::fork() == 0) break;  // a small tree: every process sleeps
    ::pause();
    return 0;
  });
  // Give the tree a moment to exist; kill_all must catch late forks anyway.
  ::usleep(20'000);
  auto killed = (*cg)->kill_all();
  ASSERT_TRUE(killed.ok()) << killed.error().message;
  int status = wait_status(pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  cg->reset();
}

TEST_F(RealCgroupTest, CpuQuotaFiles) {
  if (!have("cpu")) GTEST_SKIP() << "the cpu controller is not available";
  Limits limits;
  limits.cpus = 0.5;
  std::string name = unique_name();
  auto cg = create_step_cgroup(fs, host, name, limits);
  ASSERT_TRUE(cg.ok()) << cg.error().message;
  std::string dir = dir_of(name, "cpu");
  if (host.version == CgroupVersion::v2) {
    EXPECT_EQ(read(dir + "/cpu.max"), "50000 100000");
  } else {
    EXPECT_EQ(read(dir + "/cpu.cfs_quota_us"), "50000");
    EXPECT_EQ(read(dir + "/cpu.cfs_period_us"), "100000");
  }
  cg->reset();

  Limits explicit_quota;
  explicit_quota.cpu_quota_us = 25000;
  explicit_quota.cpu_period_us = 50000;
  name = unique_name();
  cg = create_step_cgroup(fs, host, name, explicit_quota);
  ASSERT_TRUE(cg.ok()) << cg.error().message;
  dir = dir_of(name, "cpu");
  if (host.version == CgroupVersion::v2) {
    EXPECT_EQ(read(dir + "/cpu.max"), "25000 50000");
  } else {
    EXPECT_EQ(read(dir + "/cpu.cfs_quota_us"), "25000");
    EXPECT_EQ(read(dir + "/cpu.cfs_period_us"), "50000");
  }
  cg->reset();
  EXPECT_FALSE(fs.exists(dir));
}

TEST_F(RealCgroupTest, MemoryAndSwapFiles) {
  if (!have("memory")) GTEST_SKIP() << "the memory controller is not available";
  Limits limits;
  limits.memory_bytes = 64 * k_mib;
  limits.memory_swap_bytes = 96 * k_mib;
  std::string name = unique_name();
  auto cg = create_step_cgroup(fs, host, name, limits);
  ASSERT_TRUE(cg.ok()) << cg.error().message;
  std::string dir = dir_of(name, "memory");
  bool swap_file = fs.exists(dir + (host.version == CgroupVersion::v2
                                        ? "/memory.swap.max"
                                        : "/memory.memsw.limit_in_bytes"));
  if (host.version == CgroupVersion::v2) {
    EXPECT_EQ(read(dir + "/memory.max"), "67108864");
    if (swap_file) {
      EXPECT_EQ(read(dir + "/memory.swap.max"), "33554432");
    }
  } else {
    EXPECT_EQ(read(dir + "/memory.limit_in_bytes"), "67108864");
    if (swap_file) {
      EXPECT_EQ(read(dir + "/memory.memsw.limit_in_bytes"), "100663296");
    }
  }
  EXPECT_EQ((*cg)->warnings().empty(), swap_file);
  cg->reset();
}

// On a hybrid host the v2 tree (/sys/fs/cgroup/unified) has no resource
// controllers but is a real cgroup2 hierarchy: the v2 implementation's
// mkdir, cgroup.procs, cgroup.kill and rmdir run against the kernel there.
TEST_F(RealCgroupTest, V2MechanicsOnTheHybridUnifiedTree) {
  if (host.version != CgroupVersion::v1 || host.unified_root.empty())
    GTEST_SKIP() << "not a hybrid host (the v2 host runs every other test on v2)";
  CgroupHost v2 = host;
  v2.version = CgroupVersion::v2;
  v2.v1_mounts.clear();
  std::string name = unique_name();
  auto cg = create_step_cgroup(fs, v2, name, Limits{});
  ASSERT_TRUE(cg.ok()) << cg.error().message;
  std::string dir = join_path(join_path(v2.unified_root, v2.parent), name);
  EXPECT_EQ((*cg)->unified_dir(), dir);
  pid_t pid = spawn_in(**cg, [] {
    for (int i = 0; i < 5; ++i)
      if (::fork() == 0) break;
    ::pause();
    return 0;
  });
  ::usleep(20'000);
  EXPECT_NE(read(dir + "/cgroup.procs"), "");
  EXPECT_NE(read(dir + "/cgroup.events").find("populated 1"), std::string::npos);
  auto killed = (*cg)->kill_all();
  ASSERT_TRUE(killed.ok()) << killed.error().message;
  EXPECT_EQ(read(dir + "/cgroup.procs"), "");
  int status = wait_status(pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  auto outcome = (*cg)->outcome();
  ASSERT_TRUE(outcome.ok());
  EXPECT_FALSE(outcome->oom_killed);
  cg->reset();
  EXPECT_FALSE(fs.exists(dir)) << dir << " is left behind";
}

// The RUN per-step budget is 30 ms in total; the cgroup part must be a small
// share of it.
TEST_F(RealCgroupTest, PerStepOverhead) {
  if (!have("memory") || !have("cpu") || !have("pids"))
    GTEST_SKIP() << "needs the memory, cpu and pids controllers";
  Limits limits;
  limits.memory_bytes = 256 * k_mib;
  limits.cpus = 1;
  limits.pids_max = 100;
  using clock = std::chrono::steady_clock;
  constexpr int k_steps = 20;
  // create / add_process / kill_all+outcome+destroy, and their sum.
  std::array<clock::duration, 4> total{}, worst{};
  for (int i = 0; i < k_steps; ++i) {
    std::string name = unique_name();
    auto start = clock::now();
    auto cg = create_step_cgroup(fs, host, name, limits);
    ASSERT_TRUE(cg.ok()) << cg.error().message;
    auto created = clock::now();
    pid_t pid = spawn_in(**cg, [] { return 0; });
    wait_status(pid);  // fork and wait are the process's time, not the cgroup's
    auto waited = clock::now();
    ASSERT_TRUE((*cg)->kill_all().ok());
    ASSERT_TRUE((*cg)->outcome().ok());
    cg->reset();
    auto done = clock::now();
    std::array<clock::duration, 4> spent = {created - start, last_add, done - waited, {}};
    spent[3] = spent[0] + spent[1] + spent[2];
    for (size_t k = 0; k < spent.size(); ++k) {
      total[k] += spent[k];
      worst[k] = std::max(worst[k], spent[k]);
    }
  }
  auto us = [](clock::duration d) {
    return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  };
  const char* labels[] = {"create", "add_process", "kill_all+outcome+destroy", "total"};
  for (size_t k = 0; k < total.size(); ++k)
    std::cout << labels[k] << ": mean " << us(total[k]) / k_steps << " us, worst "
              << us(worst[k]) << " us over " << k_steps << " steps\n";
  EXPECT_LT(us(total[3]) / k_steps, 30'000);
}

}  // namespace
}  // namespace exec::cgroup
