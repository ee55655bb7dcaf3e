// The sandbox runner as the build uses it, with everything plugged in: real
// cgroups (limits set), capabilities and the seccomp filter. 1,000 steps in a
// row must leave no mount, cgroup, process or descriptor behind.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>

#include <gtest/gtest.h>

#include "exec/runner.h"
#include "exec/sandbox/sandbox_testing.h"

namespace exec {
namespace {

namespace fs = std::filesystem;
using namespace exec::testing;

// This test's step cgroups on this host, in every hierarchy kiln may use
// (other tests running at the same time have their own names).
size_t kiln_cgroup_count(const std::string& prefix) {
  size_t count = 0;
  for (const char* dir : {"/sys/fs/cgroup/kiln", "/sys/fs/cgroup/memory/kiln", "/sys/fs/cgroup/pids/kiln",
                          "/sys/fs/cgroup/cpu/kiln", "/sys/fs/cgroup/cpu,cpuacct/kiln", "/sys/fs/cgroup/unified/kiln"}) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.is_directory() && e.path().filename().string().rfind(prefix, 0) == 0) ++count;
  }
  return count;
}

class SandboxRunner : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!is_root()) GTEST_SKIP() << "namespaces, mounts and cgroups need root";
    if (!fs::exists("/bin/busybox")) GTEST_SKIP() << "/bin/busybox (Debian's busybox-static) is not installed";
    auto opened = open_sandbox_runner();
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    runner = std::move(opened).value();
    make_busybox_root(root_dir.path(), true);
  }
  ProcessSpec spec_for(const std::string& script) const {
    ProcessSpec spec;
    spec.rootfs = root_dir.path();
    spec.state_dir = state_dir.path();
    spec.argv = {"/bin/sh", "-c", script};
    spec.env = {"PATH=/bin"};
    return spec;
  }

  std::unique_ptr<ProcessRunner> runner;
  TempDir root_dir, state_dir;
};

TEST_F(SandboxRunner, ThousandStepsWithLimitsLeaveNothingBehind) {
  ProcessSpec spec = spec_for("sleep 600 & echo $$");
  spec.network = Network::none;
  spec.limits.memory_bytes = 64ll << 20;
  spec.limits.pids_max = 32;

  auto mounts_before = host_mounts(root_dir.path());
  size_t fds_before = open_fd_count();
  const std::string prefix = "runner-test-" + std::to_string(::getpid()) + "-";
  size_t cgroups_before = kiln_cgroup_count(prefix);
  std::vector<double> ms;
  for (int i = 0; i < 1000; ++i) {
    spec.cgroup_name = prefix + std::to_string(i);
    CollectingSink sink;
    auto t = std::chrono::steady_clock::now();
    auto r = runner->run(spec, sink, NeverCancel{});
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count());
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->status(), 0) << sink.err;
    ASSERT_EQ(sink.out, "1\n");
  }
  std::sort(ms.begin(), ms.end());
  std::cout << "1000 steps with cgroup limits: median " << ms[500] << " ms, p90 " << ms[900] << " ms\n";
  EXPECT_EQ(host_mounts(root_dir.path()), mounts_before);
  EXPECT_TRUE(host_mounts(state_dir.path()).empty());
  EXPECT_EQ(open_fd_count(), fds_before);
  EXPECT_EQ(kiln_cgroup_count(prefix), cgroups_before);
  EXPECT_TRUE(find_processes(std::string("sleep\0" "600", 9)).empty());
  EXPECT_FALSE(has_children());
}

TEST_F(SandboxRunner, SeccompAndCapabilitiesAreInForce) {
  CollectingSink sink;
  auto r = runner->run(spec_for("grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status"), sink, NeverCancel{});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(sink.out, "CapEff:\t00000000a00425fb\nNoNewPrivs:\t1\nSeccomp:\t2\n");
}

}  // namespace
}  // namespace exec
