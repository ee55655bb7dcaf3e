#include "exec/cgroup/host.h"

#include <gtest/gtest.h>

#include "exec/cgroup/fake_cgroup_fs.h"

namespace exec::cgroup {
namespace {

// This kind of host: v1 controllers under /sys/fs/cgroup/<controller> and an
// empty v2 tree at /sys/fs/cgroup/unified ("hybrid").
constexpr const char* k_hybrid =
    "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
    "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
    // A bind mount of the memory hierarchy elsewhere: the first mount wins.
    "90 1 0:32 / /mnt/mem\\040copy rw - cgroup cgroup rw,memory\n";

constexpr const char* k_unified =
    "24 18 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n"
    "25 18 0:23 / /proc rw - proc proc rw\n";

TEST(HostFromMountinfo, HybridUsesV1) {
  CgroupHost host = host_from_mountinfo(k_hybrid);
  EXPECT_EQ(host.version, CgroupVersion::v1);
  ASSERT_EQ(host.v1_mounts.size(), 3u);
  EXPECT_EQ(host.v1_mounts.at("cpu"), "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(host.v1_mounts.at("memory"), "/sys/fs/cgroup/memory");
  EXPECT_EQ(host.v1_mounts.at("pids"), "/sys/fs/cgroup/pids");
  EXPECT_EQ(host.unified_root, "/sys/fs/cgroup/unified");
  EXPECT_EQ(host.parent, "kiln");
  EXPECT_EQ(describe_host(host), "cgroup v1 (cpu memory pids)");
}

TEST(HostFromMountinfo, UnifiedUsesV2) {
  CgroupHost host = host_from_mountinfo(k_unified);
  EXPECT_EQ(host.version, CgroupVersion::v2);
  EXPECT_EQ(host.unified_root, "/sys/fs/cgroup");
  EXPECT_TRUE(host.v1_mounts.empty());
}

TEST(HostFromMountinfo, LoneV2ElsewhereAndNothing) {
  CgroupHost host = host_from_mountinfo("50 1 0:40 / /run/cg rw - cgroup2 none rw\n");
  EXPECT_EQ(host.version, CgroupVersion::v2);
  EXPECT_EQ(host.unified_root, "/run/cg");
  host = host_from_mountinfo("22 1 0:21 / /proc rw - proc proc rw\nmalformed line\n\n");
  EXPECT_EQ(host.version, CgroupVersion::none);
  EXPECT_EQ(describe_host(host), "no cgroups");
  // Optional fields (shared:N master:N) before the separator are skipped.
  host = host_from_mountinfo("1 2 0:3 / /x rw shared:1 master:2 - cgroup c rw,pids\n");
  EXPECT_EQ(host.version, CgroupVersion::v1);
  EXPECT_EQ(host.v1_mounts.at("pids"), "/x");
}

TEST(DetectCgroupHost, ReadsControllersOfTheV2Root) {
  FakeCgroupFs fs;
  fs.set_file("/proc/self/mountinfo", k_unified);
  fs.add_v2_root("/sys/fs/cgroup", {"cpu", "io", "memory", "pids"});
  auto host = detect_cgroup_host(fs);
  ASSERT_TRUE(host.ok()) << host.error().message;
  EXPECT_EQ(host->version, CgroupVersion::v2);
  EXPECT_EQ(host->v2_controllers, (std::set<std::string>{"cpu", "io", "memory", "pids"}));
  EXPECT_EQ(describe_host(*host), "cgroup v2 at /sys/fs/cgroup (cpu io memory pids)");
}

TEST(DetectCgroupHost, MissingMountinfoIsAnError) {
  FakeCgroupFs fs;
  auto host = detect_cgroup_host(fs);
  ASSERT_FALSE(host.ok());
  EXPECT_EQ(host.error().message,
            "cannot read /proc/self/mountinfo: No such file or directory");
}

TEST(DetectCgroupHost, ThisMachine) {
  auto host = detect_cgroup_host(real_cgroup_fs());
  ASSERT_TRUE(host.ok()) << host.error().message;
  // Whatever the machine has, the description names it.
  EXPECT_FALSE(describe_host(*host).empty());
  std::cout << "host: " << describe_host(*host) << "\n";
}

}  // namespace
}  // namespace exec::cgroup
