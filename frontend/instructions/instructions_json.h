#pragma once
// The JSON form of a ParsedDockerfile printed by `kiln debug instructions`.
// Format version 1:
//
//   {"kiln_instructions_version": 1, "file", "escape_token",
//    "warnings": [{"short", "line"}],
//    "meta_args": [{"args": [{"name", "default"?}], "line"}],
//    "stages": [{"index", "name", "base_name", "platform", "line",
//                "commands": [{"instruction": "RUN", "line", "end_line", "column",
//                              ...fields of that instruction...}]}]}
//
// Instruction fields use the struct's field names; absent optionals are
// omitted; durations are nanoseconds. Keys keep this order.

#include <string>

#include <nlohmann/json.hpp>

#include "frontend/instructions/instructions.h"

namespace frontend::instructions {

inline constexpr int k_instructions_json_version = 1;

nlohmann::ordered_json to_json(const Located& located);
nlohmann::ordered_json to_json(const ParsedDockerfile& parsed);

// to_json(parsed) with two-space indentation and a final newline.
std::string dump_json(const ParsedDockerfile& parsed);

}  // namespace frontend::instructions
