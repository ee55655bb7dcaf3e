#include "frontend/instructions/suggest.h"

#include <algorithm>
#include <cctype>

#include "base/strings.h"

namespace frontend::instructions {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string suggest(std::string_view value, const std::vector<std::string_view>& options,
                    bool case_sensitive) {
  std::string val = case_sensitive ? std::string(value) : base::ascii_lower(value);
  std::string match;
  size_t best = 3;
  for (auto opt_view : options) {
    std::string opt = case_sensitive ? std::string(opt_view) : base::ascii_lower(opt_view);
    if (opt == val) return {};  // an exact option: the error is about something else
    size_t d = edit_distance(val, opt);
    if (d < best) {
      best = d;
      if (case_sensitive) {
        match = opt;
      } else if (value == base::ascii_lower(value)) {
        match = opt;
      } else if (value == base::ascii_upper(value)) {
        match = base::ascii_upper(opt);
      } else {
        match = opt;
      }
    }
  }
  return match;
}

}  // namespace frontend::instructions
