#include "solver/ops/http/fetch.h"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>

#include "base/curl/curl_api.h"

namespace solver::ops::http {

namespace {

struct CurlDeleter {
  void (*cleanup)(CURL*);
  void operator()(CURL* c) const { cleanup(c); }
};
struct SlistDeleter {
  void (*free_all)(curl_slist*);
  void operator()(curl_slist* l) const { free_all(l); }
};

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

bool header_is(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (size_t i = 0; i < name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != std::tolower(static_cast<unsigned char>(name[i])))
      return false;
  return true;
}

// State shared with the callbacks of one transfer.
struct Transfer {
  const base::curl::Api* api = nullptr;
  CURL* curl = nullptr;
  int fd = -1;
  base::Sha256 sha;
  uint64_t size = 0;
  std::string etag;
  std::string last_modified;
  int write_errno = 0;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  // Each response of a redirect chain starts with its status line: only the
  // headers of the final one count.
  if (line.rfind("HTTP/", 0) == 0) {
    t->etag.clear();
    t->last_modified.clear();
  } else if (header_is(line, "etag")) {
    t->etag = etag_value(trim(line.substr(5)));
  } else if (header_is(line, "last-modified")) {
    t->last_modified = trim(line.substr(14));
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  long status = 0;
  t->api->easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300) return n;  // an error page or a 304: not the file
  t->sha.update(data, n);
  t->size += n;
  size_t done = 0;
  while (done < n) {
    ssize_t w = ::write(t->fd, data + done, n - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      t->write_errno = errno;
      return 0;  // aborts the transfer
    }
    done += static_cast<size_t>(w);
  }
  return n;
}

}  // namespace

std::string etag_value(std::string_view header) {
  if (header.rfind("W/", 0) == 0) header.remove_prefix(2);
  return std::string(header);
}

std::optional<int64_t> parse_http_date(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto curl = base::curl::api();
  if (!curl.ok()) return std::nullopt;
  time_t t = (*curl)->getdate(text.c_str(), nullptr);
  if (t == -1) return std::nullopt;
  return static_cast<int64_t>(t);
}

base::Result<FetchResult> fetch(const std::string& url, int out_fd, const FetchOptions& options) {
  TRY_ASSIGN(const base::curl::Api* api, with_context(base::curl::api(), "cannot download " + url));
  std::unique_ptr<CURL, CurlDeleter> curl(api->easy_init(), CurlDeleter{api->easy_cleanup});
  if (!curl) return base::make_error("cannot download " + url + ": cannot create a curl handle");
  Transfer t;
  t.api = api;
  t.curl = curl.get();
  t.fd = out_fd;
  char error_text[CURL_ERROR_SIZE] = {0};
  std::unique_ptr<curl_slist, SlistDeleter> headers(nullptr, SlistDeleter{api->slist_free_all});
  if (!options.if_none_match.empty()) {
    std::string value;
    for (const std::string& e : options.if_none_match) value += (value.empty() ? "" : ", ") + e;
    headers.reset(api->slist_append(nullptr, ("If-None-Match: " + value).c_str()));
  }
  CURL* c = curl.get();
  api->easy_setopt(c, CURLOPT_URL, url.c_str());
  api->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  api->easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  api->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  api->easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  api->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, options.connect_timeout_seconds);
  api->easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  api->easy_setopt(c, CURLOPT_LOW_SPEED_TIME, options.stall_timeout_seconds);
  api->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  api->easy_setopt(c, CURLOPT_USERAGENT, "kiln");
  api->easy_setopt(c, CURLOPT_ERRORBUFFER, error_text);
  api->easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  api->easy_setopt(c, CURLOPT_HEADERDATA, &t);
  api->easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  api->easy_setopt(c, CURLOPT_WRITEDATA, &t);
  if (headers) api->easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  CURLcode rc = api->easy_perform(c);
  if (t.write_errno != 0)
    return base::make_error("cannot download " + url + ": cannot write: " + std::strerror(t.write_errno));
  if (rc != CURLE_OK) {
    std::string reason = error_text[0] != '\0' ? std::string(error_text) : api->easy_strerror(rc);
    return base::make_error("cannot download " + url + ": " + reason);
  }
  FetchResult out;
  api->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
  if (out.status == 304) {
    out.not_modified = true;
    out.etag = t.etag;
    out.last_modified = t.last_modified;
    return out;
  }
  if (out.status < 200 || out.status >= 300)
    return base::make_error("cannot download " + url + ": invalid response status " + std::to_string(out.status));
  out.etag = std::move(t.etag);
  out.last_modified = std::move(t.last_modified);
  out.digest = t.sha.finish();
  out.size = t.size;
  return out;
}

}  // namespace solver::ops::http
