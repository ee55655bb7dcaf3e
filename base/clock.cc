#include "base/clock.h"

#include <chrono>

namespace base {

int64_t SystemClock::now_unix_nanos() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace base
