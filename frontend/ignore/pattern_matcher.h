#pragma once
// PatternMatcher: decides which build-context paths a list of .dockerignore
// patterns excludes, with exactly the rules of BuildKit (moby/patternmatcher as
// driven by tonistiigi/fsutil):
//
//  - each pattern is trimmed and filepath.Clean'ed; blank ones are dropped; a
//    leading '!' makes it an exception that re-includes what it matches;
//  - syntax is Go's filepath.Match ('*' and '?' never cross '/', classes
//    "[a-z]" and "[^a-z]", '\' escapes) plus "**" for any number of
//    directories. "[!x]" is NOT a negation: it matches '!' or 'x', as in Go;
//  - patterns are evaluated in order and the last one that matches decides;
//  - a path is excluded when it or one of its parent directories matches.
//
// Each pattern is translated the way BuildKit translates it (plain string
// comparison for literal, "dir/**" and "**/name" patterns, a Go regular
// expression otherwise). Go's regexp syntax is RE2's, so the expression is
// compiled once with RE2 (linear time, no backtracking) and matched as Go's
// MatchString would, invalid UTF-8 bytes reading as U+FFFD.
//
// Differences from BuildKit, both about invalid patterns: a pattern that Go's
// filepath.Match accepts but whose regular expression Go rejects (for example
// "[z-a]" or "[Local-Only]") fails create() here, while BuildKit fails later,
// on the first path it checks against it; and an expression too large for
// RE2's memory budget is an error (see docs/frontend-dockerignore.md).
//
// Immutable after create(); safe to share between threads.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
namespace re2 {
class RE2;
}

namespace frontend::ignore {

// Checks one pattern the way create() does (after trimming and cleaning).
// Blank patterns are valid.
base::Result<void> check_pattern(std::string_view pattern);

class PatternMatcher {
 public:
  // Per-pattern results for a directory, handed to its children while walking
  // a tree (patternmatcher's MatchInfo). Default-constructed: nothing known.
  struct ParentResults {
    std::vector<uint8_t> matched;  // empty, or one entry per pattern
  };

  struct Verdict {
    bool excluded = false;
    ParentResults for_children;  // pass to match_in_walk for entries below
  };

  static base::Result<PatternMatcher> create(std::vector<std::string> patterns);

  // Whether `path` (slash-separated, relative to the context root) is
  // excluded, counting matches on its parent directories: BuildKit's
  // MatchesOrParentMatches on the cleaned path. "." and "" are never excluded.
  bool excluded(std::string_view path) const;

  // Whether the patterns exclude `path` itself, without the parent rule
  // (MatchesExact). `path` is used as given.
  bool matches_exact(std::string_view path) const;

  // For the build-context walker, which visits a directory before its
  // entries and passes the directory's ParentResults down: the verdict
  // BuildKit's context transfer reaches for `path` (MatchesUsingParentResults).
  // `path` must be clean and relative. Given empty ParentResults it checks
  // parent directories itself.
  Verdict match_in_walk(std::string_view path, const ParentResults& parent) const;

  // For a directory that match_in_walk reported excluded: whether nothing
  // below it can be re-included, so the walker may skip it entirely. Same
  // conservative rule as BuildKit: skip unless some exception pattern could
  // name a path below `dir`; with wildcard exceptions (other than a trailing
  // "/*" or "/**") nothing is skipped.
  bool can_skip_excluded_dir(std::string_view dir) const;

  // Whether any pattern is an exception ("!...").
  bool has_exclusions() const { return m_has_exclusions; }

  struct PatternInfo {
    std::string cleaned;  // without the '!'
    bool exclusion = false;
  };
  std::vector<PatternInfo> patterns() const;

  // How each pattern is matched; for tests and `kiln debug`.
  enum class Kind { exact, prefix, suffix, regexp };
  struct Compiled {
    Kind kind = Kind::exact;
    std::string cleaned;
    bool exclusion = false;
    std::string regexp_source;  // Kind::regexp only
    // Kind::regexp only: the expression as translated, and the same with
    // "(/anything)?" allowed at the end, which matches a path when the
    // expression matches it or one of its parent directories (null when the
    // expression cannot be extended that way; parents are then checked one
    // by one).
    std::shared_ptr<const re2::RE2> regexp;
    std::shared_ptr<const re2::RE2> regexp_or_parent;
    // Kind::regexp only, when the pattern is simple enough to tell: literal
    // text every match (of the path or a parent) starts with and contains,
    // checked before running RE2. Empty: no check.
    std::string required_prefix;
    std::string required_text;
  };
  const std::vector<Compiled>& compiled() const { return m_patterns; }

 private:
  std::vector<Compiled> m_patterns;
  bool m_has_exclusions = false;
  bool m_only_prefix_exceptions = true;
};

// The translation of one cleaned pattern (without '!'): how it is matched and,
// for Kind::regexp, the Go regular expression. Exposed for tests.
struct Translation {
  PatternMatcher::Kind kind = PatternMatcher::Kind::exact;
  std::string regexp;
};
Translation translate_pattern(std::string_view cleaned);

}  // namespace frontend::ignore
