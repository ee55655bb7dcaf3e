#pragma once
// The expander's UTF-8 and code point helpers: Go's rules, shared with the
// parser and the .dockerignore matcher through base/utf8.h. Those rules leak
// into Dockerfile results: an invalid byte decodes as U+FFFD of width 1, names
// may hold any Unicode letter or digit, and word splitting uses Unicode spaces.

#include <string>
#include <string_view>

#include "base/utf8.h"

namespace frontend::shell {

using base::append_utf8;
using base::decode_rune;
using base::is_digit;
using base::is_letter;
using base::is_print;
using base::k_byte_order_mark;
using base::k_replacement_char;
using base::sanitize_utf8;

// Word splitting's blanks: Go's unicode.IsSpace.
inline bool is_space(char32_t cp) { return base::is_go_space(cp); }

// `s` as the reference prints words inside error messages (Go's %q).
inline std::string quote(std::string_view s) { return base::go_quote(s); }

}  // namespace frontend::shell
