#include "frontend/instructions/go_parse.h"

#include <gtest/gtest.h>

#include "frontend/instructions/suggest.h"

namespace frontend::instructions {
namespace {

constexpr int64_t k_ms = 1000 * 1000;
constexpr int64_t k_s = 1000 * k_ms;

TEST(GoBool, AcceptsGoSpellings) {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) EXPECT_EQ(parse_go_bool(t), true) << t;
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) EXPECT_EQ(parse_go_bool(f), false) << f;
  for (const char* bad : {"", "yes", "tRUE", "2", " true"}) EXPECT_FALSE(parse_go_bool(bad)) << bad;
}

TEST(GoUint, OctalAndDecimalWithRange) {
  EXPECT_EQ(parse_go_uint("0755", 8, 32), 0755u);
  EXPECT_EQ(parse_go_uint("17777777777", 8, 32), 017777777777u);
  EXPECT_EQ(parse_go_uint("37777777777", 8, 32), 037777777777u);
  EXPECT_FALSE(parse_go_uint("40000000000", 8, 32));  // 2^32
  EXPECT_FALSE(parse_go_uint("0789", 8, 32));
  EXPECT_FALSE(parse_go_uint("0o755", 8, 32));
  EXPECT_EQ(parse_go_uint("4294967295", 10, 32), 4294967295u);
  EXPECT_FALSE(parse_go_uint("4294967296", 10, 32));
  EXPECT_FALSE(parse_go_uint("-1", 10, 32));
  EXPECT_FALSE(parse_go_uint("+1", 10, 32));
  EXPECT_FALSE(parse_go_uint("", 10, 32));
  EXPECT_FALSE(parse_go_uint("1_000", 10, 32));
}

TEST(GoInt, SignsRangeAndGoErrors) {
  EXPECT_EQ(*parse_go_int("3", 32), 3);
  EXPECT_EQ(*parse_go_int("-3", 32), -3);
  EXPECT_EQ(*parse_go_int("+7", 32), 7);
  EXPECT_EQ(*parse_go_int("2147483647", 32), 2147483647);
  EXPECT_EQ(*parse_go_int("-2147483648", 32), -2147483648LL);
  auto big = parse_go_int("2147483648", 32);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().message, "strconv.ParseInt: parsing \"2147483648\": value out of range");
  auto bad = parse_go_int("x", 32);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "strconv.ParseInt: parsing \"x\": invalid syntax");
  EXPECT_FALSE(parse_go_int("", 32).ok());
  EXPECT_FALSE(parse_go_int("-", 32).ok());
}

TEST(GoDuration, ParsesGoSyntax) {
  EXPECT_EQ(*parse_go_duration("0"), 0);
  EXPECT_EQ(*parse_go_duration("-0"), 0);
  EXPECT_EQ(*parse_go_duration("30s"), 30 * k_s);
  EXPECT_EQ(*parse_go_duration("1m30s"), 90 * k_s);
  EXPECT_EQ(*parse_go_duration("1h"), 3600 * k_s);
  EXPECT_EQ(*parse_go_duration("1.5s"), 1500 * k_ms);
  EXPECT_EQ(*parse_go_duration(".5s"), 500 * k_ms);
  EXPECT_EQ(*parse_go_duration("1.s"), 1 * k_s);
  EXPECT_EQ(*parse_go_duration("500ms"), 500 * k_ms);
  EXPECT_EQ(*parse_go_duration("10us"), 10000);
  EXPECT_EQ(*parse_go_duration("10\xC2\xB5s"), 10000);
  EXPECT_EQ(*parse_go_duration("10\xCE\xBCs"), 10000);
  EXPECT_EQ(*parse_go_duration("7ns"), 7);
  EXPECT_EQ(*parse_go_duration("-2s"), -2 * k_s);
  EXPECT_EQ(*parse_go_duration("+2s"), 2 * k_s);
  EXPECT_EQ(*parse_go_duration("2562047h47m16.854775807s"), INT64_MAX);
}

TEST(GoDuration, ErrorsReadLikeGo) {
  auto e = parse_go_duration("1");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message, "time: missing unit in duration \"1\"");
  e = parse_go_duration("1d");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message, "time: unknown unit \"d\" in duration \"1d\"");
  for (const char* bad : {"", "s", ".s", "abc", "-", "1s.", "3000000h"}) {
    e = parse_go_duration(bad);
    ASSERT_FALSE(e.ok()) << bad;
    EXPECT_EQ(e.error().message.rfind("time: ", 0), 0u) << bad;
  }
  EXPECT_EQ(parse_go_duration("abc").error().message, "time: invalid duration \"abc\"");
  EXPECT_FALSE(parse_go_duration("2562047h47m16.854775808s").ok());
}

TEST(RamInBytes, BinaryMultiples) {
  EXPECT_EQ(*parse_ram_in_bytes("1024"), 1024);
  EXPECT_EQ(*parse_ram_in_bytes("64m"), 64 * 1024 * 1024);
  EXPECT_EQ(*parse_ram_in_bytes("64M"), 64 * 1024 * 1024);
  EXPECT_EQ(*parse_ram_in_bytes("1k"), 1024);
  EXPECT_EQ(*parse_ram_in_bytes("1KiB"), 1024);
  EXPECT_EQ(*parse_ram_in_bytes("1kb"), 1024);
  EXPECT_EQ(*parse_ram_in_bytes("2 g"), 2LL * 1024 * 1024 * 1024);
  EXPECT_EQ(*parse_ram_in_bytes("1.5k"), 1536);
  EXPECT_EQ(*parse_ram_in_bytes("10b"), 10);
  for (const char* bad : {"", "m", "-1m", "1x", "1.2.3", "1mm", " 1m", "1m "}) {
    auto r = parse_ram_in_bytes(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().message, "invalid size: '" + std::string(bad) + "'");
  }
}

TEST(Suggest, ClosestUnderThree) {
  EXPECT_EQ(edit_distance("copy", "coppy"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(suggest("COPPY", {"COPY", "RUN"}, false), "COPY");
  EXPECT_EQ(suggest("coppy", {"COPY", "RUN"}, false), "copy");
  EXPECT_EQ(suggest("Coppy", {"COPY", "RUN"}, false), "copy");
  EXPECT_EQ(suggest("xyzzy", {"COPY", "RUN"}, false), "");
  EXPECT_EQ(suggest("copy", {"COPY"}, false), "");  // exact: nothing to suggest
  EXPECT_EQ(suggest("Copy", {"copy"}, true), "copy");
  EXPECT_EQ(suggest("chmode", {"chmod", "chown"}, true), "chmod");
}

}  // namespace
}  // namespace frontend::instructions
