#include "base/strings.h"

#include <gtest/gtest.h>

namespace base {
namespace {

TEST(AsciiCase, ChangesOnlyAsciiLetters) {
  EXPECT_EQ(ascii_lower("FROM Alpine:3.19 AS Build"), "from alpine:3.19 as build");
  EXPECT_EQ(ascii_upper("copy --from=x"), "COPY --FROM=X");
  EXPECT_EQ(ascii_lower("\xC3\x89T\xC3\x89"), "\xC3\x89t\xC3\x89");  // "ÉTÉ": only the T changes
  EXPECT_EQ(ascii_upper("[@`{"), "[@`{");
  EXPECT_EQ(ascii_lower(""), "");
}

TEST(AsciiCase, EqualsIgnoringCase) {
  EXPECT_TRUE(ascii_iequals("ONBUILD", "onBuild"));
  EXPECT_TRUE(ascii_iequals("", ""));
  EXPECT_FALSE(ascii_iequals("as", "ass"));
  EXPECT_FALSE(ascii_iequals("a[", "A{"));
  EXPECT_FALSE(ascii_iequals("\xC3\xA9", "\xC3\x89"));
}

}  // namespace
}  // namespace base
