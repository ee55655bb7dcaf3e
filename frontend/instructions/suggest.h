#pragma once
// "Did you mean ...?" suggestions for misspelt keywords, flags and options,
// with BuildKit's rule: the closest option at Levenshtein distance below 3.

#include <string>
#include <string_view>
#include <vector>

namespace frontend::instructions {

// The option closest to `value` (distance < 3), or "" when none is close or
// `value` is itself one of the options. Case-insensitive matching returns the
// option in the case style of `value` (all-lower → lower, all-upper → upper).
std::string suggest(std::string_view value, const std::vector<std::string_view>& options,
                    bool case_sensitive);

size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace frontend::instructions
