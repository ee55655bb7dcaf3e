#pragma once
// Helpers for the lowering tests: Dockerfile text → Definition, and lookups
// into the result.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "frontend/instructions/instructions.h"
#include "frontend/lower/lower.h"
#include "frontend/parser/parser.h"
#include "solver/ir/digest.h"
#include "solver/ir/serialize.h"

namespace frontend::lower::testing {

inline LowerOptions amd64() {
  LowerOptions o;
  o.target_platform = ir::Platform{"linux", "amd64", ""};
  o.build_platform = ir::Platform{"linux", "amd64", ""};
  return o;
}

inline base::Result<ir::Definition> lower_text(const std::string& text, LowerOptions opt = amd64()) {
  TRY_ASSIGN(ast::Document doc, parser::parse_dockerfile(text, "Dockerfile"));
  TRY_ASSIGN(instructions::ParsedDockerfile df, instructions::parse_instructions(doc));
  return lower(df, opt);
}

// Lowers and fails the test on error.
inline ir::Definition must(const std::string& text, LowerOptions opt = amd64()) {
  auto r = lower_text(text, std::move(opt));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().render());
  return r.ok() ? std::move(*r) : ir::Definition{};
}

// The rendered error of a lowering that must fail ("" if it succeeded).
inline std::string fails(const std::string& text, LowerOptions opt = amd64()) {
  auto r = lower_text(text, std::move(opt));
  EXPECT_FALSE(r.ok()) << "lowering unexpectedly succeeded:\n" << text;
  return r.ok() ? "" : r.error().render();
}

template <class T>
std::vector<const T*> all(const ir::Definition& def) {
  std::vector<const T*> out;
  for (const auto& op : def.ops)
    if (const T* p = std::get_if<T>(&op)) out.push_back(p);
  return out;
}

// The last op of type T (the one closest to the terminal in simple files).
template <class T>
const T& last(const ir::Definition& def) {
  auto v = all<T>(def);
  if (v.empty()) {
    ADD_FAILURE() << "no op of the requested kind";
    static const T empty{};
    return empty;
  }
  return *v.back();
}

inline std::optional<std::string> env_of(const ir::Exec& e, const std::string& key) {
  for (const auto& [k, v] : e.env)
    if (k == key) return v;
  return std::nullopt;
}

inline const ir::ConfigChange* config(const ir::Definition& def, ir::ConfigKind kind) {
  const ir::ConfigChange* found = nullptr;
  for (const auto* c : all<ir::ConfigChange>(def))
    if (c->kind == kind) found = c;
  return found;
}

inline std::vector<std::string> names(const ir::Definition& def) {
  std::vector<std::string> out;
  for (const auto& i : def.info) out.push_back(i.display_name);
  return out;
}

inline bool has_name(const ir::Definition& def, const std::string& name) {
  for (const auto& i : def.info)
    if (i.display_name == name) return true;
  return false;
}

}  // namespace frontend::lower::testing
