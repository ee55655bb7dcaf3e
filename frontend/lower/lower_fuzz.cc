// Fuzzes parse → instructions → lower: any Dockerfile either lowers to a
// graph that validates and serializes identically twice, or fails with an
// error message; never a crash, hang or exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "frontend/instructions/instructions.h"
#include "frontend/lower/lower.h"
#include "frontend/parser/parser.h"
#include "solver/ir/serialize.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto doc = frontend::parser::parse_dockerfile(text, "Dockerfile");
  if (!doc.ok()) return 0;
  auto parsed = frontend::instructions::parse_instructions(*doc);
  if (!parsed.ok()) return 0;
  frontend::lower::LowerOptions opt;
  opt.target_platform = ir::Platform{"linux", "amd64", ""};
  opt.build_platform = ir::Platform{"linux", "arm64", ""};
  opt.build_args = {{"http_proxy", "http://p"}, {"V", "1"}};
  auto def = frontend::lower::lower(*parsed, opt);
  if (!def.ok()) {
    if (def.error().message.empty()) __builtin_trap();
    return 0;
  }
  if (!ir::validate(*def).ok()) __builtin_trap();
  auto again = frontend::lower::lower(*parsed, opt);
  if (!again.ok() || ir::to_json(*def) != ir::to_json(*again) || ir::to_dot(*def) != ir::to_dot(*again))
    __builtin_trap();
  return 0;
}
