#pragma once
// The ANTLR-generated recognizer for one logical instruction line
// (frontend/grammar/*.g4), behind a small interface so that no other file
// sees ANTLR types. One LineGrammar is created per parse and reused for
// every line: the generated lexer and parser are reset between lines, which
// keeps the per-line cost to lexing plus a bail-out LL(1) parse.
// Not thread-safe; create one per thread. Never throws.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace frontend::parser {

class LineGrammar {
 public:
  LineGrammar();
  ~LineGrammar();
  LineGrammar(const LineGrammar&) = delete;
  LineGrammar& operator=(const LineGrammar&) = delete;

  struct Split {
    std::string_view keyword;    // first blank-free run
    std::string_view arguments;  // after the blanks that follow it; may be empty
  };
  // `line` must be non-empty and trimmed (no leading/trailing Go white space).
  Split split_instruction(std::string_view line);

  // `text` split on runs of [\t\v\f\r ]; text must be non-empty and trimmed.
  std::vector<std::string> split_words(std::string_view text);

  enum class ExecForm {
    not_json,    // not a JSON array: the caller falls back to shell form
    strings,     // a JSON array of strings, decoded into `out`
    non_string,  // a well-formed JSON array with a member that is not a string
  };
  // `text` is the trimmed argument text; it must be entirely one JSON array.
  ExecForm parse_exec_form(std::string_view text, std::vector<std::string>& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// Decodes the body of a JSON string token (without its quotes) as Go's
// encoding/json does: standard escapes, \u surrogate pairs (a lone
// surrogate becomes U+FFFD) and invalid UTF-8 replaced by U+FFFD.
std::string decode_json_string(std::string_view body);

}  // namespace frontend::parser
