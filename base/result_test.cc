#include "base/result.h"

#include <gtest/gtest.h>

namespace base {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return make_error("value " + std::to_string(v) + " is not positive");
  return v;
}

Result<int> doubled(int v) {
  TRY_ASSIGN(int x, parse_positive(v));
  return 2 * x;
}

Result<void> check(int v) {
  TRY(parse_positive(v));
  return {};
}

TEST(Result, PropagatesValuesAndErrors) {
  EXPECT_EQ(*doubled(4), 8);
  auto bad = doubled(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "value -1 is not positive");
  EXPECT_TRUE(check(1).ok());
  EXPECT_FALSE(check(0).ok());
}

TEST(Result, WithContextPrefixesMessage) {
  auto r = with_context(parse_positive(0), "reading limit");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "reading limit: value 0 is not positive");
}

TEST(Error, RendersPositionLineCaretAndHint) {
  Error e = make_error_at({"Dockerfile", 3, 1, "COPPY a b"}, "unknown instruction: COPPY",
                          "did you mean COPY?");
  EXPECT_EQ(e.render(),
            "Dockerfile:3:1: unknown instruction: COPPY\n"
            " 3 | COPPY a b\n"
            "   | ^\n"
            "hint: did you mean COPY?");
}

}  // namespace
}  // namespace base
