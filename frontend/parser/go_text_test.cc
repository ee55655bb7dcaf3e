#include "frontend/parser/go_text.h"

#include <gtest/gtest.h>

namespace frontend::parser {
namespace {

// Decoding, trimming and unicode.IsSpace itself are tested in base/utf8_test.cc.
TEST(GoText, ByteAndBlankClassesMatchGo) {
  EXPECT_TRUE(is_go_space_byte(' '));
  EXPECT_TRUE(is_go_space_byte(0x85));
  EXPECT_TRUE(is_go_space_byte(0xA0));
  EXPECT_FALSE(is_go_space_byte(0xC2));
  EXPECT_TRUE(is_blank('\f'));
  EXPECT_FALSE(is_blank('\n'));
}

}  // namespace
}  // namespace frontend::parser
