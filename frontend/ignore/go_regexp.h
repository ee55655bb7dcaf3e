#pragma once
// GoRegexp: the subset of Go's regexp syntax (RE2 with Go's "Perl" flags) that
// ignore patterns are translated into, compiled to a DFA so that matching is a
// single left-to-right pass with no backtracking.
//
// Why a regular expression engine at all: BuildKit translates every ignore
// pattern that contains a wildcard into a Go regular expression and matches
// paths with it. That translation leaks regular-expression meaning into
// patterns in a few places (a `^` in the middle never matches, `\d` is a
// digit, `[[:alpha:]]` is a POSIX class, `\Q` quotes the rest). Compiling the
// same expression with the same rules is the only way to agree on every input.
//
// Supported: literals, `.`, `[...]` classes (ranges, negation, escapes,
// `[:name:]`, `\d\s\w` and negations), groups `( )`, `|`, `* + ?` (and their
// non-greedy forms), `^ $ \A \z`, `\Q...\E`, octal/hex/control escapes.
// Not supported (compile error naming the construct): `\b \B` word boundaries,
// `\p \P` Unicode classes, `{n,m}` counted repetition, `(?flags)`.
//
// Matching follows Go's MatchString: the expression may match anywhere in the
// text (callers anchor with `^`), `.` does not match '\n', negated classes do,
// and invalid UTF-8 bytes read as U+FFFD.
//
// Immutable after compile(); safe to share between threads.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "frontend/ignore/go_regexp_syntax.h"

namespace frontend::ignore {

class GoRegexp {
 public:
  // How matching runs: a DFA built at compile time (falling back to the NFA
  // when it would be too large), or always the NFA (for cross-checks).
  enum class Engine { dfa, nfa };

  // Errors use Go's wording ("invalid character class range: `z-a`").
  static base::Result<GoRegexp> compile(std::string_view expr, Engine engine = Engine::dfa);

  enum class Prefixes { no, at_slashes };

  // Whether the expression matches `text` (Go's MatchString). With
  // Prefixes::at_slashes, also true if it matches text[0:i] for some i where
  // text[i] == '/': the parent-directory rule in one pass.
  bool matches(std::string_view text, Prefixes prefixes = Prefixes::no) const;

  // Number of DFA states built at compile time (0: the DFA was too large and
  // matching simulates the NFA instead). For tests.
  size_t dfa_states() const { return m_dfa_flags.size(); }

  struct Inst {
    enum class Op : uint8_t { rune_class, split, begin_text, end_text, match };
    Op op = Op::match;
    int out = -1;
    int out1 = -1;   // split only
    int cls = -1;    // rune_class only: index into m_classes
  };
  using Ranges = regexp_syntax::Ranges;

 private:
  using StateSet = std::vector<int>;  // sorted instruction ids

  // Reusable buffers for closures, so that building a DFA does not allocate
  // per step. Each thread of matching uses its own.
  struct Scratch {
    std::vector<uint32_t> mark;  // instruction -> generation last seen
    uint32_t generation = 0;
    std::vector<int> stack;
    std::vector<int> seeds;
  };
  void begin_visit(Scratch& s) const;
  StateSet closure(Scratch& s, bool at_begin) const;  // from s.seeds
  bool accepts_at_end(Scratch& s, const StateSet& set, bool at_begin) const;
  StateSet step(Scratch& s, const StateSet& set, int eq) const;
  int equivalence_class(char32_t r) const;
  void build_dfa();
  bool simulate(std::string_view text, Prefixes prefixes) const;
  bool passes_literal_filters(std::string_view text, Prefixes prefixes) const;

  // Literal text every match must start with (after a leading '^'), and the
  // ASCII classes of the last bytes of every match (before a final '$');
  // checked before running the DFA.
  struct AsciiSet {
    uint64_t bits[2] = {0, 0};
    bool has(unsigned char b) const { return b < 128 && ((bits[b >> 6] >> (b & 63)) & 1) != 0; }
  };
  std::string m_literal_prefix;
  std::vector<AsciiSet> m_tail;  // in text order
  bool tail_matches_before(std::string_view text, size_t end) const;

  std::vector<Inst> m_prog;
  std::vector<Ranges> m_classes;
  int m_start = 0;

  // Runes are grouped into classes that no instruction tells apart.
  std::vector<char32_t> m_cuts;  // first rune of each equivalence class
  uint16_t m_ascii_eq[128] = {};

  // DFA: m_dfa_next[state * m_eq_count + eq]; state 0 is the initial one.
  static constexpr uint8_t k_has_match = 1;
  static constexpr uint8_t k_accepts_at_end = 2;
  static constexpr uint8_t k_dead = 4;
  size_t m_eq_count = 0;
  std::vector<int32_t> m_dfa_next;
  std::vector<uint8_t> m_dfa_flags;
};

}  // namespace frontend::ignore
