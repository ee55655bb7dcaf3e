#include "base/result.h"

namespace base {

Error make_error(std::string message) { return Error{std::move(message), std::nullopt, {}}; }

Error make_error_at(SourcePos pos, std::string message, std::string hint) {
  return Error{std::move(message), std::move(pos), std::move(hint)};
}

std::string Error::render() const {
  std::string out;
  if (pos) {
    out += pos->file.empty() ? std::string("<input>") : pos->file;
    if (pos->line > 0) {
      out += ":" + std::to_string(pos->line);
      if (pos->column > 0) out += ":" + std::to_string(pos->column);
    }
    out += ": ";
  }
  out += message;
  if (pos && pos->line > 0 && !pos->line_text.empty()) {
    std::string num = std::to_string(pos->line);
    out += "\n " + num + " | " + pos->line_text;
    if (pos->column > 0) {
      out += "\n " + std::string(num.size(), ' ') + " | ";
      for (int i = 1; i < pos->column && static_cast<size_t>(i) <= pos->line_text.size(); ++i)
        out += pos->line_text[static_cast<size_t>(i - 1)] == '\t' ? '\t' : ' ';
      out += "^";
    }
  }
  if (!hint.empty()) out += "\nhint: " + hint;
  return out;
}

}  // namespace base
