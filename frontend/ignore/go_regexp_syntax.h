#pragma once
// The syntax side of GoRegexp: parses the supported subset of Go's regular
// expressions (see go_regexp.h) into a tree whose leaves are rune classes,
// following Go's regexp/syntax parser with its "Perl" flags, including its
// error messages. Internal to frontend/ignore; pure and thread-safe.

#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace frontend::ignore::regexp_syntax {

using Ranges = std::vector<std::pair<char32_t, char32_t>>;  // sorted, disjoint

struct Node {
  enum class Kind { empty, cls, concat, alternate, star, plus, quest, begin_text, end_text };
  Kind kind = Kind::empty;
  int cls = -1;  // Kind::cls: index into the classes vector
  std::vector<Node> kids;
};

// Parses `expr`, appending the rune classes it uses to `classes`.
base::Result<Node> parse(std::string_view expr, std::vector<Ranges>& classes);

}  // namespace frontend::ignore::regexp_syntax
