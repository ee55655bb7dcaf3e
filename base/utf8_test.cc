#include "base/utf8.h"

#include <gtest/gtest.h>

namespace base {
namespace {

TEST(Utf8, DecodesValidSequences) {
  EXPECT_EQ(decode_rune("a", 0).value, U'a');
  EXPECT_EQ(decode_rune("é", 0).value, U'é');
  EXPECT_EQ(decode_rune("é", 0).width, 2u);
  EXPECT_EQ(decode_rune("한", 0).value, U'한');
  EXPECT_EQ(decode_rune("\U0001F600", 0).value, U'\U0001F600');
  EXPECT_EQ(decode_rune("\U0001F600", 0).width, 4u);
  EXPECT_EQ(decode_rune("x\xC3\xA9", 1).value, 0xE9u);
  EXPECT_EQ(decode_rune("", 0).width, 0u);
  EXPECT_EQ(decode_rune("a", 1).width, 0u);
}

TEST(Utf8, InvalidBytesAreOneReplacementEach) {
  // A lone byte, overlong, surrogate, past U+10FFFF, truncated, a stray
  // continuation byte and a five-byte form.
  for (const char* bad : {"\xff", "\xc0\x80", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                          "\xe2\x82", "\xc3(", "\x80", "\xf8\x88\x80\x80\x80"}) {
    const Rune r = decode_rune(bad, 0);
    EXPECT_EQ(r.value, k_replacement_char) << bad;
    EXPECT_EQ(r.width, 1u) << bad;
  }
  EXPECT_EQ(sanitize_utf8("a\xff" "b\xe2\x82"), "a\uFFFDb\uFFFD\uFFFD");
  EXPECT_EQ(sanitize_utf8("ok é"), "ok é");
}

TEST(Utf8, DecodesTheLastRune) {
  EXPECT_EQ(decode_last_rune("a\xC3\xA9", 3).value, 0xE9u);
  EXPECT_EQ(decode_last_rune("a\xC3\xA9", 3).width, 2u);
  EXPECT_EQ(decode_last_rune("a\xC3\xA9", 1).value, U'a');
  EXPECT_EQ(decode_last_rune("a\xA9", 2).value, k_replacement_char);
  EXPECT_EQ(decode_last_rune("a\xA9", 2).width, 1u);
  EXPECT_EQ(decode_last_rune("\xF0\x9F\x98\x80", 4).width, 4u);
  EXPECT_EQ(decode_last_rune("\x80\x80\x80\x80\x80", 5).width, 1u);
  EXPECT_EQ(decode_last_rune("", 0).width, 0u);
}

TEST(Utf8, AppendsAndReplacesInvalidCodePoints) {
  std::string s;
  append_utf8(s, U'a');
  append_utf8(s, 0xE9);
  append_utf8(s, 0x20AC);
  append_utf8(s, 0x1F600);
  EXPECT_EQ(s, "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  s.clear();
  append_utf8(s, 0xD800);    // surrogate
  append_utf8(s, 0x110000);  // past U+10FFFF
  EXPECT_EQ(s, "\uFFFD\uFFFD");
}

TEST(Utf8, GoSpaceAndTrim) {
  EXPECT_TRUE(is_go_space(U' '));
  EXPECT_TRUE(is_go_space(U'\v'));
  EXPECT_TRUE(is_go_space(0x85));
  EXPECT_TRUE(is_go_space(0xA0));
  EXPECT_TRUE(is_go_space(0x2009));
  EXPECT_TRUE(is_go_space(0x3000));
  EXPECT_FALSE(is_go_space(0x200B));  // zero-width space is not white space in Go
  EXPECT_FALSE(is_go_space(k_byte_order_mark));
  EXPECT_EQ(trim_go_space(" \t\xC2\xA0x y\xE3\x80\x80 "), "x y");
  EXPECT_EQ(trim_go_space("\u2003x\u0085"), "x");
  EXPECT_EQ(trim_go_space("\xEF\xBB\xBFx"), "\xEF\xBB\xBFx");  // a BOM is not a space
  EXPECT_EQ(trim_go_space("\xFF x \xFF"), "\xFF x \xFF");    // nor an invalid byte
  EXPECT_EQ(trim_go_space("\xC3"), "\xC3");
  EXPECT_EQ(trim_go_space(" \t "), "");
  EXPECT_EQ(trim_left_go_space("  a "), "a ");
  EXPECT_EQ(trim_right_go_space("  a\xC2\xA0"), "  a");
}

TEST(Utf8, Classes) {
  EXPECT_TRUE(is_letter(U'a'));
  EXPECT_TRUE(is_letter(U'ª'));
  EXPECT_TRUE(is_letter(U'한'));
  EXPECT_FALSE(is_letter(U'_'));
  EXPECT_FALSE(is_letter(U'1'));
  EXPECT_TRUE(is_digit(U'7'));
  EXPECT_TRUE(is_digit(U'٣'));
  EXPECT_FALSE(is_digit(U'²'));
  EXPECT_TRUE(is_print(U' '));
  EXPECT_FALSE(is_print(U'\u00a0'));
  EXPECT_FALSE(is_print(U'\u00ad'));
  EXPECT_FALSE(is_print(0x0378));  // unassigned
  EXPECT_TRUE(is_print(U'é'));
}

TEST(Utf8, QuoteLikeGo) {
  EXPECT_EQ(go_quote(""), "\"\"");
  EXPECT_EQ(go_quote("plain"), "\"plain\"");
  EXPECT_EQ(go_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(go_quote("\t\n\r\a\b\f\v"), "\"\\t\\n\\r\\a\\b\\f\\v\"");
  EXPECT_EQ(go_quote(std::string_view("\0\x1b\x7f", 3)), "\"\\x00\\x1b\\x7f\"");
  EXPECT_EQ(go_quote("\xff"), "\"\\xff\"");
  EXPECT_EQ(go_quote("é한"), "\"é한\"");
  EXPECT_EQ(go_quote("\xc2\x85"), "\"\\u0085\"");
  EXPECT_EQ(go_quote("\u00a0\u00ad\u2028"), "\"\\u00a0\\u00ad\\u2028\"");
  EXPECT_EQ(go_quote("\U000E0001"), "\"\\U000e0001\"");
}

}  // namespace
}  // namespace base
