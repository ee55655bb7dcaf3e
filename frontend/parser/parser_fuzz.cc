// Fuzzes the whole parser, including the ANTLR instruction-line grammar and
// the JSON dump: any input must either parse or fail with a positioned
// error, never crash, hang or throw.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "frontend/parser/ast_json.h"
#include "frontend/parser/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = frontend::parser::parse_dockerfile(text, "Dockerfile");
  if (result.ok()) {
    std::string json = frontend::parser::dump_json(*result);
    if (json.empty()) __builtin_trap();
    for (const auto& node : result->instructions)
      if (node.start_line < 1 || node.end_line < node.start_line) __builtin_trap();
  } else if (!result.error().pos || result.error().pos->line < 1) {
    __builtin_trap();
  }
  return 0;
}
