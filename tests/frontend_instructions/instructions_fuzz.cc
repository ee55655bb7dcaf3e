// Fuzzes text -> parser -> instruction stage -> JSON, plus the value readers
// on the raw input: every input must either succeed or fail with a positioned
// error, never crash, hang or throw.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "frontend/instructions/go_parse.h"
#include "frontend/instructions/instructions.h"
#include "frontend/instructions/instructions_json.h"
#include "frontend/instructions/run_mount.h"
#include "frontend/parser/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  namespace ins = frontend::instructions;

  // The value readers take any string.
  (void)ins::parse_run_mount(text);
  (void)ins::parse_run_device(text);
  (void)ins::parse_go_duration(text);
  (void)ins::parse_ram_in_bytes(text);

  auto doc = frontend::parser::parse_dockerfile(text, "Dockerfile");
  if (!doc.ok()) return 0;
  auto parsed = ins::parse_instructions(*doc);
  if (parsed.ok()) {
    if (ins::dump_json(*parsed).empty()) __builtin_trap();
    for (const auto& stage : parsed->stages)
      for (const auto& cmd : stage.commands)
        if (cmd.src.start_line < 1) __builtin_trap();
  } else {
    const auto& pos = parsed.error().pos;
    if (!pos || pos->line < 1 || pos->column < 1 || parsed.error().message.empty()) __builtin_trap();
  }
  return 0;
}
