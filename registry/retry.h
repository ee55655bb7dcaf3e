#pragma once
// When the registry client retries, and how long it waits: the deciding part
// of the retry loop, pure and unit-tested. Retried: connection failures,
// timeouts, stalls and dropped connections, HTTP 5xx, and 429. Never retried:
// other 4xx (a missing manifest stays missing) and TLS failures (a wrong
// certificate does not fix itself). The wait doubles from `initial_backoff`
// up to `max_backoff`, or is the server's Retry-After when it sends one
// (capped by `max_retry_after`).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "registry/http.h"

namespace registry {

struct RetryPolicy {
  int max_attempts = 5;  // including the first
  std::chrono::milliseconds initial_backoff{250};
  std::chrono::milliseconds max_backoff{8000};
  std::chrono::milliseconds max_retry_after{60000};
};

// Seconds from a Retry-After value: delta-seconds or an HTTP-date (then
// relative to `now_unix_seconds`, never negative). nullopt if unparseable.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, int64_t now_unix_seconds);

bool is_retryable_status(long status);
bool is_retryable_failure(TransportFailure failure);

// How long to wait before attempt `attempt + 1` (attempts count from 1), or
// nullopt when `result` must not be retried or the attempts are used up.
std::optional<std::chrono::milliseconds> retry_delay(const RetryPolicy& policy, int attempt, const HttpResult& result,
                                                     int64_t now_unix_seconds);

// The exponential backoff alone, for attempt `attempt` (1-based).
std::chrono::milliseconds backoff(const RetryPolicy& policy, int attempt);

}  // namespace registry
