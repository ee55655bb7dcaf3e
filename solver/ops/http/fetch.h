#pragma once
// fetch(): one HTTP(S) GET on libcurl, the body streamed to a file
// descriptor and hashed on the way. Redirects are followed (at most 10), the
// connection must be made within `connect_timeout_seconds`, and a transfer
// that moves fewer than 1 byte per second for `stall_timeout_seconds` is
// aborted. Proxies come from the usual environment variables (http_proxy,
// https_proxy, no_proxy), as libcurl reads them.
//
// Statuses: 2xx writes the body; 304 (an If-None-Match hit) writes nothing
// and is reported as not_modified; anything else is an error naming the URL
// and the status. Transport failures are errors naming the URL and curl's
// reason. Thread-safe: every call uses its own handle.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/digest.h"
#include "base/result.h"

namespace solver::ops::http {

struct FetchOptions {
  std::vector<std::string> if_none_match;  // ETags (without W/) known for this URL
  long connect_timeout_seconds = 30;
  long stall_timeout_seconds = 120;
};

struct FetchResult {
  long status = 0;
  bool not_modified = false;  // 304: nothing was written
  std::string etag;           // of the final response, W/ removed; "" if none
  std::string last_modified;  // the header as sent, "" if none
  base::Digest digest;        // sha256 of the body written (empty when not_modified)
  uint64_t size = 0;
};

base::Result<FetchResult> fetch(const std::string& url, int out_fd, const FetchOptions& options = {});

// Unix seconds of an HTTP date (RFC 1123, RFC 850 or asctime form, as Go's
// http.ParseTime accepts), or nullopt when it does not parse.
std::optional<int64_t> parse_http_date(const std::string& text);

// An ETag as compared: the weak marker "W/" removed.
std::string etag_value(std::string_view header);

}  // namespace solver::ops::http
