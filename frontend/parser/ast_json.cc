#include "frontend/parser/ast_json.h"

namespace frontend::parser {

nlohmann::ordered_json to_json(const ast::Node& node) {
  nlohmann::ordered_json heredocs = nlohmann::ordered_json::array();
  for (const ast::Heredoc& h : node.heredocs) {
    heredocs.push_back({{"name", h.name},
                        {"content", h.content},
                        {"expand", h.expand},
                        {"chomp", h.chomp},
                        {"fd", h.fd}});
  }
  nlohmann::ordered_json out;
  out["keyword"] = node.keyword;
  out["flags"] = node.flags;
  out["args"] = node.args;
  out["json"] = node.json;
  out["heredocs"] = std::move(heredocs);
  out["start_line"] = node.start_line;
  out["end_line"] = node.end_line;
  out["original"] = node.original;
  out["sub"] = node.sub ? to_json(*node.sub) : nlohmann::ordered_json(nullptr);
  return out;
}

nlohmann::ordered_json to_json(const ast::Document& doc) {
  nlohmann::ordered_json directives = nlohmann::ordered_json::array();
  for (const ast::Directive& d : doc.directives)
    directives.push_back({{"name", d.name}, {"value", d.value}, {"line", d.line}});
  nlohmann::ordered_json warnings = nlohmann::ordered_json::array();
  for (const ast::Warning& w : doc.warnings) warnings.push_back({{"short", w.short_text}, {"line", w.line}});
  nlohmann::ordered_json instructions = nlohmann::ordered_json::array();
  for (const ast::Node& n : doc.instructions) instructions.push_back(to_json(n));

  nlohmann::ordered_json out;
  out["kiln_parse_version"] = k_parse_json_version;
  out["escape_token"] = std::string(1, doc.escape_token);
  out["directives"] = std::move(directives);
  out["warnings"] = std::move(warnings);
  out["instructions"] = std::move(instructions);
  return out;
}

std::string dump_json(const ast::Document& doc) {
  return to_json(doc).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace frontend::parser
