#pragma once
// POSIX path helpers with Go's path.Clean / path.Join semantics, which BuildKit
// uses for WORKDIR, COPY destinations and mount targets. Pure functions.

#include <string>
#include <string_view>

namespace frontend::lower {

// path.Clean: "" → ".", collapses "//", "/./" and "x/..", no trailing slash
// (except the root).
std::string clean_path(std::string_view p);

// path.Join(a, b) (empty elements ignored, result cleaned).
std::string join_path(std::string_view a, std::string_view b);

bool is_abs(std::string_view p);

// `p` resolved against `dir` ("/" when empty) and cleaned, keeping a trailing
// "/" or "/." of `p`: BuildKit's rule for COPY/ADD destinations, where the
// trailing slash means "into this directory". "" and "." mean "./".
std::string resolve_keep_slash(std::string_view dir, std::string_view p);

// Last element of `p` as path.Base does ("" → ".", "/" → "/").
std::string base_name(std::string_view p);

}  // namespace frontend::lower
