#pragma once
// The pieces of Go's standard library whose exact behaviour leaks into
// .dockerignore results: filepath.Clean, filepath.Match (Unix flavour, Go 1.16
// and later, which reports a malformed pattern even when the name does not
// match), strings.TrimSpace and the UTF-8 decoding rule (an invalid byte is
// U+FFFD of width 1). Pure functions; thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

#include "base/path.h"
#include "base/result.h"
#include "base/utf8.h"

namespace frontend::ignore {

// Go's UTF-8 decoding, unicode.IsSpace, strings.TrimSpace and
// filepath.Clean (on Unix the same as path.Clean) are base's.
using base::append_utf8;
using base::clean_path;
using base::decode_last_rune;
using base::decode_rune;
using base::is_go_space;
using base::k_replacement_char;
using base::Rune;
using base::trim_go_space;

// filepath.Match on a Unix system. The error (a malformed pattern) is
// "syntax error in pattern", the text of Go's ErrBadPattern.
base::Result<bool> match_path(std::string_view pattern, std::string_view name);

}  // namespace frontend::ignore
