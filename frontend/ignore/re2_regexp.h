#pragma once
// The RE2 side of PatternMatcher: compiling a translated pattern so that it
// means what it means to Go's regexp package, and handing paths to RE2 the way
// Go reads them. Internal to frontend/ignore; pure and thread-safe.

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace re2 {
class RE2;
}

namespace frontend::ignore {

// Compiles a Go regular expression with RE2. Errors use Go's wording
// ("invalid character class range: `z-a`"), and "\C", which RE2 accepts but
// Go does not, is one of them.
base::Result<std::shared_ptr<const re2::RE2>> compile_go_regexp(const std::string& re);

// The translation "^X$" extended to match parents too, or "" (see the .cc).
std::string with_parents(std::string_view re);

// `s` with each invalid UTF-8 byte spelled as U+FFFD, as Go's regexp reads
// it: `s` itself when valid, else the copy built in `storage`.
std::string_view text_for_regexp(std::string_view s, std::string& storage);

}  // namespace frontend::ignore
