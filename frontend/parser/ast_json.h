#pragma once
// The JSON form of a parsed Dockerfile printed by `kiln debug parse` and
// compared by the golden tests (tests/fixtures/dockerfiles/parse). Format
// version 1; documented in docs/frontend-parser.md:
//
//   {"kiln_parse_version": 1, "escape_token": "\\",
//    "directives": [{"name", "value", "line"}],
//    "warnings": [{"short", "line"}],
//    "instructions": [{"keyword", "flags", "args", "json", "heredocs":
//        [{"name", "content", "expand", "chomp", "fd"}],
//        "start_line", "end_line", "original", "sub": null | instruction}]}
//
// Keys keep this order. Strings that are not valid UTF-8 have the bad bytes
// replaced by U+FFFD when dumped.

#include <string>

#include <nlohmann/json.hpp>

#include "frontend/parser/ast.h"

namespace frontend::parser {

inline constexpr int k_parse_json_version = 1;

nlohmann::ordered_json to_json(const ast::Node& node);
nlohmann::ordered_json to_json(const ast::Document& doc);

// to_json(doc) dumped with two-space indentation and a final newline.
std::string dump_json(const ast::Document& doc);

}  // namespace frontend::parser
