#include "frontend/ignore/go_path.h"

#include <optional>

namespace frontend::ignore {
namespace {

unsigned char byte_at(std::string_view s, size_t i) { return static_cast<unsigned char>(s[i]); }

bool is_continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

}  // namespace

Rune decode_rune(std::string_view s, size_t pos) {
  if (pos >= s.size()) return {k_rune_error, 0};
  const unsigned char b0 = byte_at(s, pos);
  if (b0 < 0x80) return {b0, 1};
  const Rune invalid{k_rune_error, 1};
  size_t need = 0;
  char32_t value = 0;
  char32_t min_value = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1, value = b0 & 0x1Fu, min_value = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2, value = b0 & 0x0Fu, min_value = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3, value = b0 & 0x07u, min_value = 0x10000;
  } else {
    return invalid;
  }
  if (pos + need >= s.size()) return invalid;  // truncated sequence
  for (size_t i = 1; i <= need; ++i) {
    const unsigned char b = byte_at(s, pos + i);
    if (!is_continuation(b)) return invalid;
    value = (value << 6) | (b & 0x3Fu);
  }
  if (value < min_value || value > k_max_rune || (value >= 0xD800 && value <= 0xDFFF)) {
    return invalid;
  }
  return {value, need + 1};
}

Rune decode_last_rune(std::string_view s, size_t end) {
  if (end == 0) return {k_rune_error, 0};
  // Find the start of the last sequence: at most 3 continuation bytes back.
  size_t start = end - 1;
  const size_t limit = end >= 4 ? end - 4 : 0;
  while (start > limit && is_continuation(byte_at(s, start))) --start;
  Rune r = decode_rune(s.substr(0, end), start);
  if (start + r.width != end) return {k_rune_error, 1};
  return r;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

bool is_go_space(char32_t r) {
  switch (r) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return r >= 0x2000 && r <= 0x200A;
  }
}

std::string_view trim_go_space(std::string_view s) {
  size_t begin = 0;
  while (begin < s.size()) {
    Rune r = decode_rune(s, begin);
    if (!is_go_space(r.value)) break;
    begin += r.width;
  }
  size_t end = s.size();
  while (end > begin) {
    Rune r = decode_last_rune(s, end);
    if (!is_go_space(r.value)) break;
    end -= r.width;
  }
  return s.substr(begin, end - begin);
}

std::string clean_path(std::string_view path) {
  if (path.empty()) return ".";
  const bool rooted = path[0] == '/';
  const size_t n = path.size();
  std::string out;
  out.reserve(n);
  size_t r = 0;
  size_t dotdot = 0;  // out[:dotdot] cannot be backtracked over
  if (rooted) {
    out.push_back('/');
    r = dotdot = 1;
  }
  while (r < n) {
    if (path[r] == '/') {
      ++r;  // empty element
    } else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
      ++r;  // "." element
    } else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/')) {
      r += 2;  // ".." element
      if (out.size() > dotdot) {
        size_t w = out.size() - 1;
        while (w > dotdot && out[w] != '/') --w;
        out.resize(w);
      } else if (!rooted) {
        if (!out.empty()) out.push_back('/');
        out += "..";
        dotdot = out.size();
      }
    } else {
      if ((rooted && out.size() != 1) || (!rooted && !out.empty())) out.push_back('/');
      for (; r < n && path[r] != '/'; ++r) out.push_back(path[r]);
    }
  }
  if (out.empty()) return ".";
  return out;
}

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
  const bool invalid = r.value == k_rune_error && r.width == 1;
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
