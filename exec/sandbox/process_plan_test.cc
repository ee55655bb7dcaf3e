#include "exec/sandbox/process_plan.h"

#include <gtest/gtest.h>

namespace exec::sandbox {
namespace {

TEST(Rlimits, DockerNamesMapToResources) {
  EXPECT_EQ(rlimit_resource("nofile"), RLIMIT_NOFILE);
  EXPECT_EQ(rlimit_resource("nproc"), RLIMIT_NPROC);
  EXPECT_EQ(rlimit_resource("core"), RLIMIT_CORE);
  EXPECT_EQ(rlimit_resource("memlock"), RLIMIT_MEMLOCK);
  EXPECT_EQ(rlimit_resource("stack"), RLIMIT_STACK);
  EXPECT_EQ(rlimit_resource("rttime"), RLIMIT_RTTIME);
  EXPECT_FALSE(rlimit_resource("NOFILE"));
  EXPECT_FALSE(rlimit_resource("files"));
}

TEST(Rlimits, PlanKeepsOrderAndMapsUnlimited) {
  Limits limits;
  limits.ulimits = {{"nofile", 1024, 2048}, {"core", ~0ull, ~0ull}};
  auto plan = plan_rlimits(limits);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  ASSERT_EQ(plan->size(), 2u);
  EXPECT_EQ((*plan)[0].resource, RLIMIT_NOFILE);
  EXPECT_EQ((*plan)[0].value.rlim_cur, 1024u);
  EXPECT_EQ((*plan)[0].value.rlim_max, 2048u);
  EXPECT_EQ((*plan)[1].value.rlim_cur, RLIM_INFINITY);
}

TEST(Rlimits, UnknownNameAndSoftAboveHardAreErrors) {
  Limits limits;
  limits.ulimits = {{"bogus", 1, 1}};
  auto plan = plan_rlimits(limits);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().message, "unknown ulimit \"bogus\"");
  limits.ulimits = {{"nofile", 10, 5}};
  plan = plan_rlimits(limits);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().message, "ulimit \"nofile\": soft limit 10 is above the hard limit 5");
}

TEST(ExecCandidates, SlashMeansTheNameItself) {
  EXPECT_EQ(exec_candidates("./run.sh", {"PATH=/bin"}), std::vector<std::string>{"./run.sh"});
  EXPECT_EQ(exec_candidates("/bin/sh", {}), std::vector<std::string>{"/bin/sh"});
}

TEST(ExecCandidates, FirstPathOfTheEnvironmentElseTheDefault) {
  EXPECT_EQ(exec_candidates("sh", {"HOME=/", "PATH=/opt/bin::/bin", "PATH=/nope"}),
            (std::vector<std::string>{"/opt/bin/sh", "./sh", "/bin/sh"}));
  auto fallback = exec_candidates("ls", {"HOME=/"});
  ASSERT_EQ(fallback.size(), 6u);
  EXPECT_EQ(fallback.front(), "/usr/local/sbin/ls");
  EXPECT_EQ(fallback.back(), "/bin/ls");
}

}  // namespace
}  // namespace exec::sandbox
