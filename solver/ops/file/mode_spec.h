#pragma once
// --chmod values: an octal mode ("0755") or a symbolic chmod(1) expression
// ("u=rwX,go=rX", "+x", "g-w,o="), applied to each copied file and directory.
//
// Symbolic modes follow the BSD setmode(3) rules that BuildKit applies, with
// no umask (a clause without u/g/o/a affects every class): clauses are
// separated by commas, each is [ugoa]* followed by one or more operations
// [+-=] with permission letters r w x X s t or a class to copy from (u g o).
// X grants execute only to directories and to files that already have an
// execute bit. Pure value type; thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace solver_ops::file {

class ModeSpec {
 public:
  // Parses an octal or symbolic mode; an invalid one is an error naming it.
  static base::Result<ModeSpec> parse(const std::string& text);

  // The permission bits (07777) of a file whose current mode is `mode`
  // (type and permission bits, as st_mode).
  uint32_t apply(uint32_t mode) const;

 private:
  struct Cmd {
    char op = '+';       // '+', '-', 'X' (conditional add), or 'u'/'g'/'o' (copy a class)
    uint8_t targets = 0;  // copy commands: which classes receive the bits (4=u, 2=g, 1=o)
    bool clear = false;   // copy commands: clear the target bits first
    bool set = false;     // copy commands: set the copied bits
    uint32_t bits = 0;
  };
  void add(char op, uint32_t who, uint32_t arg);

  bool m_octal = false;
  uint32_t m_value = 0;  // octal modes
  std::vector<Cmd> m_cmds;
};

}  // namespace solver_ops::file
