#include "cli/progress/text_util.h"

#include <gtest/gtest.h>

namespace cli::progress {
namespace {

TEST(ProgressTextCleanLogLine, RemovesColourAndCursorEscapes) {
  EXPECT_EQ(clean_log_line("\x1b[1;31merror\x1b[0m: bad"), "error: bad");
  EXPECT_EQ(clean_log_line("a\x1b[2Kb\x1b[1Ac"), "abc");
  EXPECT_EQ(clean_log_line("\x1b]0;window title\x07text"), "text");
  EXPECT_EQ(clean_log_line("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\"), "link");
  EXPECT_EQ(clean_log_line("\x1b(Bplain"), "plain");
}

TEST(ProgressTextCleanLogLine, KeepsWhatFollowsTheLastCarriageReturn) {
  EXPECT_EQ(clean_log_line("10%\r50%\r100%"), "100%");
  EXPECT_EQ(clean_log_line("windows line\r"), "windows line");
  EXPECT_EQ(clean_log_line("done\r\r"), "done");
}

TEST(ProgressTextCleanLogLine, DropsControlBytesAndC1Controls) {
  EXPECT_EQ(clean_log_line(std::string("a\x07" "b\x08" "c\x7f" "d")), "abcd");
  EXPECT_EQ(clean_log_line("x\xc2\x9b" "31my"), "x31my");
  EXPECT_EQ(clean_log_line("caf\xc3\xa9"), "caf\xc3\xa9");
}

TEST(ProgressTextCleanLogLine, ExpandsTabsToEightColumnStops) {
  EXPECT_EQ(clean_log_line("a\tb"), "a       b");
  EXPECT_EQ(clean_log_line("\tx"), "        x");
  EXPECT_EQ(clean_log_line("12345678\ty"), "12345678        y");
}

TEST(ProgressTextCleanName, TabsAndNewlinesBecomeSpaces) {
  EXPECT_EQ(clean_name("RUN\ta\nb\x1b[31m"), "RUN a b");
}

TEST(ProgressTextDisplayColumns, CountsCodePointsWideAndCombining) {
  EXPECT_EQ(display_columns("abc"), 3);
  EXPECT_EQ(display_columns("caf\xc3\xa9"), 4);
  EXPECT_EQ(display_columns("\xe6\x97\xa5\xe6\x9c\xac"), 4);  // two CJK ideographs
  EXPECT_EQ(display_columns("e\xcc\x81"), 1);                 // e + combining acute
  EXPECT_EQ(display_columns("\xff"), 1);
}

TEST(ProgressTextTruncateColumns, NeverSplitsACodePoint) {
  EXPECT_EQ(truncate_columns("abcdef", 3), "abc");
  EXPECT_EQ(truncate_columns("\xe6\x97\xa5\xe6\x9c\xac", 3), "\xe6\x97\xa5");
  EXPECT_EQ(truncate_columns("ab", 10), "ab");
  EXPECT_EQ(truncate_columns("ab", 0), "");
}

TEST(ProgressTextFormat, LogOffsetPrecisionFollowsMagnitude) {
  EXPECT_EQ(format_log_offset(532'000'000), "0.532");
  EXPECT_EQ(format_log_offset(12'345'000'000), "12.35");
  EXPECT_EQ(format_log_offset(123'440'000'000), "123.4");
  EXPECT_EQ(format_log_offset(-5), "0.000");
}

TEST(ProgressTextFormat, DurationHasOneDecimal) {
  EXPECT_EQ(format_duration(1'230'000'000), "1.2s");
  EXPECT_EQ(format_duration(0), "0.0s");
  EXPECT_EQ(format_duration(-1), "0.0s");
}

}  // namespace
}  // namespace cli::progress
