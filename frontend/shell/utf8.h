#pragma once
// UTF-8 and code point helpers for the expander. They follow the rules of the
// reference implementation's runtime exactly, because those rules leak into
// Dockerfile results: an invalid byte decodes as U+FFFD of width 1, names may
// hold any Unicode letter or digit, and word splitting uses Unicode spaces.
// Pure functions; thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

namespace frontend::shell {

inline constexpr char32_t k_replacement_char = 0xFFFD;
inline constexpr char32_t k_byte_order_mark = 0xFEFF;

struct Decoded {
  char32_t cp;
  size_t width;  // bytes consumed; 0 only at the end of the input
};

// Decodes the code point at `pos`. Overlong forms, surrogates, values past
// U+10FFFF and truncated sequences give {U+FFFD, 1}. At the end: {U+FFFD, 0}.
Decoded decode_at(std::string_view s, size_t pos);

// Appends the UTF-8 form of `cp`; invalid code points append U+FFFD.
void append_utf8(std::string& out, char32_t cp);

// `s` with every invalid byte replaced by U+FFFD (what iterating code points
// and re-encoding them produces).
std::string sanitize_utf8(std::string_view s);

bool is_letter(char32_t cp);  // general category L
bool is_digit(char32_t cp);   // general category Nd
bool is_print(char32_t cp);   // L, M, N, P, S or ' '
bool is_space(char32_t cp);   // the White_Space code points

// `s` as a double-quoted literal with escapes for quotes, backslashes,
// control and unprintable characters and invalid bytes, as the reference
// prints words inside error messages.
std::string quote(std::string_view s);

}  // namespace frontend::shell
