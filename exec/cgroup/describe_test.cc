#include "exec/cgroup/describe.h"

#include <gtest/gtest.h>

#include <csignal>

namespace exec::cgroup {
namespace {

TEST(FormatBytes, BinaryUnits) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(100), "100 B");
  EXPECT_EQ(format_bytes(1024), "1 KiB");
  EXPECT_EQ(format_bytes(512ll << 20), "512 MiB");
  EXPECT_EQ(format_bytes(6ll << 20), "6 MiB");
  EXPECT_EQ(format_bytes(3ll << 29), "1.5 GiB");
  EXPECT_EQ(format_bytes(1000000), "976.6 KiB");
  EXPECT_EQ(format_bytes(2ll << 40), "2 TiB");
}

TEST(DescribeOutcome, OutOfMemory) {
  Limits limits;
  limits.memory_bytes = 512ll << 20;
  ProcessResult r;
  r.signaled = true;
  r.signal = SIGKILL;
  r.oom_killed = true;
  EXPECT_EQ(r.status(), 137);
  EXPECT_EQ(describe_outcome(limits, r), "RUN killed: out of memory (limit 512 MiB)");
  // A shell whose child was OOM-killed exits 137 itself.
  ProcessResult shell;
  shell.exit_code = 137;
  shell.oom_killed = true;
  EXPECT_EQ(describe_outcome(limits, shell), "RUN killed: out of memory (limit 512 MiB)");
  // The step survived a killed child: nothing to explain.
  ProcessResult ok;
  ok.oom_killed = true;
  EXPECT_EQ(describe_outcome(limits, ok), "");
  EXPECT_EQ(describe_outcome(Limits{}, r), "RUN killed: out of memory");
}

TEST(DescribeOutcome, PidsLimitAndPlainFailure) {
  Limits limits;
  limits.pids_max = 20;
  ProcessResult r;
  r.exit_code = 2;
  r.pids_limit_hit = true;
  EXPECT_EQ(describe_outcome(limits, r), "RUN failed: process limit reached (--pids-limit 20)");
  r.pids_limit_hit = false;
  EXPECT_EQ(describe_outcome(limits, r), "");
}

}  // namespace
}  // namespace exec::cgroup
