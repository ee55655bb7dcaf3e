#pragma once
// POSIX path helpers with Go's path.Clean / path.Join semantics, which BuildKit
// uses for WORKDIR, COPY destinations and mount targets. Pure functions.

#include <string>
#include <string_view>

#include "base/path.h"

namespace frontend::lower {

// path.Clean, path.Join(a, b), path.Base and the absolute test are base's.
using base::base_name;
using base::clean_path;
using base::is_abs_path;
using base::join_path;

// `p` resolved against `dir` ("/" when empty) and cleaned, keeping a trailing
// "/" or "/." of `p`: BuildKit's rule for COPY/ADD destinations, where the
// trailing slash means "into this directory". "" and "." mean "./".
std::string resolve_keep_slash(std::string_view dir, std::string_view p);

}  // namespace frontend::lower
