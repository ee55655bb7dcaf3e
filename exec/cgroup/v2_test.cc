// The cgroup v2 step cgroup against FakeCgroupFs: this covers v2 on hosts
// (like v1/hybrid CI machines) that have no writable unified hierarchy.
#include "exec/cgroup/v2.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "exec/cgroup/factory.h"
#include "exec/cgroup/fake_cgroup_fs.h"

namespace exec::cgroup {
namespace {

constexpr int64_t k_mib = 1024 * 1024;
const std::string k_root = "/sys/fs/cgroup";
const std::string k_step = "/sys/fs/cgroup/kiln/step1";

class V2Test : public testing::Test {
 protected:
  void SetUp() override {
    fs.add_v2_root(k_root, {"cpu", "io", "memory", "pids"});
    host.version = CgroupVersion::v2;
    host.unified_root = k_root;
    host.v2_controllers = {"cpu", "io", "memory", "pids"};
  }
  std::unique_ptr<StepCgroup> create(const Limits& limits, const std::string& name = "step1") {
    auto cg = create_step_cgroup(fs, host, name, limits);
    EXPECT_TRUE(cg.ok()) << (cg.ok() ? "" : cg.error().message);
    return cg.ok() ? std::move(*cg) : nullptr;
  }
  std::string create_error(const Limits& limits, const std::string& name = "step1") {
    auto cg = create_step_cgroup(fs, host, name, limits);
    EXPECT_FALSE(cg.ok());
    return cg.ok() ? std::string() : cg.error().message;
  }
  static Limits all_limits() {
    Limits l;
    l.memory_bytes = 512 * k_mib;
    l.memory_swap_bytes = 768 * k_mib;
    l.cpus = 1.5;
    l.pids_max = 20;
    return l;
  }
  FakeCgroupFs fs;
  CgroupHost host;
};

TEST_F(V2Test, WritesLimitsAndDelegatesControllers) {
  auto cg = create(all_limits());
  ASSERT_TRUE(cg);
  EXPECT_TRUE(fs.has_dir(k_step));
  EXPECT_EQ(fs.file(k_root + "/cgroup.subtree_control"), "cpu memory pids\n");
  EXPECT_EQ(fs.file(k_root + "/kiln/cgroup.subtree_control"), "cpu memory pids\n");
  EXPECT_EQ(fs.file(k_step + "/memory.max"), "536870912");
  EXPECT_EQ(fs.file(k_step + "/memory.swap.max"), "268435456");
  EXPECT_EQ(fs.file(k_step + "/cpu.max"), "150000 100000");
  EXPECT_EQ(fs.file(k_step + "/pids.max"), "20");
  EXPECT_TRUE(cg->warnings().empty());
  EXPECT_EQ(cg->unified_dir(), k_step);
  // The subtree_control write enables all needed controllers at once.
  EXPECT_EQ(fs.writes().front(),
            (std::pair<std::string, std::string>{k_root + "/cgroup.subtree_control",
                                                 "+cpu +memory +pids"}));
}

TEST_F(V2Test, ProcessesOnlyInTheLeaf) {
  auto cg = create(all_limits());
  ASSERT_TRUE(cg);
  ASSERT_TRUE(cg->add_process(4242).ok());
  EXPECT_EQ(fs.pids_in(k_step), std::vector<int>{4242});
  EXPECT_TRUE(fs.pids_in(k_root + "/kiln").empty());  // no internal processes
  // A second step reuses kiln/ and its delegation.
  size_t writes_before = fs.writes().size();
  auto cg2 = create(all_limits(), "step2");
  ASSERT_TRUE(cg2);
  for (size_t i = writes_before; i < fs.writes().size(); ++i)
    EXPECT_EQ(fs.writes()[i].first.find("cgroup.subtree_control"), std::string::npos)
        << fs.writes()[i].first;
}

TEST_F(V2Test, DestructorKillsAndRemoves) {
  auto cg = create(all_limits());
  ASSERT_TRUE(cg);
  ASSERT_TRUE(cg->add_process(10).ok());
  fs.add_pid(k_step, 11);  // a child forked inside
  cg.reset();
  EXPECT_FALSE(fs.has_dir(k_step));
  EXPECT_TRUE(fs.has_dir(k_root + "/kiln"));  // shared with other builds
  EXPECT_EQ(fs.killed(), (std::vector<int>{10, 11}));
}

TEST_F(V2Test, KillAllWithCgroupKill) {
  auto cg = create(Limits{});
  ASSERT_TRUE(cg);
  fs.add_pid(k_step, 1);
  fs.add_pid(k_step, 2);
  ASSERT_TRUE(cg->kill_all().ok());
  EXPECT_TRUE(fs.pids_in(k_step).empty());
  bool wrote_kill = false;
  for (const auto& w : fs.writes()) wrote_kill = wrote_kill || w.first == k_step + "/cgroup.kill";
  EXPECT_TRUE(wrote_kill);
}

TEST_F(V2Test, KillAllWithoutCgroupKillSignalsEachPid) {
  FakeCgroupFs old;
  old.add_v2_root(k_root, {"memory", "pids"}, /*has_kill_file=*/false);
  host.v2_controllers = {"memory", "pids"};
  auto cg = create_step_cgroup(old, host, "step1", Limits{});
  ASSERT_TRUE(cg.ok()) << cg.error().message;
  old.add_pid(k_step, 7);
  old.add_pid(k_step, 8);
  ASSERT_TRUE((*cg)->kill_all().ok());
  EXPECT_EQ(old.killed(), (std::vector<int>{7, 8}));
  EXPECT_TRUE(old.pids_in(k_step).empty());
}

TEST_F(V2Test, KillAllGivesUpOnAProcessThatWillNotDie) {
  auto cg = create(Limits{});
  ASSERT_TRUE(cg);
  fs.add_pid(k_step, 99);
  fs.make_unkillable(99);
  auto r = cg->kill_all();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "processes still running in " + k_step + "/cgroup.procs after 5000ms: 99");
  EXPECT_GT(fs.pauses(), 5);
}

TEST_F(V2Test, OutcomeReadsMemoryAndPidsEvents) {
  auto cg = create(all_limits());
  ASSERT_TRUE(cg);
  auto o = cg->outcome();
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(o->oom_killed);
  EXPECT_FALSE(o->pids_limit_hit);
  fs.set_file(k_step + "/memory.events", "low 0\nhigh 0\nmax 40\noom 1\noom_kill 1\n");
  fs.set_file(k_step + "/pids.events", "max 3\n");
  o = cg->outcome();
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->oom_killed);
  EXPECT_TRUE(o->pids_limit_hit);
  // "oom" without a kill (reclaim succeeded) is not an OOM kill.
  fs.set_file(k_step + "/memory.events", "low 0\nhigh 0\nmax 40\noom 1\noom_kill 0\n");
  EXPECT_FALSE(cg->outcome()->oom_killed);
}

TEST_F(V2Test, MissingControllersWarnOrFail) {
  host.v2_controllers = {"cpu"};
  fs = FakeCgroupFs();
  fs.add_v2_root(k_root, {"cpu"});
  Limits l;
  l.memory_bytes = 64 * k_mib;
  l.pids_max = 5;
  auto cg = create(l);
  ASSERT_TRUE(cg);
  EXPECT_EQ(cg->warnings(),
            (std::vector<std::string>{
                "--memory ignored: the memory controller is not available in /sys/fs/cgroup",
                "--pids-limit ignored: the pids controller is not available in /sys/fs/cgroup"}));
  cg.reset();
  host.v2_controllers = {"memory"};
  Limits cpus;
  cpus.cpus = 1;
  EXPECT_EQ(create_error(cpus),
            "--cpus cannot be enforced: the cpu controller is not available in /sys/fs/cgroup");
}

TEST_F(V2Test, SwapWithoutSwapAccountingWarns) {
  fs.omit_interface_file("memory.swap.max");
  Limits l;
  l.memory_bytes = 64 * k_mib;
  l.memory_swap_bytes = 128 * k_mib;
  auto cg = create(l);
  ASSERT_TRUE(cg);
  EXPECT_EQ(cg->warnings(),
            std::vector<std::string>{
                "--memory-swap cannot be enforced: the kernel does not account swap (no "
                "memory.swap.max); memory is limited without a swap limit"});
  EXPECT_EQ(fs.file(k_step + "/memory.max"), "67108864");
  // Without --memory-swap (docker's default swap) there is nothing to warn about.
  l.memory_swap_bytes.reset();
  auto cg2 = create(l, "step2");
  ASSERT_TRUE(cg2);
  EXPECT_TRUE(cg2->warnings().empty());
}

TEST_F(V2Test, BusyRootExplainsTheNoInternalProcessesRule) {
  fs.fail_write(k_root + "/cgroup.subtree_control", EBUSY);
  Limits l;
  l.pids_max = 10;
  auto cg = create_step_cgroup(fs, host, "step1", l);
  ASSERT_FALSE(cg.ok());
  EXPECT_EQ(cg.error().message,
            "cannot enable the pids controller(s) in /sys/fs/cgroup/cgroup.subtree_control: "
            "Device or resource busy");
  EXPECT_NE(cg.error().hint.find("without processes"), std::string::npos) << cg.error().hint;
}

TEST_F(V2Test, NonRootParentWithProcessesIsRefusedByTheModel) {
  // kiln/ holding a process (someone else put it there): delegation fails.
  fs.make_dir(k_root + "/kiln");
  fs.add_pid(k_root + "/kiln", 5);
  Limits l;
  l.pids_max = 10;
  EXPECT_NE(create_error(l).find("kiln/cgroup.subtree_control"), std::string::npos);
}

TEST_F(V2Test, FailedLimitWriteRemovesTheCgroup) {
  fs.fail_write(k_step + "/cpu.max", EINVAL);
  Limits l;
  l.cpu_quota_us = 1000;
  EXPECT_EQ(create_error(l),
            "cannot set cpu.max to 1000 100000 in " + k_step + ": Invalid argument");
  EXPECT_FALSE(fs.has_dir(k_step));
}

TEST_F(V2Test, ExistingNameIsAnError) {
  auto cg = create(Limits{});
  ASSERT_TRUE(cg);
  EXPECT_EQ(create_error(Limits{}), "cgroup " + k_step + " already exists");
}

TEST_F(V2Test, NestedParent) {
  host.parent = "kiln.slice/builds";
  Limits l;
  l.memory_bytes = 64 * k_mib;
  auto cg = create(l);
  ASSERT_TRUE(cg);
  EXPECT_EQ(fs.file(k_root + "/kiln.slice/cgroup.subtree_control"), "memory\n");
  EXPECT_EQ(fs.file(k_root + "/kiln.slice/builds/cgroup.subtree_control"), "memory\n");
  EXPECT_EQ(fs.file(k_root + "/kiln.slice/builds/step1/memory.max"), "67108864");
}

TEST(CreateStepCgroup, ValidatesNameAndLimits) {
  FakeCgroupFs fs;
  CgroupHost host;
  for (const char* bad : {"", ".", "..", "a/b"}) {
    auto cg = create_step_cgroup(fs, host, bad, Limits{});
    ASSERT_FALSE(cg.ok()) << bad;
    EXPECT_EQ(cg.error().message, "invalid cgroup name \"" + std::string(bad) + "\"");
  }
  Limits l;
  l.memory_bytes = 1024;
  auto cg = create_step_cgroup(fs, host, "x", l);
  ASSERT_FALSE(cg.ok());
  EXPECT_EQ(cg.error().message,
            "invalid value \"1024\" for --memory: minimum memory limit allowed is 6 MiB");
}

TEST(CreateStepCgroup, NoCgroupsOnTheHost) {
  FakeCgroupFs fs;
  CgroupHost host;  // version none
  auto cg = create_step_cgroup(fs, host, "x", Limits{});
  ASSERT_TRUE(cg.ok());
  EXPECT_TRUE((*cg)->add_process(1).ok());
  EXPECT_TRUE((*cg)->kill_all().ok());
  EXPECT_FALSE((*cg)->outcome()->oom_killed);
  Limits l;
  l.pids_max = 3;
  auto limited = create_step_cgroup(fs, host, "x", l);
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().message, "resource limits need cgroups, and none are mounted");
}

}  // namespace
}  // namespace exec::cgroup
