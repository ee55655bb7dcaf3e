// The cgroup v1 step cgroup against FakeCgroupFs; real_cgroup_test.cc runs
// it against the kernel.
#include "exec/cgroup/v1.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "exec/cgroup/factory.h"
#include "exec/cgroup/fake_cgroup_fs.h"

namespace exec::cgroup {
namespace {

constexpr int64_t k_mib = 1024 * 1024;
const std::string k_mem = "/sys/fs/cgroup/memory/kiln/s";
const std::string k_cpu = "/sys/fs/cgroup/cpu,cpuacct/kiln/s";
const std::string k_pids = "/sys/fs/cgroup/pids/kiln/s";

class V1Test : public testing::Test {
 protected:
  void SetUp() override { setup(true); }
  void setup(bool memsw) {
    fs = FakeCgroupFs();
    fs.add_v1_root("/sys/fs/cgroup/memory", {"memory"}, memsw);
    fs.add_v1_root("/sys/fs/cgroup/cpu,cpuacct", {"cpu", "cpuacct"});
    fs.add_v1_root("/sys/fs/cgroup/pids", {"pids"});
    host.version = CgroupVersion::v1;
    host.v1_mounts = {{"memory", "/sys/fs/cgroup/memory"},
                      {"cpu", "/sys/fs/cgroup/cpu,cpuacct"},
                      {"pids", "/sys/fs/cgroup/pids"}};
  }
  std::unique_ptr<StepCgroup> create(const Limits& limits) {
    auto cg = create_step_cgroup(fs, host, "s", limits);
    EXPECT_TRUE(cg.ok()) << (cg.ok() ? "" : cg.error().message);
    return cg.ok() ? std::move(*cg) : nullptr;
  }
  FakeCgroupFs fs;
  CgroupHost host;
};

TEST_F(V1Test, OneDirectoryPerHierarchyWithItsFiles) {
  Limits l;
  l.memory_bytes = 32 * k_mib;
  l.memory_swap_bytes = 48 * k_mib;
  l.cpus = 0.5;
  l.pids_max = 20;
  auto cg = create(l);
  ASSERT_TRUE(cg);
  EXPECT_EQ(fs.file(k_mem + "/memory.limit_in_bytes"), "33554432");
  EXPECT_EQ(fs.file(k_mem + "/memory.memsw.limit_in_bytes"), "50331648");
  EXPECT_EQ(fs.file(k_cpu + "/cpu.cfs_period_us"), "100000");
  EXPECT_EQ(fs.file(k_cpu + "/cpu.cfs_quota_us"), "50000");
  EXPECT_EQ(fs.file(k_pids + "/pids.max"), "20");
  EXPECT_TRUE(cg->warnings().empty());
  EXPECT_EQ(cg->unified_dir(), "");

  ASSERT_TRUE(cg->add_process(300).ok());
  EXPECT_EQ(fs.pids_in(k_mem), std::vector<int>{300});
  EXPECT_EQ(fs.pids_in(k_cpu), std::vector<int>{300});
  EXPECT_EQ(fs.pids_in(k_pids), std::vector<int>{300});

  cg.reset();
  EXPECT_FALSE(fs.has_dir(k_mem));
  EXPECT_FALSE(fs.has_dir(k_cpu));
  EXPECT_FALSE(fs.has_dir(k_pids));
  EXPECT_TRUE(fs.has_dir("/sys/fs/cgroup/memory/kiln"));
  EXPECT_EQ(fs.killed(), std::vector<int>{300});
}

TEST_F(V1Test, OnlyTheHierarchiesTheLimitsNeed) {
  Limits l;
  l.memory_bytes = 32 * k_mib;
  auto cg = create(l);
  ASSERT_TRUE(cg);
  EXPECT_TRUE(fs.has_dir(k_mem));
  EXPECT_FALSE(fs.has_dir(k_cpu));
  EXPECT_FALSE(fs.has_dir(k_pids));
  // docker's default: swap total twice the memory limit.
  EXPECT_EQ(fs.file(k_mem + "/memory.memsw.limit_in_bytes"), "67108864");
}

TEST_F(V1Test, NoLimitsStillTracksProcessesInPids) {
  auto cg = create(Limits{});
  ASSERT_TRUE(cg);
  EXPECT_TRUE(fs.has_dir(k_pids));
  EXPECT_FALSE(fs.has_dir(k_mem));
  ASSERT_TRUE(cg->add_process(5).ok());
  fs.add_pid(k_pids, 6);
  ASSERT_TRUE(cg->kill_all().ok());
  EXPECT_EQ(fs.killed(), (std::vector<int>{5, 6}));
  EXPECT_TRUE(fs.pids_in(k_pids).empty());
}

TEST_F(V1Test, SwapWithoutMemswWarns) {
  setup(/*memsw=*/false);
  Limits l;
  l.memory_bytes = 32 * k_mib;
  l.memory_swap_bytes = 64 * k_mib;
  auto cg = create(l);
  ASSERT_TRUE(cg);
  ASSERT_EQ(cg->warnings().size(), 1u);
  EXPECT_EQ(cg->warnings()[0].rfind("--memory-swap cannot be enforced:", 0), 0u);
  EXPECT_EQ(fs.file(k_mem + "/memory.limit_in_bytes"), "33554432");
}

TEST_F(V1Test, MissingHierarchy) {
  host.v1_mounts.erase("pids");
  Limits l;
  l.pids_max = 4;
  l.memory_bytes = 32 * k_mib;
  auto cg = create(l);
  ASSERT_TRUE(cg);
  EXPECT_EQ(cg->warnings(), std::vector<std::string>{
                                "--pids-limit ignored: the pids cgroup controller is not mounted"});
  host.v1_mounts.erase("cpu");
  Limits cpus;
  cpus.cpus = 1;
  auto r = create_step_cgroup(fs, host, "t", cpus);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "--cpus cannot be enforced: the cpu cgroup controller is not mounted");
}

TEST_F(V1Test, OutcomeOomKillCounterAndFallback) {
  Limits l;
  l.memory_bytes = 32 * k_mib;
  l.pids_max = 3;
  auto cg = create(l);
  ASSERT_TRUE(cg);
  EXPECT_FALSE(cg->outcome()->oom_killed);
  fs.set_file(k_mem + "/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
  fs.set_file(k_pids + "/pids.events", "max 7\n");
  auto o = cg->outcome();
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->oom_killed);
  EXPECT_TRUE(o->pids_limit_hit);
  // Before Linux 4.13 there is no oom_kill line: failcnt or under_oom decide.
  fs.set_file(k_mem + "/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");
  EXPECT_FALSE(cg->outcome()->oom_killed);
  fs.set_file(k_mem + "/memory.failcnt", "12\n");
  EXPECT_TRUE(cg->outcome()->oom_killed);
  fs.set_file(k_mem + "/memory.failcnt", "0\n");
  fs.set_file(k_mem + "/memory.oom_control", "oom_kill_disable 0\nunder_oom 1\n");
  EXPECT_TRUE(cg->outcome()->oom_killed);
}

TEST_F(V1Test, FailuresCleanUp) {
  fs.fail_write(k_pids + "/pids.max", EINVAL);
  Limits l;
  l.memory_bytes = 32 * k_mib;
  l.pids_max = 3;
  auto r = create_step_cgroup(fs, host, "s", l);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "cannot set pids.max to 3 in " + k_pids + ": Invalid argument");
  EXPECT_FALSE(fs.has_dir(k_mem));
  EXPECT_FALSE(fs.has_dir(k_pids));
}

TEST_F(V1Test, ParentCannotBeCreated) {
  FakeCgroupFs empty;  // no hierarchy directories at all
  auto r = create_step_cgroup(empty, host, "s", Limits{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "cannot create cgroup /sys/fs/cgroup/pids/kiln: No such file or directory");
}

}  // namespace
}  // namespace exec::cgroup
