#pragma once
// Docker's shell-word expansion ("environment replacement"): the `$v`,
// `${v}` and `${v<modifier>word}` forms, quotes and escapes in the Dockerfile
// instructions that expand variables (ENV, ARG, COPY, FROM, ...), behaving
// exactly as BuildKit's dockerfile frontend does. RUN/CMD/ENTRYPOINT text is
// never expanded here: the container's shell does that.
//
// A Lexer holds only settings; process_word() keeps its state on the stack,
// so one Lexer may be used from several threads at once. Values are never
// expanded again, and every expansion is bounded: nesting depth, result size
// and total work have limits (Limits below, docs/frontend-expansion.md) and
// exceeding one is an error, not a crash or a hang.
//
// Errors carry no position: the caller knows where the word came from and
// adds it. Messages look like BuildKit's, e.g.
//   failed to process "${v:?}": v: is not allowed to be unset

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace frontend::shell {

// Looks a variable up; nullopt when unset. Set-but-empty is "".
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

struct WordResult {
  std::string result;                  // expanded word, quotes removed
  std::vector<std::string> words;      // the same input split into words after expansion (ProcessWords semantics; empty words dropped)
  std::vector<std::string> matched;    // names referenced and set, sorted, unique
  std::vector<std::string> unmatched;  // names referenced but unset, sorted, unique
};

// Bounds on one process_word()/process_words() call; exceeding one is an
// error, never a crash or a hang.
struct Limits {
  // ${a:-${b:-...}} levels; each costs a few KiB of stack (about 10 KiB in
  // sanitizer builds), so this stays far below what a thread's stack holds.
  size_t max_nesting = 100;
  size_t max_result_bytes = 64u << 20;    // the result and any part of it
  uint64_t max_work_steps = 1u << 28;     // bytes copied and read + match steps
};

class Lexer {
 public:
  explicit Lexer(char escape_token = '\\');   // '\\' or '`'
  void set_raw_quotes(bool keep);      // keep quote characters in the result (BuildKit RawQuotes)
  void set_raw_escapes(bool keep);     // keep escape characters (BuildKit RawEscapes)
  // Quotes are ordinary characters (BuildKit SkipProcessQuotes; used for
  // heredoc bodies).
  void set_skip_process_quotes(bool skip);
  // Unset variables keep their reference text, `$v` / `${v:-w}`, instead of
  // expanding (BuildKit SkipUnsetEnv; `${v:?}` then does not fail either).
  void set_skip_unset_env(bool skip);
  // Replaces the default Limits (tests and fuzzing use smaller ones).
  void set_limits(const Limits& limits);
  base::Result<WordResult> process_word(std::string_view word, const EnvLookup& env) const;
  base::Result<std::vector<std::string>> process_words(std::string_view word, const EnvLookup& env) const;

  // What the constructor and setters choose.
  struct Settings {
    char escape = '\\';
    bool raw_quotes = false;
    bool raw_escapes = false;
    bool skip_process_quotes = false;
    bool skip_unset_env = false;
    Limits limits;
  };
 private:
  Settings m_settings;
};

// Convenience: an EnvLookup over "K=V" pairs (last one wins).
EnvLookup env_from_pairs(const std::vector<std::pair<std::string, std::string>>& pairs);

}  // namespace frontend::shell
