#include "base/path.h"

#include <gtest/gtest.h>

namespace base {
namespace {

struct CleanCase {
  const char* in;
  const char* out;
};

// The cases Go documents for path.Clean.
TEST(CleanPath, MatchesGo) {
  const CleanCase cases[] = {
      {"abc", "abc"}, {"abc/def", "abc/def"}, {"a/b/c", "a/b/c"}, {".", "."}, {"..", ".."},
      {"../..", "../.."}, {"../../abc", "../../abc"}, {"/abc", "/abc"}, {"/", "/"}, {"", "."},
      {"abc/", "abc"}, {"abc/def/", "abc/def"}, {"a/b/c/", "a/b/c"}, {"./", "."}, {"../", ".."},
      {"../../", "../.."}, {"/abc/", "/abc"}, {"abc//def//ghi", "abc/def/ghi"}, {"//abc", "/abc"},
      {"///abc", "/abc"}, {"//abc//", "/abc"}, {"abc//", "abc"}, {"abc/./def", "abc/def"},
      {"/./abc/def", "/abc/def"}, {"abc/.", "abc"}, {"abc/def/ghi/../jkl", "abc/def/jkl"},
      {"abc/def/../ghi/../jkl", "abc/jkl"}, {"abc/def/..", "abc"}, {"abc/def/../..", "."},
      {"/abc/def/../..", "/"}, {"abc/def/../../..", ".."}, {"/abc/def/../../..", "/"},
      {"abc/def/../../../ghi/jkl/../../../mno", "../../mno"}, {"/../abc", "/abc"},
      {"abc/./../def", "def"}, {"abc//./../def", "def"}, {"abc/../../././../def", "../../def"},
      // '!' is an ordinary character to Clean.
      {"!a/../b", "b"}, {"!../a", "!../a"}, {"!a/", "!a"}, {"...", "..."}, {"a/.../b", "a/.../b"},
  };
  for (const auto& c : cases) EXPECT_EQ(clean_path(c.in), c.out) << "clean(\"" << c.in << "\")";
}

TEST(JoinPath, MatchesGo) {
  EXPECT_EQ(join_path("/w", "x/y"), "/w/x/y");
  EXPECT_EQ(join_path("/w", "/abs"), "/w/abs");
  EXPECT_EQ(join_path("/w", ""), "/w");
  EXPECT_EQ(join_path("", "a/"), "a");
  EXPECT_EQ(join_path("", ""), "");
  EXPECT_EQ(join_path("a", "../.."), "..");
  EXPECT_TRUE(is_abs_path("/a"));
  EXPECT_FALSE(is_abs_path("a/b"));
  EXPECT_FALSE(is_abs_path(""));
}

TEST(BaseName, MatchesGo) {
  EXPECT_EQ(base_name(""), ".");
  EXPECT_EQ(base_name("/"), "/");
  EXPECT_EQ(base_name("///"), "/");
  EXPECT_EQ(base_name("a/b/"), "b");
  EXPECT_EQ(base_name("/a/b.txt"), "b.txt");
  EXPECT_EQ(base_name("c"), "c");
}

TEST(SplitPath, DropsEmptyAndDotElements) {
  EXPECT_EQ(split_path("/a//./b/"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(split_path("../a"), (std::vector<std::string>{"..", "a"}));
  EXPECT_TRUE(split_path("").empty());
  EXPECT_TRUE(split_path("./.").empty());
  EXPECT_EQ(split_path("./a//./b/", DotElements::keep), (std::vector<std::string>{".", "a", ".", "b"}));
  EXPECT_EQ(join_elements({"a", "b", "c"}), "a/b/c");
  EXPECT_EQ(join_elements({}), "");
}

TEST(ResolveWithinRoot, StaysBelowTheRoot) {
  EXPECT_EQ(resolve_within_root("a/./b//c/"), "a/b/c");
  EXPECT_EQ(resolve_within_root("a/b/../c"), "a/c");
  EXPECT_EQ(resolve_within_root("a/.."), "");
  EXPECT_EQ(resolve_within_root("."), "");
  EXPECT_EQ(resolve_within_root(""), "");
  EXPECT_EQ(resolve_within_root("a/../../b"), std::nullopt);
  EXPECT_EQ(resolve_within_root(".."), std::nullopt);
}

}  // namespace
}  // namespace base
