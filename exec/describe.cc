#include <string.h>

#include <string>

#include "exec/cgroup/describe.h"
#include "exec/runner.h"

namespace exec {

std::string describe_failure(const ProcessResult& result, const Limits& limits) {
  std::string status = "exit code: " + std::to_string(result.status());
  if (result.signaled) {
    const char* abbrev = ::sigabbrev_np(result.signal);
    status += std::string(" (killed by ") +
              (abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(result.signal)) + ")";
  }
  std::string cause = cgroup::describe_outcome(limits, result);
  return cause.empty() ? status : cause + ", " + status;
}

}  // namespace exec
