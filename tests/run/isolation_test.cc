// Each isolation property of a RUN step, proved from inside the step: the
// step records what it sees into files of its layer, the test reads them
// from the exported filesystem.
#include <dirent.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/run/run_fixture.h"

namespace tests {
namespace {

namespace fs = std::filesystem;

std::string host_name() {
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

// Host processes whose command line contains `needle`, each described by
// its pid, state, parent and PID namespace (for the failure message).
std::vector<std::string> host_processes_matching(const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = slurp(entry.path().string() + "/cmdline");
    for (char& c : cmdline)
      if (c == '\0') c = ' ';
    if (cmdline.find(needle) == std::string::npos) continue;
    std::string stat = slurp(entry.path().string() + "/stat");
    std::error_code ec;
    std::string ns = fs::read_symlink(entry.path() / "ns" / "pid", ec).string();
    found.push_back("pid " + name + " [" + cmdline + "] stat: " + stat.substr(0, 80) + " ns: " + ns);
  }
  return found;
}

// What is left of the step's processes once kiln has returned: nothing. A
// process still exiting is given a moment; one that lives on is listed.
std::string survivors(const std::string& needle) {
  std::vector<std::string> left;
  for (int i = 0; i < 30; ++i) {
    left = host_processes_matching(needle);
    if (left.empty()) return "";
    ::usleep(100'000);
  }
  std::string out;
  for (const std::string& p : left) out += p + "\n";
  return out;
}

TEST_F(RunTest, StepIsPidOneAndSeesNoHostProcess) {
  std::string out = build_to_dir(
      "FROM busybox\n"
      "RUN echo $$ > /pid && ls /proc | grep -E '^[0-9]+$' | wc -l > /nprocs && cat /proc/1/cmdline | tr '\\0' ' ' > /cmd1\n");
  EXPECT_EQ(slurp(out + "/pid"), "1\n");
  // sh (1), ls, grep, wc and the cat: a handful, never the host's hundreds.
  int nprocs = std::stoi(slurp(out + "/nprocs"));
  EXPECT_GE(nprocs, 1);
  EXPECT_LE(nprocs, 6);
  EXPECT_EQ(slurp(out + "/cmd1").rfind("/bin/sh -c", 0), 0u) << slurp(out + "/cmd1");
}

TEST_F(RunTest, HostnameIsTheSandboxsOwn) {
  std::string out = build_to_dir("FROM busybox\nRUN hostname > /h && cat /etc/hostname > /eh && cat /etc/hosts > /hosts\n",
                                 {"--add-host", "db.internal:10.1.2.3"});
  std::string seen = slurp(out + "/h");
  ASSERT_FALSE(seen.empty());
  EXPECT_NE(seen, host_name() + "\n");
  EXPECT_EQ(slurp(out + "/eh"), seen);
  EXPECT_NE(slurp(out + "/hosts").find("127.0.0.1"), std::string::npos);
  EXPECT_NE(slurp(out + "/hosts").find("10.1.2.3"), std::string::npos) << slurp(out + "/hosts");
}

TEST_F(RunTest, NetworkNoneHasOnlyLoopback) {
  std::string out = build_to_dir(
      "FROM busybox\n"
      "RUN --network=none ls /sys/class/net > /none\n"
      "RUN ls /sys/class/net > /host\n");
  EXPECT_EQ(slurp(out + "/none"), "lo\n");
  EXPECT_NE(slurp(out + "/host"), "lo\n") << "the default network is the host's";
  std::string whole = build_to_dir("FROM busybox\nRUN ls /sys/class/net > /n\n", {"--network", "none"});
  EXPECT_EQ(slurp(whole + "/n"), "lo\n");
}

TEST_F(RunTest, PrivilegedOperationsAreDenied) {
  std::string out = build_to_dir(
      "FROM busybox\n"
      "RUN mkdir -p /mnt/t /r && "
      "(mount -t tmpfs none /mnt/t 2>/dev/null && echo allowed || echo denied) > /r/mount && "
      "(unshare -m true 2>/dev/null && echo allowed || echo denied) > /r/unshare && "
      "(unshare -U true 2>/dev/null && echo allowed || echo denied) > /r/userns && "
      "(mknod /r/dev c 1 3 2>/dev/null && echo allowed || echo denied) > /r/mknod && "
      "(echo b > /proc/sysrq-trigger 2>/dev/null && echo allowed || echo denied) > /r/sysrq && "
      "(touch /sys/kiln-test 2>/dev/null && echo allowed || echo denied) > /r/sys && "
      "(echo 1 > /proc/sys/kernel/panic 2>/dev/null && echo allowed || echo denied) > /r/procsys && "
      "(cat /proc/kcore >/dev/null 2>&1 && test -s /proc/kcore && echo readable || echo masked) > /r/kcore && "
      "(ls /proc/self/fd | wc -l) > /r/fds && "
      "grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status > /r/status\n");
  for (const char* probe : {"mount", "unshare", "userns", "mknod", "sysrq", "sys", "procsys"})
    EXPECT_EQ(slurp(out + "/r/" + probe), "denied\n") << probe;
  EXPECT_EQ(slurp(out + "/r/kcore"), "masked\n");
  // ls has 0, 1, 2 and the directory it reads: nothing of kiln's.
  EXPECT_EQ(slurp(out + "/r/fds"), "4\n");
  std::string status = slurp(out + "/r/status");
  EXPECT_NE(status.find("NoNewPrivs:\t1"), std::string::npos) << status;
  EXPECT_NE(status.find("Seccomp:\t2"), std::string::npos) << status;
  EXPECT_EQ(status.find("CapEff:\t000001ffffffffff"), std::string::npos) << status;
}

TEST_F(RunTest, NoProcessSurvivesTheStep) {
  KilnRun r = build("FROM busybox\nRUN (sleep 9876 &) ; sleep 9875 & echo started\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(survivors("sleep 9876"), "");
  EXPECT_EQ(survivors("sleep 9875"), "");
}

TEST_F(RunTest, MemoryLimitEndsInAnOutOfMemoryError) {
  KilnRun r = build("FROM busybox\nRUN dd if=/dev/zero of=/dev/null bs=200M count=1\n", {"--memory", "32m"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("RUN killed: out of memory (limit 32 MiB)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("137"), std::string::npos) << r.err;
}

TEST_F(RunTest, PidsLimitStopsAForkBomb) {
  KilnRun r = build("FROM busybox\nRUN i=0; while [ $i -lt 200 ]; do sleep 2917 & i=$((i+1)); done; wait\n",
                    {"--pids-limit", "20"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("process limit"), std::string::npos) << r.err;
  EXPECT_EQ(survivors("sleep 2917"), "");
}

TEST_F(RunTest, StepsWithLimitsLeaveNoCgroupMountOrProcessBehind) {
  // Step cgroups are named <kiln's pid>-<n>: one whose kiln is gone was left
  // behind (concurrent builds of other tests are alive and do not count).
  auto orphaned_cgroups = [] {
    int count = 0;
    for (const char* hierarchy : {"/sys/fs/cgroup/memory/kiln", "/sys/fs/cgroup/pids/kiln", "/sys/fs/cgroup/cpu/kiln",
                                  "/sys/fs/cgroup/kiln"}) {
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(hierarchy, ec)) {
        std::string name = entry.path().filename();
        std::string pid = name.substr(0, name.find('-'));
        if (entry.is_directory() && !pid.empty() && pid.find_first_not_of("0123456789") == std::string::npos &&
            !fs::exists("/proc/" + pid))
          ++count;
      }
    }
    return count;
  };
  int cgroups_before = orphaned_cgroups();
  std::string dockerfile = "FROM busybox\n";
  for (int i = 0; i < 30; ++i) dockerfile += "RUN sleep 600 & echo " + std::to_string(i) + " > /n" + std::to_string(i) + "\n";
  KilnRun r = build(dockerfile, {"--memory", "64m", "--pids-limit", "50", "--cpus", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(orphaned_cgroups(), cgroups_before);
  EXPECT_EQ(survivors("sleep 600"), "");
  EXPECT_EQ(slurp("/proc/self/mountinfo").find(root()), std::string::npos);
}

TEST_F(RunTest, InsecureNeedsTheEntitlement) {
  KilnRun refused = build("FROM busybox\nRUN --security=insecure true\n");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("security.insecure"), std::string::npos) << refused.err;
  std::string out = build_to_dir("FROM busybox\nRUN --security=insecure mkdir /m && mount -t tmpfs none /m && echo ok > /ok\n",
                                 {"--allow", "security.insecure"});
  EXPECT_EQ(slurp(out + "/ok"), "ok\n");
}

}  // namespace
}  // namespace tests
