#include "frontend/shell/utf8.h"

#include <gtest/gtest.h>

namespace frontend::shell {
namespace {

TEST(ShellUtf8, DecodesValidSequences) {
  EXPECT_EQ(decode_at("a", 0).cp, U'a');
  EXPECT_EQ(decode_at("é", 0).cp, U'é');
  EXPECT_EQ(decode_at("é", 0).width, 2u);
  EXPECT_EQ(decode_at("한", 0).cp, U'한');
  EXPECT_EQ(decode_at("\U0001F600", 0).cp, U'\U0001F600');
  EXPECT_EQ(decode_at("\U0001F600", 0).width, 4u);
  EXPECT_EQ(decode_at("", 0).width, 0u);
}

TEST(ShellUtf8, InvalidBytesAreOneReplacementEach) {
  for (const char* bad : {"\xff", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82",
                          "\x80", "\xf8\x88\x80\x80\x80"}) {
    const Decoded d = decode_at(bad, 0);
    EXPECT_EQ(d.cp, k_replacement_char) << bad;
    EXPECT_EQ(d.width, 1u) << bad;
  }
  EXPECT_EQ(sanitize_utf8("a\xff" "b\xe2\x82"), "a\uFFFDb\uFFFD\uFFFD");
  EXPECT_EQ(sanitize_utf8("ok é"), "ok é");
}

TEST(ShellUtf8, Classes) {
  EXPECT_TRUE(is_letter(U'a'));
  EXPECT_TRUE(is_letter(U'ª'));
  EXPECT_TRUE(is_letter(U'한'));
  EXPECT_FALSE(is_letter(U'_'));
  EXPECT_FALSE(is_letter(U'1'));
  EXPECT_TRUE(is_digit(U'7'));
  EXPECT_TRUE(is_digit(U'٣'));
  EXPECT_FALSE(is_digit(U'²'));
  EXPECT_TRUE(is_space(U'\u00a0'));
  EXPECT_TRUE(is_space(U'\u2009'));
  EXPECT_FALSE(is_space(U'\u200b'));
  EXPECT_TRUE(is_print(U' '));
  EXPECT_FALSE(is_print(U'\u00a0'));
  EXPECT_FALSE(is_print(U'\u00ad'));
  EXPECT_TRUE(is_print(U'é'));
}

TEST(ShellUtf8, QuoteLikeGo) {
  EXPECT_EQ(quote("plain"), "\"plain\"");
  EXPECT_EQ(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(quote("\t\n\r\a\b\f\v"), "\"\\t\\n\\r\\a\\b\\f\\v\"");
  EXPECT_EQ(quote(std::string_view("\0\x1b\x7f", 3)), "\"\\x00\\x1b\\x7f\"");
  EXPECT_EQ(quote("\xff"), "\"\\xff\"");
  EXPECT_EQ(quote("é한"), "\"é한\"");
  EXPECT_EQ(quote("\u00a0\u00ad\u2028"), "\"\\u00a0\\u00ad\\u2028\"");
  EXPECT_EQ(quote("\U000E0001"), "\"\\U000e0001\"");
}

}  // namespace
}  // namespace frontend::shell
