#include "frontend/parser/go_text.h"

#include <gtest/gtest.h>

namespace frontend::parser {
namespace {

TEST(GoText, DecodesValidAndInvalidUtf8LikeGo) {
  EXPECT_EQ(decode_rune("a", 0).value, U'a');
  Rune e = decode_rune("\xC3\xA9", 0);
  EXPECT_EQ(e.value, 0xE9u);
  EXPECT_EQ(e.width, 2u);
  Rune bad = decode_rune("\xC3(", 0);
  EXPECT_EQ(bad.value, k_replacement_char);
  EXPECT_EQ(bad.width, 1u);
  EXPECT_EQ(decode_rune("\xED\xA0\x80", 0).width, 1u);  // surrogate
  EXPECT_EQ(decode_rune("\xF0\x9F\x90\xB3", 0).value, 0x1F433u);
}

TEST(GoText, SpaceClassesMatchGo) {
  EXPECT_TRUE(is_go_space(U' '));
  EXPECT_TRUE(is_go_space(U'\v'));
  EXPECT_TRUE(is_go_space(0xA0));
  EXPECT_TRUE(is_go_space(0x3000));
  EXPECT_FALSE(is_go_space(0x200B));  // zero-width space is not white space in Go
  EXPECT_TRUE(is_go_space_byte(0x85));
  EXPECT_TRUE(is_go_space_byte(0xA0));
  EXPECT_FALSE(is_go_space_byte(0xC2));
  EXPECT_TRUE(is_blank('\f'));
  EXPECT_FALSE(is_blank('\n'));
}

TEST(GoText, TrimsUnicodeSpaceOnBothSides) {
  EXPECT_EQ(trim_space(" \t\xC2\xA0x y\xE3\x80\x80 "), "x y");
  EXPECT_EQ(trim_space("\xC3"), "\xC3");  // an invalid byte is not trimmed
  EXPECT_EQ(trim_left_space("   "), "");
  EXPECT_EQ(trim_right_space("a\xC2\xA0"), "a");
}

TEST(GoText, AppendsUtf8) {
  std::string s;
  append_utf8(s, 0xE9);
  append_utf8(s, 0xD800);  // surrogate -> U+FFFD
  EXPECT_EQ(s, "\xC3\xA9\xEF\xBF\xBD");
}

}  // namespace
}  // namespace frontend::parser
