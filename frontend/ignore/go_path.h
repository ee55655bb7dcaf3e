#pragma once
// The pieces of Go's standard library whose exact behaviour leaks into
// .dockerignore results: filepath.Clean, filepath.Match (Unix flavour, Go 1.16
// and later, which reports a malformed pattern even when the name does not
// match), strings.TrimSpace and the UTF-8 decoding rule (an invalid byte is
// U+FFFD of width 1). Pure functions; thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"

namespace frontend::ignore {

inline constexpr char32_t k_rune_error = 0xFFFD;
inline constexpr char32_t k_max_rune = 0x10FFFF;

struct Rune {
  char32_t value = 0;
  size_t width = 0;  // bytes consumed; 0 only at the end of the input
};

// Decodes the code point starting at `pos`. Overlong forms, surrogates,
// values past U+10FFFF and truncated sequences give {U+FFFD, 1}.
Rune decode_rune(std::string_view s, size_t pos);

// Decodes the code point that ends at `end` (exclusive), walking back at most
// four bytes, with the same invalid-byte rule.
Rune decode_last_rune(std::string_view s, size_t end);

// Appends the UTF-8 form of a valid code point.
void append_utf8(std::string& out, char32_t c);

// Go's unicode.IsSpace: ASCII blanks, U+0085, U+00A0 and the Unicode
// White_Space code points.
bool is_go_space(char32_t r);

// strings.TrimSpace.
std::string_view trim_go_space(std::string_view s);

// filepath.Clean on a Unix system: the shortest equivalent path by purely
// lexical processing ("" → ".", "a//b/./c/.." → "a/b", "/../a" → "/a").
std::string clean_path(std::string_view path);

// filepath.Match on a Unix system. The error (a malformed pattern) is
// "syntax error in pattern", the text of Go's ErrBadPattern.
base::Result<bool> match_path(std::string_view pattern, std::string_view name);

}  // namespace frontend::ignore
