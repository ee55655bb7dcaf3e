#include "frontend/ignore/pattern_matcher.h"

#include <re2/re2.h>

#include <optional>
#include <utility>

#include "frontend/ignore/go_path.h"
#include "frontend/ignore/re2_regexp.h"

namespace frontend::ignore {
namespace {

constexpr char32_t k_bom = 0xFEFF;

// Characters that mean something to a regular expression but nothing to a
// file pattern; they are escaped in the translation.
bool is_regexp_only_meta(char32_t c) {
  switch (c) {
    case '.': case '+': case '(': case ')': case '|': case '{': case '}': case '$':
      return true;
    default:
      return false;
  }
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// One raw pattern as create() sees it: trimmed, cleaned, '!' split off.
struct Prepared {
  std::string cleaned;
  bool exclusion = false;
};

base::Result<std::optional<Prepared>> prepare(std::string_view raw) {
  std::string_view trimmed = trim_go_space(raw);
  if (trimmed.empty()) return std::optional<Prepared>{};
  Prepared p;
  p.cleaned = clean_path(trimmed);
  if (p.cleaned[0] == '!') {
    if (p.cleaned.size() == 1) return base::make_error("illegal exclusion pattern: \"!\"");
    p.exclusion = true;
    p.cleaned.erase(0, 1);
  }
  auto valid = match_path(p.cleaned, ".");
  if (!valid.ok()) {
    return base::make_error("syntax error in pattern " + quoted(p.cleaned));
  }
  return std::optional<Prepared>{std::move(p)};
}

// Fills required_prefix and required_text from the pattern's literal runs,
// for patterns whose every character means the same to filepath.Match and to
// the translated expression: printable ASCII literals, '*', '?', "**/" and
// plain classes. Anything else ('\\', '^' outside a class, "[:", non-ASCII
// bytes inside a class) leaves both empty. A run next to "**" is cut there,
// since "**/" may stand for nothing.
void find_required_text(PatternMatcher::Compiled& c) {
  std::string_view p = c.cleaned;
  std::vector<std::string_view> runs;
  bool leading = true;  // the current run starts the pattern
  size_t run_start = 0;
  std::string prefix;
  auto close_run = [&](size_t end) {
    if (end > run_start) {
      if (leading) prefix = std::string(p.substr(run_start, end - run_start));
      runs.push_back(p.substr(run_start, end - run_start));
    }
    leading = false;
  };
  for (size_t i = 0; i < p.size();) {
    const unsigned char ch = static_cast<unsigned char>(p[i]);
    if (ch == '\\' || ch == '^' || ch < 0x20 || ch == 0x7F) return;
    if (ch == '*' || ch == '?') {
      close_run(i);
      const bool double_star = ch == '*' && i + 1 < p.size() && p[i + 1] == '*';
      i += double_star ? 2 : 1;
      if (double_star && i < p.size() && p[i] == '/') ++i;
      run_start = i;
    } else if (ch == '[') {
      close_run(i);
      const size_t end = p.find(']', i + 1);
      if (end == std::string_view::npos) return;
      const std::string_view body = p.substr(i + 1, end - i - 1);
      if (body.find_first_of("[\\") != std::string_view::npos) return;
      for (char b : body) {
        if (static_cast<unsigned char>(b) >= 0x80) return;
      }
      i = end + 1;
      run_start = i;
    } else if (ch == ']') {
      return;
    } else if (ch >= 0x80) {
      close_run(i);
      ++i;
      run_start = i;
    } else {
      ++i;
    }
  }
  close_run(p.size());
  c.required_prefix = std::move(prefix);
  std::string_view longest;
  for (std::string_view r : runs) {
    if (r.size() > longest.size()) longest = r;
  }
  if (longest.size() > c.required_prefix.size()) c.required_text = std::string(longest);
}

base::Result<PatternMatcher::Compiled> compile_prepared(Prepared p) {
  PatternMatcher::Compiled c;
  Translation t = translate_pattern(p.cleaned);
  c.kind = t.kind;
  c.cleaned = std::move(p.cleaned);
  c.exclusion = p.exclusion;
  if (c.kind == PatternMatcher::Kind::regexp) {
    auto re = compile_go_regexp(t.regexp);
    if (!re.ok()) {
      base::Error e = std::move(re).error();
      e.message = "syntax error in pattern " + quoted(c.cleaned) + ": " + e.message;
      return e;
    }
    c.regexp = std::move(re).value();
    const std::string extended = with_parents(t.regexp);
    if (!extended.empty()) {
      auto or_parent = compile_go_regexp(extended);
      // The extension cannot break a valid expression; if RE2 still refuses
      // it (memory), parents are checked one by one.
      if (or_parent.ok()) c.regexp_or_parent = std::move(or_parent).value();
    }
    c.regexp_source = std::move(t.regexp);
    find_required_text(c);
  }
  return c;
}

// Both test a cheap byte before calling memcmp: most comparisons fail there.
bool starts_with(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  if (prefix.empty()) return true;
  return s[0] == prefix[0] && s.compare(0, prefix.size(), prefix) == 0;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  if (suffix.empty()) return true;
  return s.back() == suffix.back() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A pattern without a trailing "/**" and then without a trailing "/*".
std::string_view without_trailing_glob(std::string_view p) {
  if (ends_with(p, "/**")) p.remove_suffix(3);
  if (ends_with(p, "/*")) p.remove_suffix(2);
  return p;
}

// Whether clean_path(path) == path, answered without building it.
bool is_clean(std::string_view path) {
  const size_t n = path.size();
  if (n == 0) return false;
  if (n == 1) return true;  // ".", "/" and any single character
  if (path[n - 1] == '/') return false;
  size_t start = path[0] == '/' ? 1 : 0;
  bool leading_dotdot_ok = start == 0;  // only a relative path keeps leading ".."
  while (true) {
    size_t end = start;
    while (end < n && path[end] != '/') ++end;
    const size_t len = end - start;
    if (len == 0) return false;  // "//"
    if (len == 1 && path[start] == '.') return false;
    if (len == 2 && path[start] == '.' && path[start + 1] == '.') {
      if (!leading_dotdot_ok) return false;
    } else {
      leading_dotdot_ok = false;
    }
    if (end == n) return true;
    start = end + 1;
  }
}

// A path as the string comparisons see it and as RE2 sees it.
struct Subject {
  std::string_view raw;
  std::string_view text;  // text_for_regexp(raw)
};

// Subject{"/", "/"}: the extra parent of a root child.
constexpr Subject k_root{"/", "/"};

// The cheap necessary conditions of find_required_text, on the raw path
// (they hold only ASCII).
bool may_match(const PatternMatcher::Compiled& p, std::string_view raw) {
  if (!starts_with(raw, p.required_prefix)) return false;
  return p.required_text.empty() || raw.find(p.required_text) != std::string_view::npos;
}

bool match_one(const PatternMatcher::Compiled& p, Subject path) {
  switch (p.kind) {
    case PatternMatcher::Kind::exact:
      return path.raw == p.cleaned;
    case PatternMatcher::Kind::prefix:
      return starts_with(path.raw, std::string_view(p.cleaned).substr(0, p.cleaned.size() - 2));
    case PatternMatcher::Kind::suffix: {
      std::string_view suffix = std::string_view(p.cleaned).substr(2);
      if (ends_with(path.raw, suffix)) return true;
      // "**/foo" also matches "foo" itself.
      return suffix[0] == '/' && path.raw == suffix.substr(1);
    }
    case PatternMatcher::Kind::regexp:
      // Go's MatchString: a search; the expression carries its own anchors.
      return may_match(p, path.raw) && re2::RE2::PartialMatch(path.text, *p.regexp);
  }
  return false;
}

bool matches_self_or_parents(const PatternMatcher::Compiled& p, Subject path) {
  using Kind = PatternMatcher::Kind;
  // Parents are the prefixes ending just before each '/' (the reference
  // splits filepath.Dir(path)); for "/x" it also tries "/".
  const std::string_view raw = path.raw;
  const bool root_child = !raw.empty() && raw[0] == '/' && raw.find('/', 1) == std::string_view::npos;
  if (root_child && match_one(p, k_root)) return true;
  switch (p.kind) {
    case Kind::regexp:
      if (!may_match(p, raw)) return false;
      if (p.regexp_or_parent) return re2::RE2::PartialMatch(path.text, *p.regexp_or_parent);
      break;
    case Kind::exact:
      // The path itself or the parent that is exactly as long as the pattern.
      return starts_with(raw, p.cleaned) && (raw.size() == p.cleaned.size() || raw[p.cleaned.size()] == '/');
    case Kind::prefix:
      return match_one(p, path);  // a parent starting with the prefix implies the path does
    case Kind::suffix:
      break;
  }
  if (match_one(p, path)) return true;
  // Both spellings have their '/' at the same places relative to the
  // components, but not at the same offsets: cut each at its own.
  size_t j = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '/') continue;
    j = path.text.find('/', j);
    if (match_one(p, Subject{raw.substr(0, i), path.text.substr(0, j)})) return true;
    ++j;
  }
  return false;
}

}  // namespace

Translation translate_pattern(std::string_view cleaned) {
  using Kind = PatternMatcher::Kind;
  Translation t;
  std::string& re = t.regexp;
  re = "^";
  size_t pos = 0;
  auto peek = [&]() -> std::optional<char32_t> {
    if (pos >= cleaned.size()) return std::nullopt;
    return decode_rune(cleaned, pos).value;
  };
  auto next = [&]() {
    Rune r = decode_rune(cleaned, pos);
    pos += r.width;
    return r.value;
  };
  // The reference reads patterns with a text scanner, which drops a leading
  // byte order mark.
  if (peek() == k_bom) next();
  for (int i = 0; peek().has_value(); ++i) {
    const char32_t ch = next();
    if (ch == '*') {
      if (peek() == U'*') {
        next();
        if (peek() == U'/') next();  // "**/" reads as "**"
        if (!peek().has_value()) {
          // A trailing "**" matches everything below.
          if (t.kind == Kind::exact) {
            t.kind = Kind::prefix;
          } else {
            re += ".*";
            t.kind = Kind::regexp;
          }
        } else {
          re += "(.*/)?";  // any number of directories, including none
          t.kind = Kind::regexp;
        }
        if (i == 0) t.kind = Kind::suffix;
      } else {
        re += "[^/]*";
        t.kind = Kind::regexp;
      }
    } else if (ch == '?') {
      re += "[^/]";
      t.kind = Kind::regexp;
    } else if (is_regexp_only_meta(ch)) {
      re += '\\';
      append_utf8(re, ch);
    } else if (ch == '\\') {
      if (peek().has_value()) {
        re += '\\';
        append_utf8(re, next());
        t.kind = Kind::regexp;
      } else {
        re += '\\';
      }
    } else if (ch == '[' || ch == ']') {
      append_utf8(re, ch);
      t.kind = Kind::regexp;
    } else {
      append_utf8(re, ch);
    }
  }
  if (t.kind == Kind::regexp) {
    re += '$';
  } else {
    re.clear();
  }
  return t;
}

base::Result<void> check_pattern(std::string_view pattern) {
  TRY_ASSIGN(auto prepared, prepare(pattern));
  if (prepared) TRY(compile_prepared(std::move(*prepared)));
  return {};
}

base::Result<PatternMatcher> PatternMatcher::create(std::vector<std::string> patterns) {
  PatternMatcher pm;
  // The characters that make fsutil give up skipping excluded directories.
  constexpr std::string_view k_wildcards = "*[]?^\\";
  for (const std::string& raw : patterns) {
    TRY_ASSIGN(auto prepared, prepare(raw));
    if (!prepared) continue;
    TRY_ASSIGN(Compiled c, compile_prepared(std::move(*prepared)));
    if (c.exclusion) {
      pm.m_has_exclusions = true;
      if (without_trailing_glob(c.cleaned).find_first_of(k_wildcards) != std::string_view::npos) {
        pm.m_only_prefix_exceptions = false;
      }
    }
    pm.m_patterns.push_back(std::move(c));
  }
  return pm;
}

std::vector<PatternMatcher::PatternInfo> PatternMatcher::patterns() const {
  std::vector<PatternInfo> out;
  out.reserve(m_patterns.size());
  for (const Compiled& c : m_patterns) out.push_back({c.cleaned, c.exclusion});
  return out;
}

bool PatternMatcher::excluded(std::string_view path) const {
  // Most paths are clean already; only build a cleaned copy when needed.
  std::string storage;
  std::string_view cleaned = path;
  if (!is_clean(path)) {
    storage = clean_path(path);
    cleaned = storage;
  }
  if (cleaned == ".") return false;
  std::string repaired;
  const Subject subject{cleaned, text_for_regexp(cleaned, repaired)};
  bool matched = false;
  for (const Compiled& p : m_patterns) {
    // An include pattern cannot change an excluded path, nor an exception an
    // included one.
    if (p.exclusion != matched) continue;
    if (matches_self_or_parents(p, subject)) matched = !p.exclusion;
  }
  return matched;
}

bool PatternMatcher::matches_exact(std::string_view path) const {
  std::string repaired;
  const Subject subject{path, text_for_regexp(path, repaired)};
  bool matched = false;
  for (const Compiled& p : m_patterns) {
    if (p.exclusion != matched) continue;
    if (match_one(p, subject)) matched = !p.exclusion;
  }
  return matched;
}

PatternMatcher::Verdict PatternMatcher::match_in_walk(std::string_view path,
                                                      const ParentResults& parent) const {
  Verdict v;
  const bool known = !parent.matched.empty();
  if (known && parent.matched.size() != m_patterns.size()) {
    // Results from another matcher: a caller bug. Treat as unknown.
    return match_in_walk(path, ParentResults{});
  }
  v.for_children.matched.assign(m_patterns.size(), 0);
  std::string repaired;
  const Subject subject{path, text_for_regexp(path, repaired)};
  bool matched = false;
  for (size_t i = 0; i < m_patterns.size(); ++i) {
    const Compiled& p = m_patterns[i];
    // A pattern that matched the parent matches everything below it, and is
    // then applied whatever the current state.
    bool m = known && parent.matched[i] != 0;
    if (!m) {
      if (p.exclusion != matched) continue;
      m = known ? match_one(p, subject) : matches_self_or_parents(p, subject);
    }
    v.for_children.matched[i] = m ? 1 : 0;
    if (m) matched = !p.exclusion;
  }
  v.excluded = matched;
  return v;
}

bool PatternMatcher::can_skip_excluded_dir(std::string_view dir) const {
  if (!m_only_prefix_exceptions) return false;
  if (!m_has_exclusions) return true;
  const std::string dir_slash = std::string(dir) + "/";
  for (const Compiled& p : m_patterns) {
    if (!p.exclusion) continue;
    const std::string candidate = std::string(without_trailing_glob(p.cleaned)) + "/";
    if (starts_with(candidate, dir_slash)) return false;
  }
  return true;
}

}  // namespace frontend::ignore
