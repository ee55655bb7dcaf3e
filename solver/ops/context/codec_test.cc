// serialize_selection / parse_selection.

#include <gtest/gtest.h>

#include <cstdio>

#include "solver/ops/context/selection.h"

namespace solver::ops::context {
namespace {

using base::FileType;

Selection sample() {
  Selection s;
  SelectedEntry d;
  d.path = "src";
  d.type = FileType::directory;
  d.mode = 0755;
  s.entries.push_back(d);
  SelectedEntry f;
  f.path = "src/main.c";
  f.mode = 04755;
  f.size = 123456789012;
  f.content = base::Sha256::of("main");
  s.entries.push_back(f);
  SelectedEntry l;
  l.path = "src/odd\nname";
  l.type = FileType::symlink;
  l.mode = 0777;
  l.link_target = "../target with spaces";
  l.size = l.link_target.size();
  s.entries.push_back(l);
  SelectedEntry o;
  o.path = "src/pipe";
  o.type = FileType::other;
  o.mode = 0600;
  s.entries.push_back(o);
  s.digest = selection_digest(s.entries);
  return s;
}

TEST(SelectionCodec, RoundTrip) {
  Selection s = sample();
  auto parsed = parse_selection(serialize_selection(s));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, s);
}

TEST(SelectionCodec, EmptySelection) {
  Selection s;
  s.digest = selection_digest(s.entries);
  auto parsed = parse_selection(serialize_selection(s));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, s);
}

TEST(SelectionCodec, EveryTruncationIsAnError) {
  const std::string bytes = serialize_selection(sample());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(parse_selection(std::string_view(bytes).substr(0, n)).ok()) << n;
  }
  EXPECT_FALSE(parse_selection(bytes + "x").ok());
}

TEST(SelectionCodec, TamperingIsDetected) {
  const std::string bytes = serialize_selection(sample());
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string copy = bytes;
    copy[i] = static_cast<char>(copy[i] ^ 0x01);
    EXPECT_FALSE(parse_selection(copy).ok()) << i;
  }
}

TEST(SelectionCodec, TwentyThousandFilesStayCompact) {
  Selection s;
  for (int m = 0; m < 200; ++m) {
    char dir[64];
    std::snprintf(dir, sizeof dir, "src/module_%03d", m);
    SelectedEntry d;
    d.path = dir;
    d.type = FileType::directory;
    d.mode = 0755;
    s.entries.push_back(d);
    for (int f = 0; f < 100; ++f) {
      char name[128];
      std::snprintf(name, sizeof name, "%s/source_file_%05d.cc", dir, f);
      SelectedEntry e;
      e.path = name;
      e.mode = 0644;
      e.size = 15000;
      e.content = base::Sha256::of(name);
      s.entries.push_back(e);
    }
  }
  SelectedEntry root;
  root.path = "src";
  root.type = FileType::directory;
  root.mode = 0755;
  s.entries.insert(s.entries.begin(), root);
  s.digest = selection_digest(s.entries);
  const std::string bytes = serialize_selection(s);
  EXPECT_LT(bytes.size(), 1'000'000u);
  auto parsed = parse_selection(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->entries.size(), 20'201u);
  EXPECT_EQ(parsed->digest, s.digest);
}

TEST(SelectionCodec, RejectsOtherVersions) {
  std::string bytes = serialize_selection(sample());
  ASSERT_EQ(bytes[4], 2);
  // Version 1 records carry a digest of the older schema.
  bytes[4] = 1;
  auto parsed = parse_selection(bytes);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("version 1"), std::string::npos);
  bytes[4] = 3;
  parsed = parse_selection(bytes);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("version 3"), std::string::npos);
}

}  // namespace
}  // namespace solver::ops::context
