#include "frontend/ignore/go_path.h"

#include <gtest/gtest.h>

namespace frontend::ignore {
namespace {

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

}  // namespace
}  // namespace frontend::ignore
