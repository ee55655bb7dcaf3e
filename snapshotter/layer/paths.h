#pragma once
// Tar entry names, decided without touching the filesystem: cleaning a name
// from an untrusted layer and splitting it into parent and base name.

#include <string>
#include <string_view>

#include "base/result.h"

namespace snapshotter::layer {

inline constexpr std::string_view k_whiteout_prefix = ".wh.";
inline constexpr std::string_view k_whiteout_meta_prefix = ".wh..wh.";
inline constexpr std::string_view k_opaque_marker = ".wh..wh..opq";

// Cleans an entry name: drops "./", empty and "." components and a trailing
// "/", and resolves ".." lexically. Returns "" for the root itself. An absolute
// name or one whose ".." climbs above the root is an error naming the entry:
// `entry "../etc" escapes root`. `what` names the field ("entry", "link target").
base::Result<std::string> clean_entry_name(std::string_view name, std::string_view what = "entry");

// "a/b/c" → {"a/b", "c"}; "c" → {"", "c"}. The name must be clean and non-empty.
struct SplitName {
  std::string parent;
  std::string base;
};
SplitName split_name(const std::string& clean);

// "a" + "b" → "a/b"; "" + "b" → "b".
std::string join_name(std::string_view parent, std::string_view base);

}  // namespace snapshotter::layer
