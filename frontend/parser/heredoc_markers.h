#pragma once
// Heredoc markers in an instruction line, found the way BuildKit's parser
// finds them: the logical line is split into shell words (BuildKit's shell
// lexer with raw quotes and escapes, backslash as escape whatever the escape
// directive says) and each word of the form [N]<<[-]NAME announces one
// heredoc. Pure functions.

#include <string_view>
#include <vector>

#include "frontend/parser/ast.h"

namespace frontend::parser {

// The heredocs a RUN/COPY/ADD line announces, in order (BuildKit's
// heredocsFromLine); empty when none, or when the line does not split into
// shell words (an unterminated quote).
std::vector<ast::Heredoc> heredocs_from_line(std::string_view line);

// Whether a parsed node may carry heredocs (RUN/COPY/ADD, directly or as
// ONBUILD's trigger, and not in JSON form).
bool can_contain_heredoc(const ast::Node& node);

}  // namespace frontend::parser
