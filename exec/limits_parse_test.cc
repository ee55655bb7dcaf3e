#include "exec/limits_parse.h"

#include <gtest/gtest.h>

#include <limits>

namespace exec {
namespace {

constexpr int64_t k_kib = 1024;
constexpr int64_t k_mib = 1024 * k_kib;
constexpr int64_t k_gib = 1024 * k_mib;

int64_t mem(const char* s) {
  auto r = parse_memory_bytes("--memory", s);
  EXPECT_TRUE(r.ok()) << s << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : -2;
}

std::string mem_error(const char* s) {
  auto r = parse_memory_bytes("--memory", s);
  EXPECT_FALSE(r.ok()) << s << " parsed as " << (r.ok() ? *r : 0);
  return r.ok() ? "" : r.error().message;
}

// The cases of docker/go-units' TestRAMInBytes, plus what its regex implies.
TEST(ParseMemoryBytes, AcceptsDockerSizes) {
  EXPECT_EQ(mem("32"), 32);
  EXPECT_EQ(mem("32b"), 32);
  EXPECT_EQ(mem("32B"), 32);
  EXPECT_EQ(mem("32k"), 32 * k_kib);
  EXPECT_EQ(mem("32K"), 32 * k_kib);
  EXPECT_EQ(mem("32kb"), 32 * k_kib);
  EXPECT_EQ(mem("32Kb"), 32 * k_kib);
  EXPECT_EQ(mem("32Kib"), 32 * k_kib);
  EXPECT_EQ(mem("32KIB"), 32 * k_kib);
  EXPECT_EQ(mem("32Mb"), 32 * k_mib);
  EXPECT_EQ(mem("512m"), 512 * k_mib);
  EXPECT_EQ(mem("32Gb"), 32 * k_gib);
  EXPECT_EQ(mem("1g"), k_gib);
  EXPECT_EQ(mem("32Tb"), 32 * 1024 * k_gib);
  EXPECT_EQ(mem("32PB"), 32 * 1024 * 1024 * k_gib);
  EXPECT_EQ(mem("32 mb"), 32 * k_mib);  // one space before the unit
  EXPECT_EQ(mem("1.5GiB"), 3 * k_gib / 2);
  EXPECT_EQ(mem("32.3"), 32);             // fractions of a byte are truncated
  EXPECT_EQ(mem("0.3 K"), 307);           // 0.3 × 1024 = 307.2
  EXPECT_EQ(mem("1i"), 1);                // [kmgtp]? i? b? all optional
  EXPECT_EQ(mem("0"), 0);
}

TEST(ParseMemoryBytes, RejectsWhatDockerRejects) {
  for (const char* bad : {"", "hello", "-32", " 32 ", "32m b", "32bm", "--1", "32.", ".3",
                          "1.2.3", "32  mb", "32 ", "32e3", "1x", "1gg"}) {
    if (std::string_view(bad) == "32 ") continue;  // accepted: see below
    mem_error(bad);
  }
  EXPECT_EQ(mem("32 "), 32);  // the regex's optional space with no unit after it
}

TEST(ParseMemoryBytes, ErrorNamesFlagAndValue) {
  auto r = parse_memory_bytes("--memory", "12x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "invalid value \"12x\" for --memory: invalid size");
  EXPECT_NE(r.error().hint.find("512m"), std::string::npos);
  EXPECT_NE(mem_error("9000000p").find("too large"), std::string::npos);
}

TEST(ParseMemorySwap, MinusOneIsUnlimited) {
  EXPECT_EQ(*parse_memory_swap("--memory-swap", "-1"), -1);
  EXPECT_EQ(*parse_memory_swap("--memory-swap", "1g"), k_gib);
  auto r = parse_memory_swap("--memory-swap", "-2");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "invalid value \"-2\" for --memory-swap: invalid size");
}

int64_t nano(const char* s) {
  auto r = parse_nano_cpus("--cpus", s);
  EXPECT_TRUE(r.ok()) << s << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : -2;
}

TEST(ParseNanoCpus, RationalNumbersAsDockerReadsThem) {
  EXPECT_EQ(nano("1"), 1'000'000'000);
  EXPECT_EQ(nano("1.5"), 1'500'000'000);
  EXPECT_EQ(nano(".25"), 250'000'000);
  EXPECT_EQ(nano("0.5"), 500'000'000);
  EXPECT_EQ(nano("2."), 2'000'000'000);
  EXPECT_EQ(nano("3/2"), 1'500'000'000);
  EXPECT_EQ(nano("2e-1"), 200'000'000);
  EXPECT_EQ(nano("1E2"), 100'000'000'000);
  EXPECT_EQ(nano("0.000000001"), 1);
  EXPECT_EQ(nano("+1"), 1'000'000'000);
  EXPECT_EQ(nano("-1"), -1'000'000'000);
  EXPECT_EQ(nano("0"), 0);
  EXPECT_EQ(nano("1.50000000000"), 1'500'000'000);  // trailing zeros are not precision
}

TEST(ParseNanoCpus, Errors) {
  auto precise = parse_nano_cpus("--cpus", "0.0000000001");
  ASSERT_FALSE(precise.ok());
  EXPECT_EQ(precise.error().message,
            "invalid value \"0.0000000001\" for --cpus: value is too precise");
  EXPECT_FALSE(parse_nano_cpus("--cpus", "1/3").ok());
  for (const char* bad : {"", "abc", "1.5x", ".", "1e", "1/0", "1/", "--1", "1 "}) {
    auto r = parse_nano_cpus("--cpus", bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().message,
                "invalid value \"" + std::string(bad) + "\" for --cpus: not a rational number");
    }
  }
  EXPECT_FALSE(parse_nano_cpus("--cpus", "1e30").ok());
}

TEST(ParseInt64, GoBaseZero) {
  EXPECT_EQ(*parse_int64("--pids-limit", "20"), 20);
  EXPECT_EQ(*parse_int64("--pids-limit", "-1"), -1);
  EXPECT_EQ(*parse_int64("--pids-limit", "+7"), 7);
  EXPECT_EQ(*parse_int64("--pids-limit", "0"), 0);
  EXPECT_EQ(*parse_int64("--pids-limit", "010"), 8);  // octal, as docker's flags read it
  EXPECT_EQ(*parse_int64("--pids-limit", "0x20"), 32);
  EXPECT_EQ(*parse_int64("--pids-limit", "0O17"), 15);
  EXPECT_EQ(*parse_int64("--pids-limit", "0b101"), 5);
  EXPECT_EQ(*parse_int64("--pids-limit", "-0x10"), -16);
  EXPECT_EQ(*parse_int64("--cpu-quota", "100_000"), 100000);
  EXPECT_EQ(*parse_int64("--cpu-quota", "0x_ff"), 255);
  EXPECT_EQ(*parse_int64("--cpu-quota", "-9223372036854775808"),
            std::numeric_limits<int64_t>::min());
  for (const char* bad : {"08", "_1", "1_", "1__0", "0x", "-", "1.5", "0x1g", " 1"})
    EXPECT_FALSE(parse_int64("--pids-limit", bad).ok()) << bad;
  EXPECT_EQ(parse_int64("--pids-limit", "9223372036854775808").error().message,
            "invalid value \"9223372036854775808\" for --pids-limit: value out of range");
  auto r = parse_int64("--cpu-quota", "5O000");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "invalid value \"5O000\" for --cpu-quota: not an integer");
  EXPECT_FALSE(parse_int64("--cpu-quota", "").ok());
  EXPECT_FALSE(parse_int64("--cpu-quota", "99999999999999999999").ok());
}

TEST(ParseUlimit, SoftAndHard) {
  auto u = parse_ulimit("nofile=1024:2048");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->name, "nofile");
  EXPECT_EQ(u->soft, 1024u);
  EXPECT_EQ(u->hard, 2048u);
  u = parse_ulimit("nofile=1024");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->soft, 1024u);
  EXPECT_EQ(u->hard, 1024u);  // hard defaults to soft
  constexpr uint64_t inf = std::numeric_limits<uint64_t>::max();
  u = parse_ulimit("core=-1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->soft, inf);
  EXPECT_EQ(u->hard, inf);
  u = parse_ulimit("stack=8192:infinity");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->soft, 8192u);
  EXPECT_EQ(u->hard, inf);
  for (const char* name : {"core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice",
                           "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"})
    EXPECT_TRUE(parse_ulimit(std::string(name) + "=1").ok()) << name;
}

TEST(ParseUlimit, Errors) {
  auto msg = [](const char* s) {
    auto r = parse_ulimit(s);
    EXPECT_FALSE(r.ok()) << s;
    return r.ok() ? std::string() : r.error().message;
  };
  EXPECT_EQ(msg("nofile"), "invalid value \"nofile\" for --ulimit: expected name=soft[:hard]");
  EXPECT_EQ(msg("as=1"), "invalid value \"as=1\" for --ulimit: unknown ulimit type \"as\"");
  EXPECT_EQ(msg("notreal=1"),
            "invalid value \"notreal=1\" for --ulimit: unknown ulimit type \"notreal\"");
  EXPECT_EQ(msg("nofile=1:2:3"),
            "invalid value \"nofile=1:2:3\" for --ulimit: too many values, expected soft[:hard]");
  EXPECT_EQ(msg("nofile=2048:1024"),
            "invalid value \"nofile=2048:1024\" for --ulimit: soft limit 2048 exceeds hard limit "
            "1024");
  EXPECT_EQ(msg("nofile=infinity:1024"),
            "invalid value \"nofile=infinity:1024\" for --ulimit: soft limit unlimited exceeds "
            "hard limit 1024");
  EXPECT_EQ(msg("nofile=abc"),
            "invalid value \"nofile=abc\" for --ulimit: \"abc\" is not an integer");
  EXPECT_FALSE(parse_ulimit("nofile=").ok());
  EXPECT_FALSE(parse_ulimit("nofile=-5").ok());
  EXPECT_FALSE(parse_ulimit("NOFILE=1").ok());  // names are case-sensitive, as in docker
}

TEST(ParseShmSize, ZeroIsTheDefault) {
  EXPECT_EQ(*parse_shm_size("128m"), 128u * 1024 * 1024);
  EXPECT_EQ(*parse_shm_size("0"), 64u * 1024 * 1024);
  auto r = parse_shm_size("big");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "invalid value \"big\" for --shm-size: invalid size");
}

TEST(ParseLimitFlags, AllFlags) {
  LimitFlags f;
  f.memory = "512m";
  f.memory_swap = "1g";
  f.pids_limit = "100";
  f.shm_size = "128m";
  f.ulimits = {"nofile=10:20", "nproc=5", "nofile=30:40"};
  f.cpus = "1.5";
  auto r = parse_limit_flags(f, 4);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->memory_bytes, 512 * k_mib);
  EXPECT_EQ(r->memory_swap_bytes, k_gib);
  EXPECT_EQ(r->pids_max, 100);
  EXPECT_EQ(r->shm_size, 128u * 1024 * 1024);
  ASSERT_TRUE(r->cpus.has_value());
  EXPECT_DOUBLE_EQ(*r->cpus, 1.5);
  ASSERT_EQ(r->ulimits.size(), 2u);  // the later nofile replaces the earlier
  EXPECT_EQ(r->ulimits[0].name, "nproc");
  EXPECT_EQ(r->ulimits[1].soft, 30u);
  EXPECT_TRUE(r->any_cgroup_limit());
}

TEST(ParseLimitFlags, ZeroAndNegativeMeanNoLimit) {
  LimitFlags f;
  f.memory = "0";
  f.memory_swap = "0";
  f.cpus = "0";
  f.cpu_quota = "-1";
  f.cpu_period = "0";
  f.pids_limit = "-1";
  auto r = parse_limit_flags(f, 2);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->any_cgroup_limit());
  EXPECT_FALSE(r->cpu_period_us.has_value());
}

std::string flags_error(const LimitFlags& f, unsigned cpus = 2) {
  auto r = parse_limit_flags(f, cpus);
  EXPECT_FALSE(r.ok());
  return r.ok() ? std::string() : r.error().message;
}

TEST(ParseLimitFlags, DockerValidation) {
  LimitFlags f;
  f.memory = "4m";
  EXPECT_EQ(flags_error(f),
            "invalid value \"4m\" for --memory: minimum memory limit allowed is 6 MiB");
  f = {};
  f.memory = "6m";
  EXPECT_TRUE(parse_limit_flags(f, 2).ok());

  f = {};
  f.memory_swap = "1g";
  EXPECT_EQ(flags_error(f), "invalid value \"1g\" for --memory-swap: --memory-swap needs --memory");
  f.memory_swap = "-1";  // unlimited swap without a memory limit is allowed, as in docker
  EXPECT_TRUE(parse_limit_flags(f, 2).ok());
  f.memory = "512m";
  f.memory_swap = "256m";
  EXPECT_EQ(flags_error(f),
            "invalid value \"256m\" for --memory-swap: must be at least --memory (512m)");
  f.memory_swap = "512m";  // equal: no swap at all
  EXPECT_TRUE(parse_limit_flags(f, 2).ok());

  f = {};
  f.cpus = "1";
  f.cpu_quota = "50000";
  EXPECT_EQ(flags_error(f), "conflicting options: --cpus and --cpu-quota cannot both be set");
  f.cpu_quota.reset();
  f.cpu_period = "50000";
  EXPECT_EQ(flags_error(f), "conflicting options: --cpus and --cpu-period cannot both be set");

  f = {};
  f.cpus = "3";
  EXPECT_EQ(flags_error(f, 2),
            "invalid value \"3\" for --cpus: range of CPUs is from 0.01 to 2.00, as there are "
            "only 2 CPUs available");
  f.cpus = "-0.5";
  EXPECT_NE(flags_error(f, 2).find("range of CPUs"), std::string::npos);

  f = {};
  f.cpu_period = "999";
  EXPECT_NE(flags_error(f).find("invalid value \"999\" for --cpu-period"), std::string::npos);
  f.cpu_period = "1000001";
  EXPECT_NE(flags_error(f).find("--cpu-period"), std::string::npos);
  f.cpu_period = "-5";
  EXPECT_EQ(flags_error(f), "invalid value \"-5\" for --cpu-period: must not be negative");
  f = {};
  f.cpu_quota = "999";
  EXPECT_NE(flags_error(f).find("invalid value \"999\" for --cpu-quota"), std::string::npos);
  f.cpu_quota = "1000";
  f.cpu_period = "1000";
  EXPECT_TRUE(parse_limit_flags(f, 2).ok());
}

TEST(ValidateLimits, WithoutTheOriginalText) {
  Limits l;
  l.memory_bytes = 1024;
  auto r = validate_limits(l, 2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "invalid value \"1024\" for --memory: minimum memory limit allowed is 6 MiB");
  l = {};
  l.cpus = 2.5;
  r = validate_limits(l, 2);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("\"2.5\" for --cpus"), std::string::npos);
}

}  // namespace
}  // namespace exec
