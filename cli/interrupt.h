#pragma once
// Ctrl-C and SIGTERM for commands that run processes (build, run): the first
// signal sets a flag the command polls, so running steps are stopped and the
// store is left consistent; a second one ends kiln at once.
#include <atomic>

namespace cli {

// Installs the handlers (once per process) and returns the flag they set.
const std::atomic<bool>& install_interrupt_handler();

}  // namespace cli
