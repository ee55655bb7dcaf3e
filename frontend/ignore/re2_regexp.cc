#include "frontend/ignore/re2_regexp.h"

#include <re2/re2.h>

#include <utility>

#include "frontend/ignore/go_path.h"

namespace frontend::ignore {
namespace {

// RE2 compiles Go's syntax, with Go's defaults ('.' stops at '\n', '$' is the
// end of the text), except for "\C" (any byte), which Go rejects.
bool has_any_byte_escape(std::string_view re) {
  for (size_t i = 0; i + 1 < re.size(); ++i) {
    if (re[i] != '\\') continue;
    if (re[i + 1] == 'C') return true;
    ++i;
  }
  return false;
}

// RE2's memory budget covers the compiled program and the lazily built DFA.
// The default (8 MiB) keeps the DFA cache of ordinary patterns small; an
// expression too large for it is retried with a budget that fits a 64 KiB
// pattern of single-character wildcards (Go's own limit is higher still, but
// no ignore file comes near either).
constexpr int64_t k_large_regexp_max_mem = int64_t{64} << 20;

}  // namespace

base::Result<std::shared_ptr<const re2::RE2>> compile_go_regexp(const std::string& re) {
  if (has_any_byte_escape(re)) return base::make_error("invalid escape sequence: `\\C`");
  re2::RE2::Options options;
  options.set_log_errors(false);
  options.set_never_capture(true);
  auto compiled = std::make_shared<const re2::RE2>(re, options);
  if (compiled->error_code() == re2::RE2::ErrorPatternTooLarge) {
    options.set_max_mem(k_large_regexp_max_mem);
    compiled = std::make_shared<const re2::RE2>(re, options);
  }
  if (!compiled->ok()) {
    // Go's wording: "<what>: `<where>`".
    std::string message = compiled->error();
    const std::string& arg = compiled->error_arg();
    if (!arg.empty() && message.size() > arg.size() &&
        message.compare(message.size() - arg.size(), arg.size(), arg) == 0) {
      message.resize(message.size() - arg.size());
      message += "`" + arg + "`";
    }
    return base::make_error(std::move(message));
  }
  return std::shared_ptr<const re2::RE2>(std::move(compiled));
}

// The translation "^X$" as "^X(?:/(?s:.*))?$": it matches a path when "^X$"
// matches the path or a parent (a prefix ending before a '/'), in one search.
// Valid only while the final '$' is the one anchor at the end: "" (no such
// form) when the expression has "\z" (end of text, which a parent ends with
// but the path does not) or "\Q" (which would quote the '$' and the rest).
std::string with_parents(std::string_view re) {
  if (re.size() < 2 || re.front() != '^' || re.back() != '$') return "";
  for (size_t i = 0; i < re.size(); ++i) {
    if (re[i] != '\\') continue;
    if (i + 2 >= re.size()) return "";  // the final '$' is escaped
    if (re[i + 1] == 'z' || re[i + 1] == 'Q') return "";
    ++i;
  }
  std::string out(re.substr(0, re.size() - 1));
  out += "(?:/(?s:.*))?$";
  return out;
}

// Go's regexp reads each invalid UTF-8 byte as U+FFFD, where RE2 would match
// nothing; the text handed to RE2 spells those bytes as U+FFFD. Returns `s`
// itself when it is valid (the usual case), else the repaired copy in `storage`.
std::string_view text_for_regexp(std::string_view s, std::string& storage) {
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const Rune r = decode_rune(s, i);
    if (r.value == k_replacement_char && r.width == 1) break;
    i += r.width;
  }
  if (i == s.size()) return s;
  storage.assign(s.substr(0, i));
  while (i < s.size()) {
    const Rune r = decode_rune(s, i);
    if (r.value == k_replacement_char && r.width == 1) {
      append_utf8(storage, k_replacement_char);
    } else {
      storage.append(s.substr(i, r.width));
    }
    i += r.width;
  }
  return storage;
}

}  // namespace frontend::ignore
