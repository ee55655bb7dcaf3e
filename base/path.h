#pragma once
// Slash-separated paths handled purely lexically, with the semantics of Go's
// path package (path.Clean, path.Join, path.Base), which BuildKit applies to
// WORKDIR, COPY destinations, mount targets and .dockerignore patterns; plus
// the confined form used for names inside a layer or an archive, where ".."
// must not climb above the root. Pure functions; thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace base {

// path.Clean: the shortest equivalent path ("" → ".", "a//b/./c/.." → "a/b",
// "/../a" → "/a", "a/../../b" → "../b"); no trailing slash except for "/".
std::string clean_path(std::string_view path);

// path.Join(a, b): empty elements are ignored, the result is cleaned, and
// two empty elements give "".
std::string join_path(std::string_view a, std::string_view b);

inline bool is_abs_path(std::string_view path) { return !path.empty() && path.front() == '/'; }

// path.Base: the last element ("" → ".", "/" → "/", "a/b/" → "b").
std::string base_name(std::string_view path);

// The elements of `path` without empty ones ("/a//./b/" → {a, b}, or
// {a, ., b} with DotElements::keep, for walkers that resolve "." themselves);
// ".." elements are kept.
enum class DotElements { drop, keep };
std::vector<std::string> split_path(std::string_view path, DotElements dots = DotElements::drop);

// Elements joined with "/" ({} → "", {a, b} → "a/b").
std::string join_elements(const std::vector<std::string>& elements);

// A relative path resolved lexically below a root: "", "." and empty elements
// are dropped and ".." removes the element before it. The root itself is "".
// nullopt when a ".." would climb above the root ("a/../../b").
std::optional<std::string> resolve_within_root(std::string_view path);

}  // namespace base
