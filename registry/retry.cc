#include "registry/retry.h"

#include <algorithm>
#include <ctime>
#include <string>

namespace registry {

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, int64_t now_unix_seconds) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return std::chrono::seconds(999'999'999);
    return std::chrono::seconds(std::stoll(std::string(value)));
  }
  // IMF-fixdate, the only date form HTTP/1.1 senders may generate.
  std::tm tm{};
  std::string text(value);
  const char* end = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  int64_t when = static_cast<int64_t>(::timegm(&tm));
  return std::chrono::seconds(std::max<int64_t>(0, when - now_unix_seconds));
}

bool is_retryable_status(long status) { return status == 429 || (status >= 500 && status <= 599); }

bool is_retryable_failure(TransportFailure failure) {
  switch (failure) {
    case TransportFailure::connect:
    case TransportFailure::timeout:
    case TransportFailure::stalled:
    case TransportFailure::dropped:
      return true;
    case TransportFailure::none:
    case TransportFailure::tls:
    case TransportFailure::other:
      return false;
  }
  return false;
}

std::chrono::milliseconds backoff(const RetryPolicy& policy, int attempt) {
  auto delay = policy.initial_backoff;
  for (int i = 1; i < attempt && delay < policy.max_backoff; ++i) delay *= 2;
  return std::min(delay, policy.max_backoff);
}

std::optional<std::chrono::milliseconds> retry_delay(const RetryPolicy& policy, int attempt, const HttpResult& result,
                                                     int64_t now_unix_seconds) {
  if (attempt >= policy.max_attempts) return std::nullopt;
  if (const auto* failure = std::get_if<TransportError>(&result))
    return is_retryable_failure(failure->kind) ? std::optional(backoff(policy, attempt)) : std::nullopt;
  const auto& response = std::get<HttpResponse>(result);
  if (!is_retryable_status(response.status)) return std::nullopt;
  if (auto after = parse_retry_after(response.header("retry-after"), now_unix_seconds)) {
    auto wanted = std::chrono::duration_cast<std::chrono::milliseconds>(*after);
    return std::min(wanted, policy.max_retry_after);
  }
  return backoff(policy, attempt);
}

}  // namespace registry
