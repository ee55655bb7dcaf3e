#pragma once
// The `kiln debug` subcommands, one file each (cli/debug_<name>.cc). Each adds
// itself to the `debug` app; add its declaration here, its call in debug.cc and
// its source file in cli/CMakeLists.txt.
#include "cli/commands.h"

namespace cli {

}  // namespace cli
