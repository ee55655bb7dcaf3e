#pragma once
// Text helpers that reproduce the exact character classes BuildKit's Go
// parser uses, so that kiln splits and trims Dockerfile lines the same way:
// Go's unicode.IsSpace on decoded runes (base/utf8.h), the same test applied
// to single bytes (rune(b) in Go), and BuildKit's blank class.
// Pure functions, no state.

#include "base/utf8.h"

namespace frontend::parser {

using base::append_utf8;
using base::decode_rune;
using base::is_go_space;
using base::k_replacement_char;
using base::Rune;
using base::trim_go_space;
using base::trim_left_go_space;
using base::trim_right_go_space;

// unicode.IsSpace(rune(b)) for one byte: true for ASCII blanks and for the
// bytes 0x85 and 0xA0, which Go reads as U+0085 and U+00A0.
inline bool is_go_space_byte(unsigned char b) { return is_go_space(b); }
// BuildKit's reWhitespace class [\t\v\f\r ].
inline bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }

}  // namespace frontend::parser
