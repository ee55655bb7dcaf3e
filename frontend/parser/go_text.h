#pragma once
// Text helpers that reproduce the exact character classes BuildKit's Go
// parser uses, so that kiln splits and trims Dockerfile lines the same way:
// Go's unicode.IsSpace on decoded runes, the same test applied to single
// bytes (rune(b) in Go), and utf8.DecodeRune's handling of invalid input.
// Pure functions, no state.

#include <cstddef>
#include <string>
#include <string_view>

namespace frontend::parser {

// One decoded UTF-8 character. Invalid or truncated input decodes as
// U+FFFD with width 1, as Go's utf8.DecodeRuneInString does.
struct Rune {
  char32_t value = 0;
  size_t width = 0;
};
inline constexpr char32_t k_replacement_char = 0xFFFD;

Rune decode_rune(std::string_view text, size_t pos);
void append_utf8(std::string& out, char32_t rune);

// Go's unicode.IsSpace.
bool is_go_space(char32_t rune);
// unicode.IsSpace(rune(b)) for one byte: true for ASCII blanks and for the
// bytes 0x85 and 0xA0, which Go reads as U+0085 and U+00A0.
bool is_go_space_byte(unsigned char b);
// BuildKit's reWhitespace class [\t\v\f\r ].
inline bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }

// strings.TrimLeftFunc / TrimRightFunc / TrimSpace with unicode.IsSpace.
std::string_view trim_left_space(std::string_view text);
std::string_view trim_right_space(std::string_view text);
inline std::string_view trim_space(std::string_view text) {
  return trim_right_space(trim_left_space(text));
}

}  // namespace frontend::parser
