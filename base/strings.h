#pragma once
// ASCII case helpers. Dockerfile keywords, flag names and option values are
// compared the way BuildKit's Go code does with strings.ToLower/ToUpper on
// ASCII input; bytes >= 0x80 are left unchanged. Pure functions.

#include <string>
#include <string_view>

namespace base {

std::string ascii_lower(std::string_view s);
std::string ascii_upper(std::string_view s);

// `a` and `b` equal when ASCII letters are compared case-insensitively.
bool ascii_iequals(std::string_view a, std::string_view b);

}  // namespace base
