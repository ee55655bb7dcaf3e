#pragma once
// The words the build prints when a RUN step ended because of its limits.
#include <cstdint>
#include <string>

#include "exec/spec.h"

namespace exec::cgroup {

// Binary units with up to four significant digits: "512 MiB", "1.5 GiB",
// "6 MiB", "100 B".
std::string format_bytes(int64_t bytes);

// For a failed step (status() != 0) whose limits played a part:
//   "RUN killed: out of memory (limit 512 MiB)"   (oom_killed; status 137
//                                                   when the main process died)
//   "RUN failed: process limit reached (--pids-limit 20)"
// and "" otherwise (success, or a failure the limits did not cause).
std::string describe_outcome(const Limits& limits, const ProcessResult& result);

}  // namespace exec::cgroup
