#include "cli/interrupt.h"

#include <signal.h>
#include <unistd.h>

namespace cli {
namespace {

// Signal handlers can only reach static storage; this flag is the one piece
// of process-wide state, set by the kernel's delivery of a signal.
std::atomic<bool> g_interrupted{false};

void on_signal(int signo) {
  if (g_interrupted.exchange(true)) {
    // Second signal: the user insists.
    ::signal(signo, SIG_DFL);
    ::raise(signo);
  }
  static const char message[] = "\ninterrupted: stopping running steps (press again to quit at once)\n";
  (void)!::write(STDERR_FILENO, message, sizeof message - 1);
}

}  // namespace

const std::atomic<bool>& install_interrupt_handler() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  return g_interrupted;
}

}  // namespace cli
