#pragma once
// Shell patterns of the ${v#p} ${v%p} ${v/p/r} modifiers: `*` (any run of
// characters), `?` (one character), `\*` `\?` `\\` (literal), everything else
// literal; no bracket expressions. As in the reference, `*` and `?` never match
// a newline, and `\}` / `\/` stand for `}` / `/`.
//
// Matching simulates the pattern's automaton over the value, one code point at
// a time, with the leftmost-first preference of a backtracking matcher but
// without backtracking: cost is O(len(value) * len(pattern)) and is charged to
// a WorkBudget, so no input makes it exponential. Pure; thread-safe.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace frontend::shell {

// Work left for one expansion, in steps (one copied byte or one automaton
// transition each). Shared by everything a word's expansion does.
class WorkBudget {
 public:
  explicit WorkBudget(uint64_t steps) : m_left(steps), m_limit(steps) {}
  // False once the budget is spent; the caller turns that into an error.
  [[nodiscard]] bool charge(uint64_t steps) {
    if (steps > m_left) {
      m_left = 0;
      return false;
    }
    m_left -= steps;
    return true;
  }
  uint64_t limit() const { return m_limit; }

 private:
  uint64_t m_left;
  uint64_t m_limit;
};

// The error for a spent budget.
base::Error work_limit_error(const WorkBudget& budget);

// "64 MiB", "512 KiB" or "100 bytes": a size limit for messages.
std::string size_text(size_t bytes);

class Pattern {
 public:
  enum class Star { shortest, longest };

  // Fails with "invalid escape '\x'" for a backslash before anything but
  // `*`, `?`, `\`, `}` or `/`.
  static base::Result<Pattern> compile(std::string_view text, Star star);

  // The first match, as byte offsets [first, second) into `s`, searching from
  // `from`; `anchored` only accepts a match starting at offset 0.
  base::Result<std::optional<std::pair<size_t, size_t>>> find(std::string_view s, size_t from,
                                                             bool anchored,
                                                             WorkBudget& budget) const;

 private:
  enum class Op : uint8_t { rune, any, split, match };
  struct Inst {
    Op op;
    char32_t rune;   // for Op::rune
    uint32_t out;    // next instruction (preferred branch of a split)
    uint32_t other;  // the other branch of a split
  };
  std::vector<Inst> m_prog;
};

// ${v#p} / ${v##p}: `value` without the shortest / longest prefix matching
// `pattern`.
base::Result<std::string> trim_prefix(std::string_view pattern, std::string_view value,
                                      bool longest, WorkBudget& budget);
// ${v%p} / ${v%%p}: the same for a suffix.
base::Result<std::string> trim_suffix(std::string_view pattern, std::string_view value,
                                      bool longest, WorkBudget& budget);
// ${v/p/r} / ${v//p/r}. With `all`, `$0` and `${0}` in `replacement` stand for
// the matched text and `$$` for `$` (the reference's regexp template rules).
// Fails if the result would be larger than `max_size` bytes.
base::Result<std::string> replace(std::string_view value, std::string_view pattern,
                                  std::string_view replacement, bool all, size_t max_size,
                                  WorkBudget& budget);

}  // namespace frontend::shell
