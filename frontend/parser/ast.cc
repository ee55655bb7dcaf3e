#include "frontend/parser/ast.h"

namespace frontend::ast {

std::string_view Document::line_text(int line) const {
  if (!source || line < 1 || static_cast<size_t>(line) > line_offsets.size()) return {};
  size_t begin = line_offsets[static_cast<size_t>(line - 1)];
  size_t end = static_cast<size_t>(line) < line_offsets.size() ? line_offsets[static_cast<size_t>(line)]
                                                              : source->size();
  std::string_view text(*source);
  text = text.substr(begin, end - begin);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

}  // namespace frontend::ast
