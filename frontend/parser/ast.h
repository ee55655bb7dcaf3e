#pragma once
// The parser's output: a Dockerfile as BuildKit's parser sees it, before any
// variable expansion or instruction checking. This is the seam between the
// parser (frontend/parser) and the instruction stage (frontend/instructions);
// `kiln debug parse` prints it as JSON. Plain data, freely copyable.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace frontend::ast {

struct Directive {
  std::string name;   // lower-cased: "syntax", "escape", "check"
  std::string value;
  int line = 0;       // 1-based physical line
};

struct Warning {
  std::string short_text;  // e.g. "Empty continuation line found in: RUN a b"
  int line = 0;
};

struct Heredoc {
  std::string name;     // the delimiter word, quotes removed
  std::string content;  // body lines joined with "\n", ending in "\n" (tabs kept even with <<-)
  bool expand = true;   // false when the delimiter was quoted in any way
  bool chomp = false;   // true for <<- (leading tabs stripped at build time)
  int fd = 0;           // N in N<<EOF; 0 when absent
};

// One instruction. `args` follow BuildKit's per-keyword splitting rules
// (see docs/frontend.md): ENV/LABEL give [key, value, sep] triples, FROM and
// non-JSON COPY/ADD/VOLUME/EXPOSE give blank-split words, RUN/CMD/... give one
// string, JSON forms give the array members.
struct Node {
  std::string keyword;              // as written ("run", "RUN", "Copy")
  std::vector<std::string> flags;   // "--mount=type=cache,target=/x", quotes removed
  std::vector<std::string> args;
  bool json = false;                // args came from a JSON array
  std::vector<Heredoc> heredocs;
  int start_line = 0;               // 1-based, first physical line of the instruction
  int end_line = 0;                 // last physical line, including heredoc bodies
  int column = 1;                   // 1-based column of the keyword on start_line
  std::string original;             // logical line after joining continuations
  std::shared_ptr<const Node> sub;  // ONBUILD's trigger instruction; args are then []
};

struct Document {
  std::string file;                  // display name used in errors ("Dockerfile")
  char escape_token = '\\';
  std::vector<Directive> directives;
  std::vector<Warning> warnings;
  std::vector<Node> instructions;
  // The text as read (BOM removed), so later stages can quote the offending line.
  std::shared_ptr<const std::string> source;
  // Byte offset where each physical line starts in *source.
  std::vector<size_t> line_offsets;

  // Physical line `line` (1-based) without its line terminator; "" if out of range.
  std::string_view line_text(int line) const;
};

}  // namespace frontend::ast
