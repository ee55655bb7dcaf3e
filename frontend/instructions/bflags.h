#pragma once
// Instruction flags (`COPY --from=build --link`), read the way BuildKit's
// BFlags does: each instruction declares the flags it accepts, then the
// node's flag words are checked against them. Flags are `--name=value`;
// booleans also `--name` alone; `--` ends the flags. Unknown, duplicate
// (except list flags) and value-less flags are errors.
//
// Not thread-safe; one FlagSet per instruction being parsed.

#include <utility>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace frontend::instructions {

class FlagSet {
 public:
  enum class Kind { boolean, string, list };

  void add_bool(std::string name, bool def = false);
  void add_string(std::string name, std::string def = {});
  void add_list(std::string name);

  // Checks `words` (each "--name[=value]", as the parser kept them). On error
  // `failed_index()` is the position of the offending word in `words`, so
  // callers can point at it.
  base::Result<void> parse(const std::vector<std::string>& words);
  size_t failed_index() const { return m_failed_index; }

  bool used(std::string_view name) const;
  bool get_bool(std::string_view name) const;
  const std::string& get_string(std::string_view name) const;
  const std::vector<std::string>& get_list(std::string_view name) const;
  // Names of the flags given, sorted.
  std::vector<std::string> used_names() const;

 private:
  struct Flag {
    Kind kind = Kind::string;
    std::string value;               // bool: "true"/"false"; string: the value
    std::vector<std::string> values; // list
    bool used = false;
  };
  const Flag& find(std::string_view name) const;
  Flag* find_mutable(std::string_view name);
  void define(std::string name, Flag flag);

  // A handful per instruction, looked up by a linear scan: a map cost an
  // allocation per flag for every instruction parsed.
  std::vector<std::pair<std::string, Flag>> m_flags;
  size_t m_failed_index = 0;
};

}  // namespace frontend::instructions
