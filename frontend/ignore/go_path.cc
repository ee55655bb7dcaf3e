#include "frontend/ignore/go_path.h"

#include <optional>

namespace frontend::ignore {
namespace {

base::Error bad_pattern() { return base::make_error("syntax error in pattern"); }

struct Chunk {
  bool star = false;
  std::string_view chunk;
  std::string_view rest;
};

// Splits off the next run of non-star terms, after any leading stars.
Chunk scan_chunk(std::string_view pattern) {
  Chunk c;
  while (!pattern.empty() && pattern[0] == '*') {
    pattern.remove_prefix(1);
    c.star = true;
  }
  bool in_range = false;
  size_t i = 0;
  for (; i < pattern.size(); ++i) {
    const char ch = pattern[i];
    if (ch == '\\') {
      if (i + 1 < pattern.size()) ++i;  // a trailing '\' is reported by match_chunk
    } else if (ch == '[') {
      in_range = true;
    } else if (ch == ']') {
      in_range = false;
    } else if (ch == '*' && !in_range) {
      break;
    }
  }
  c.chunk = pattern.substr(0, i);
  c.rest = pattern.substr(i);
  return c;
}

// One (possibly escaped) character of a class; it must be followed by more
// pattern text since the class still needs its ']'.
base::Result<char32_t> class_char(std::string_view& chunk) {
  if (chunk.empty() || chunk[0] == '-' || chunk[0] == ']') return bad_pattern();
  if (chunk[0] == '\\') {
    chunk.remove_prefix(1);
    if (chunk.empty()) return bad_pattern();
  }
  Rune r = decode_rune(chunk, 0);
  const bool invalid = r.value == k_replacement_char && r.width == 1;
  chunk.remove_prefix(r.width);
  if (invalid || chunk.empty()) return bad_pattern();
  return r.value;
}

// Matches `chunk` (literals, classes and '?') against the start of `s`. On a
// match, returns the rest of `s`; on a mismatch, keeps checking the chunk's
// syntax and returns nullopt.
base::Result<std::optional<std::string_view>> match_chunk(std::string_view chunk,
                                                          std::string_view s) {
  bool failed = false;
  while (!chunk.empty()) {
    if (!failed && s.empty()) failed = true;
    if (chunk[0] == '[') {
      char32_t r = 0;
      if (!failed) {
        Rune d = decode_rune(s, 0);
        r = d.value;
        s.remove_prefix(d.width);
      }
      chunk.remove_prefix(1);
      bool negated = false;
      if (!chunk.empty() && chunk[0] == '^') {
        negated = true;
        chunk.remove_prefix(1);
      }
      bool matched = false;
      int ranges = 0;
      while (true) {
        if (!chunk.empty() && chunk[0] == ']' && ranges > 0) {
          chunk.remove_prefix(1);
          break;
        }
        TRY_ASSIGN(char32_t lo, class_char(chunk));
        char32_t hi = lo;
        if (chunk[0] == '-') {
          chunk.remove_prefix(1);
          TRY_ASSIGN(hi, class_char(chunk));
        }
        if (lo <= r && r <= hi) matched = true;
        ++ranges;
      }
      if (matched == negated) failed = true;
    } else if (chunk[0] == '?') {
      if (!failed) {
        if (s[0] == '/') failed = true;
        s.remove_prefix(decode_rune(s, 0).width);
      }
      chunk.remove_prefix(1);
    } else {
      if (chunk[0] == '\\') {
        chunk.remove_prefix(1);
        if (chunk.empty()) return bad_pattern();
      }
      if (!failed) {
        if (chunk[0] != s[0]) failed = true;
        s.remove_prefix(1);
      }
      chunk.remove_prefix(1);
    }
  }
  if (failed) return std::optional<std::string_view>{};
  return std::optional<std::string_view>{s};
}

}  // namespace

base::Result<bool> match_path(std::string_view pattern, std::string_view name) {
  while (!pattern.empty()) {
    Chunk c = scan_chunk(pattern);
    pattern = c.rest;
    if (c.star && c.chunk.empty()) {
      // A trailing star matches the rest of the name unless it crosses a '/'.
      return name.find('/') == std::string_view::npos;
    }
    TRY_ASSIGN(auto here, match_chunk(c.chunk, name));
    // The last chunk must consume the whole name; otherwise a star may still
    // find a later position.
    if (here && (here->empty() || !pattern.empty())) {
      name = *here;
      continue;
    }
    bool advanced = false;
    if (c.star) {
      for (size_t i = 0; i < name.size() && name[i] != '/'; ++i) {
        TRY_ASSIGN(auto later, match_chunk(c.chunk, name.substr(i + 1)));
        if (later) {
          if (pattern.empty() && !later->empty()) continue;
          name = *later;
          advanced = true;
          break;
        }
      }
    }
    if (advanced) continue;
    // No match; still report a syntax error anywhere in the rest.
    while (!pattern.empty()) {
      Chunk rest = scan_chunk(pattern);
      pattern = rest.rest;
      TRY(match_chunk(rest.chunk, ""));
    }
    return false;
  }
  return name.empty();
}

}  // namespace frontend::ignore
