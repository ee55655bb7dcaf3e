#pragma once
// The clock seam: everything that stamps a time (image created, history, layer
// mtimes) asks a Clock, so tests and SOURCE_DATE_EPOCH builds are repeatable.

#include <cstdint>

namespace base {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds and nanoseconds since the Unix epoch.
  virtual int64_t now_unix_nanos() const = 0;
  int64_t now_unix_seconds() const { return now_unix_nanos() / 1'000'000'000; }
};

class SystemClock final : public Clock {
 public:
  int64_t now_unix_nanos() const override;
};

// Always answers the same instant; for tests and reproducible builds.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(int64_t unix_nanos) : m_nanos(unix_nanos) {}
  int64_t now_unix_nanos() const override { return m_nanos; }

 private:
  int64_t m_nanos;
};

}  // namespace base
