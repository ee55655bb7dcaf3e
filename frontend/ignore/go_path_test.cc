#include "frontend/ignore/go_path.h"

#include <gtest/gtest.h>

namespace frontend::ignore {
namespace {

struct CleanCase {
  const char* in;
  const char* out;
};

// The cases Go documents for filepath.Clean on Unix.
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

struct MatchCase {
  const char* pattern;
  const char* name;
  bool match;
  bool bad;
};

// Go's filepath.Match table (Unix), including the malformed patterns that Go
// 1.16 and later report even when the name does not match.
TEST(MatchPath, MatchesGo) {
  const MatchCase cases[] = {
      {"abc", "abc", true, false},
      {"*", "abc", true, false},
      {"*c", "abc", true, false},
      {"a*", "a", true, false},
      {"a*", "abc", true, false},
      {"a*", "ab/c", false, false},
      {"a*/b", "abc/b", true, false},
      {"a*/b", "a/c/b", false, false},
      {"a*b*c*d*e*/f", "axbxcxdxe/f", true, false},
      {"a*b*c*d*e*/f", "axbxcxdxexxx/f", true, false},
      {"a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false, false},
      {"a*b*c*d*e*/f", "axbxcxdxexxx/fff", false, false},
      {"a*b?c*x", "abxbbxdbxebxczzx", true, false},
      {"a*b?c*x", "abxbbxdbxebxczzy", false, false},
      {"ab[c]", "abc", true, false},
      {"ab[b-d]", "abc", true, false},
      {"ab[e-g]", "abc", false, false},
      {"ab[^c]", "abc", false, false},
      {"ab[^b-d]", "abc", false, false},
      {"ab[^e-g]", "abc", true, false},
      {"a\\*b", "a*b", true, false},
      {"a\\*b", "ab", false, false},
      {"a?b", "a\u263Ab", true, false},
      {"a[^a]b", "a\u263Ab", true, false},
      {"a???b", "a\u263Ab", false, false},
      {"a[^a][^a][^a]b", "a\u263Ab", false, false},
      {"[a-\u03B6]*", "\u03B1", true, false},
      {"*[a-\u03B6]", "A", false, false},
      {"a?b", "a/b", false, false},
      {"a*b", "a/b", false, false},
      {"[\\]a]", "]", true, false},
      {"[\\-]", "-", true, false},
      {"[x\\-]", "x", true, false},
      {"[x\\-]", "-", true, false},
      {"[x\\-]", "z", false, false},
      {"[\\-x]", "x", true, false},
      {"[\\-x]", "-", true, false},
      {"[\\-x]", "a", false, false},
      {"[]a]", "]", false, true},
      {"[-]", "-", false, true},
      {"[x-]", "x", false, true},
      {"[x-]", "-", false, true},
      {"[x-]", "z", false, true},
      {"[-x]", "x", false, true},
      {"[-x]", "-", false, true},
      {"[-x]", "a", false, true},
      {"\\", "a", false, true},
      {"[a-b-c]", "a", false, true},
      {"[", "a", false, true},
      {"[^", "a", false, true},
      {"[^bc", "a", false, true},
      {"a[", "a", false, true},
      {"a[", "ab", false, true},
      {"a[", "x", false, true},
      {"a/b[", "x", false, true},
      {"*x", "xxx", true, false},
      // Not a negation in Go: '!' is a member like any other.
      {"[!a]", "!", true, false},
      {"[!a]", "b", false, false},
      // A reversed range is valid syntax that matches nothing.
      {"[z-a]", "m", false, false},
      {"*", "", true, false},
      {"", "", true, false},
      {"", "a", false, false},
  };
  for (const auto& c : cases) {
    auto r = match_path(c.pattern, c.name);
    SCOPED_TRACE(std::string("Match(") + c.pattern + ", " + c.name + ")");
    if (c.bad) {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().message, "syntax error in pattern");
    } else {
      ASSERT_TRUE(r.ok()) << r.error().message;
      EXPECT_EQ(*r, c.match);
    }
  }
}

TEST(TrimGoSpace, TrimsUnicodeSpaceOnly) {
  EXPECT_EQ(trim_go_space("  a b \t\r\n"), "a b");
  EXPECT_EQ(trim_go_space("\u00A0x\u3000"), "x");
  EXPECT_EQ(trim_go_space("\u2003x\u0085"), "x");
  EXPECT_EQ(trim_go_space("\xEF\xBB\xBFx"), "\xEF\xBB\xBFx");  // a BOM is not a space
  EXPECT_EQ(trim_go_space("\xFF x \xFF"), "\xFF x \xFF");    // nor an invalid byte
  EXPECT_EQ(trim_go_space(" \t "), "");
}

TEST(DecodeRune, InvalidBytesAreReplacementOfWidthOne) {
  EXPECT_EQ(decode_rune("\xC3\xA9", 0).value, 0xE9u);
  EXPECT_EQ(decode_rune("\xC3\xA9", 0).width, 2u);
  EXPECT_EQ(decode_rune("\xC3", 0).width, 1u);               // truncated
  EXPECT_EQ(decode_rune("\xC0\x80", 0).value, k_rune_error);  // overlong
  EXPECT_EQ(decode_rune("\xED\xA0\x80", 0).width, 1u);       // surrogate
  EXPECT_EQ(decode_rune("\xF4\x90\x80\x80", 0).width, 1u);   // past U+10FFFF
  EXPECT_EQ(decode_rune("\xF0\x9F\x98\x80", 0).value, 0x1F600u);
  EXPECT_EQ(decode_last_rune("a\xC3\xA9", 3).value, 0xE9u);
  EXPECT_EQ(decode_last_rune("a\xA9", 2).width, 1u);
}

}  // namespace
}  // namespace frontend::ignore
