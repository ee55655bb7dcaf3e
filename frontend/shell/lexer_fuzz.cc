// Fuzzes the word expander. The input's first byte picks the settings (escape
// token, raw quotes, raw escapes); the rest is the word. Variables come from a
// small fixed set so that set, empty and unset names, patterns and values with
// whitespace, quotes, newlines and invalid UTF-8 are all reachable.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "frontend/shell/lexer.h"

namespace {

const frontend::shell::EnvLookup& fuzz_env() {
  static const frontend::shell::EnvLookup env = frontend::shell::env_from_pairs({
      {"a", "hello world"},
      {"b", ""},
      {"c", "x*y?z\\w/}{"},
      {"d", "line1\nline2\n"},
      {"e", "  lead and trail  "},
      {"f", "\xff\xfe bad \xc3"},
      {"P", "*"},
      {"Q", "\\*"},
      {"S", "$0"},
      {"_x1", "a$b'c\"d"},
      {"\xed\x95\x9c", "\xea\xb5\xad"},
  });
  return env;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  const std::string_view word(reinterpret_cast<const char*>(data + 1), size - 1);
  frontend::shell::Lexer lexer((flags & 1) != 0 ? '`' : '\\');
  lexer.set_raw_quotes((flags & 2) != 0);
  lexer.set_raw_escapes((flags & 4) != 0);
  lexer.set_skip_process_quotes((flags & 8) != 0);
  lexer.set_skip_unset_env((flags & 16) != 0);
  // Small size and work limits keep every run fast, so that a slow input
  // means a complexity bug rather than legitimately large (bounded) output.
  frontend::shell::Limits limits;
  limits.max_result_bytes = 1u << 20;
  limits.max_work_steps = 1u << 22;
  lexer.set_limits(limits);
  auto result = lexer.process_word(word, fuzz_env());
  if (result.ok()) {
    // Words never hold empty strings, and names are reported once.
    for (const auto& w : result->words)
      if (w.empty()) __builtin_trap();
    for (const auto& name : result->matched)
      for (const auto& other : result->unmatched)
        if (name == other) __builtin_trap();
  } else if (result.error().message.empty()) {
    __builtin_trap();
  }
  return 0;
}
