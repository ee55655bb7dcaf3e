#pragma once
// BuildKit's per-instruction argument rules, applied to one logical line
// (continuations already joined): flag extraction and the keyword dispatch
// (ENV/LABEL pairs, ARG words, blank-split lists, exec-form JSON, single
// strings, HEALTHCHECK, ONBUILD); heredoc markers are in heredoc_markers.h.
// The line's structure (keyword, argument text, word lists, JSON arrays) comes from
// the ANTLR grammar through LineGrammar; the quirks of BuildKit's Go
// string loops are reproduced here by hand. Not thread-safe (it holds a
// LineGrammar); one per parse.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/utf8.h"
#include "frontend/parser/ast.h"
#include "frontend/parser/line_grammar.h"

namespace frontend::parser {

// A problem found in a logical line; `offset` is a byte offset into the
// line given to LineParser::parse.
struct LineError {
  std::string message;
  size_t offset = 0;
  std::string hint;
};

// ONBUILD may nest at parse level; deeper chains are refused so that hostile
// input cannot make parsing quadratic or exhaust the stack.
inline constexpr int k_max_onbuild_depth = 32;

class LineParser {
 public:
  explicit LineParser(char escape_token) : m_escape(escape_token) {}
  void set_escape_token(char escape_token) { m_escape = escape_token; }

  // Fills keyword, flags, args, json, original and sub of `node` from
  // `line`. Returns false and sets `error` when BuildKit's parser fails.
  bool parse(std::string_view line, ast::Node& node, LineError& error);

 private:
  bool parse_at(std::string_view line, int depth, ast::Node& node, LineError& error);
  bool dispatch(std::string_view keyword, std::string_view rest, int depth, ast::Node& node,
                LineError& error);
  bool parse_name_val(std::string_view rest, std::string_view key, ast::Node& node, LineError& error);
  bool parse_maybe_json(std::string_view rest, ast::Node& node, LineError& error);
  bool parse_maybe_json_to_list(std::string_view rest, ast::Node& node, LineError& error);
  // The JSON-array reading both share: true/false (an array that is not all
  // strings; `error` set, with `example` as the hint) when `rest` is an exec
  // form, nullopt when it is not JSON.
  std::optional<bool> parse_exec_form(std::string_view rest, ast::Node& node, LineError& error,
                                      const char* example);
  bool parse_health_config(std::string_view rest, ast::Node& node, LineError& error);
  size_t offset_of(std::string_view part) const {
    return static_cast<size_t>(part.data() - m_line_start);
  }

  char m_escape;
  LineGrammar m_grammar;
  const char* m_line_start = nullptr;
};

// BuildKit's extractBuilderFlags: leading "--" words become flags (quotes
// removed, the escape token escaping the next byte, "--" ending the flags).
// Returns the remaining text (not yet trimmed).
std::string_view extract_flags(std::string_view args, char escape, std::vector<std::string>& flags);

// BuildKit's parseWords: blank-separated words with quotes and escapes kept.
std::vector<std::string> parse_words(std::string_view rest, char escape);

// Go's %q for a string, used where BuildKit's messages quote a word.
using base::go_quote;

}  // namespace frontend::parser
