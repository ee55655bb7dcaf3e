#include "exec/cgroup/plan.h"

#include <gtest/gtest.h>

namespace exec::cgroup {
namespace {

constexpr int64_t k_mib = 1024 * 1024;

std::string render(const std::vector<FileWrite>& writes) {
  std::string out;
  for (const auto& w : writes) out += w.controller + ":" + w.file + "=" + w.value + "\n";
  return out;
}

TEST(ResolveLimits, CpusBecomeQuotaOverTheDefaultPeriod) {
  Limits l;
  l.cpus = 1.5;
  ResolvedLimits r = resolve_limits(l);
  EXPECT_EQ(r.cpu_period, 100000);
  EXPECT_EQ(r.cpu_quota, 150000);
  EXPECT_TRUE(r.cpus_given);
  l.cpus = 0.001;
  EXPECT_EQ(resolve_limits(l).cpu_quota, 100);  // too small for the kernel: its error
  l.cpus = 0.333333333;
  EXPECT_EQ(resolve_limits(l).cpu_quota, 33333);  // truncated, as docker does
}

TEST(ResolveLimits, MemorySwapDefaultsToTwiceMemory) {
  Limits l;
  l.memory_bytes = 512 * k_mib;
  ResolvedLimits r = resolve_limits(l);
  EXPECT_EQ(r.memory, 512 * k_mib);
  EXPECT_EQ(r.memory_swap, 1024 * k_mib);
  EXPECT_FALSE(r.swap_given);
  l.memory_swap_bytes = -1;
  r = resolve_limits(l);
  EXPECT_EQ(r.memory_swap, -1);
  EXPECT_TRUE(r.swap_given);
  // Swap alone (only -1 passes validation) limits nothing.
  l.memory_bytes.reset();
  EXPECT_FALSE(resolve_limits(l).wants_memory());
}

TEST(ResolveLimits, NonPositiveMeansNoLimit) {
  Limits l;
  l.memory_bytes = 0;
  l.pids_max = -1;
  l.cpu_quota_us = 0;
  l.cpus = 0.0;
  EXPECT_TRUE(needed_controllers(resolve_limits(l)).empty());
}

TEST(V1Writes, OrderAndValues) {
  Limits l;
  l.memory_bytes = 32 * k_mib;
  l.memory_swap_bytes = 64 * k_mib;
  l.cpu_quota_us = 50000;
  l.cpu_period_us = 200000;
  l.pids_max = 20;
  ResolvedLimits r = resolve_limits(l);
  EXPECT_EQ(needed_controllers(r), (std::vector<std::string>{"cpu", "memory", "pids"}));
  EXPECT_EQ(render(v1_writes(r, true)),
            "memory:memory.limit_in_bytes=33554432\n"
            "memory:memory.memsw.limit_in_bytes=67108864\n"
            "cpu:cpu.cfs_period_us=200000\n"
            "cpu:cpu.cfs_quota_us=50000\n"
            "pids:pids.max=20\n");
  EXPECT_EQ(render(v1_writes(r, false)),
            "memory:memory.limit_in_bytes=33554432\n"
            "cpu:cpu.cfs_period_us=200000\n"
            "cpu:cpu.cfs_quota_us=50000\n"
            "pids:pids.max=20\n");
  l.memory_swap_bytes = -1;
  EXPECT_NE(render(v1_writes(resolve_limits(l), true)).find("memory.memsw.limit_in_bytes=-1\n"),
            std::string::npos);
}

TEST(V2Writes, SwapIsTheDifferenceAndCpuMaxHasBoth) {
  Limits l;
  l.memory_bytes = 512 * k_mib;
  l.memory_swap_bytes = 768 * k_mib;
  l.cpus = 0.5;
  l.pids_max = 20;
  EXPECT_EQ(render(v2_writes(resolve_limits(l), true)),
            "memory:memory.max=536870912\n"
            "memory:memory.swap.max=268435456\n"
            "cpu:cpu.max=50000 100000\n"
            "pids:pids.max=20\n");
  l.memory_swap_bytes = -1;
  l.cpus.reset();
  l.cpu_period_us = 50000;  // period alone: quota stays unlimited
  EXPECT_EQ(render(v2_writes(resolve_limits(l), true)),
            "memory:memory.max=536870912\n"
            "memory:memory.swap.max=max\n"
            "cpu:cpu.max=max 50000\n"
            "pids:pids.max=20\n");
  l.memory_swap_bytes.reset();  // docker's default: as much swap as memory
  l.cpu_period_us.reset();
  l.cpu_quota_us = 25000;
  l.pids_max.reset();
  EXPECT_EQ(render(v2_writes(resolve_limits(l), true)),
            "memory:memory.max=536870912\n"
            "memory:memory.swap.max=536870912\n"
            "cpu:cpu.max=25000 100000\n");
  EXPECT_EQ(render(v2_writes(resolve_limits(l), false)),
            "memory:memory.max=536870912\n"
            "cpu:cpu.max=25000 100000\n");
}

TEST(KeyedValue, FlatKeyedFiles) {
  const char* events = "low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\noom_group_kill 0\n";
  EXPECT_EQ(keyed_value(events, "oom_kill"), 2u);
  EXPECT_EQ(keyed_value(events, "oom"), 3u);  // not confused with oom_kill
  EXPECT_EQ(keyed_value(events, "max"), 12u);
  EXPECT_EQ(keyed_value(events, "missing"), std::nullopt);
  EXPECT_EQ(keyed_value("oom_kill_disable 0\nunder_oom 1\n", "under_oom"), 1u);
  EXPECT_EQ(keyed_value("max x\n", "max"), std::nullopt);
  EXPECT_EQ(keyed_value("max 5", "max"), 5u);  // no final newline
  EXPECT_EQ(keyed_value("", "max"), std::nullopt);
}

}  // namespace
}  // namespace exec::cgroup
