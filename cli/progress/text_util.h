#pragma once
// Text helpers shared by the progress displays: cleaning step output so it can
// never move the cursor or recolour the terminal, measuring and cutting text
// by terminal columns, and the time formats BuildKit's progress UI uses.
// All functions are pure.
#include <cstdint>
#include <string>
#include <string_view>

namespace cli::progress {

// What a terminal would leave visible of one line of program output: escape
// sequences (CSI, OSC, other ESC pairs) and control characters are removed, a
// trailing CR is dropped and only the text after the last remaining CR is kept
// (progress bars redraw a line with CR). Tabs become spaces up to the next
// multiple of 8 columns. Everything else, including UTF-8, is kept.
std::string clean_log_line(std::string_view raw);

// Like clean_log_line but for step names: only control characters and escape
// sequences go; tabs become single spaces (as BuildKit does).
std::string clean_name(std::string_view raw);

// Terminal columns `text` occupies: one per code point, two for East Asian wide
// characters and emoji, zero for combining marks. Invalid UTF-8 bytes count one.
int display_columns(std::string_view text);

// The longest prefix of `text` that fits in `columns`, never splitting a code
// point.
std::string_view truncate_columns(std::string_view text, int columns);

// Log line timestamps relative to the step's start, as BuildKit prints them:
// 3 decimals under 10s, 2 under 100s, else 1 ("0.532", "12.35", "123.4").
std::string format_log_offset(int64_t offset_ns);

// A duration with one decimal and an "s" ("1.2s"); negative counts as zero.
std::string format_duration(int64_t ns);

}  // namespace cli::progress
