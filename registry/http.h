#pragma once
// The HTTP seam of the registry client. HttpTransport sends one request and
// returns the response; it never follows redirects (the client does, so that
// it can drop credentials when a redirect leaves the registry's host) and
// never retries (the client's retry policy decides). CurlTransport is the
// real one on libcurl:
//
// - a pool of easy handles, reused so that connections (and TLS sessions) to
//   a registry stay open across requests; HTTP/2 when the server offers it
//   over TLS (CURL_HTTP_VERSION_2TLS);
// - bodies of 2xx responses stream to the caller's sink; other bodies are
//   kept (up to 64 KiB) for error messages;
// - a transfer that moves less than `stall_bytes_per_second` for
//   `stall_seconds` fails as stalled, instead of hanging forever;
// - TLS verifies against the system CAs plus, per host, the CA files of
//   /etc/docker/certs.d/<host>/ (*.crt) and its client pair (*.cert, *.key).
//
// Thread-safe: any number of threads may call send() at once.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/result.h"

namespace base::curl {
struct Api;
}

namespace registry {

using base::Result;

// Receives body bytes as they arrive; an error aborts the transfer and is
// what send() returns.
using BodySink = std::function<Result<void>(std::string_view)>;

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, POST, PUT, PATCH, DELETE
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;  // not owned; must outlive send()
  const BodySink* sink = nullptr;  // where a 2xx body goes; null: into HttpResponse::body
  // When set, only a response with this status feeds the sink; the body of
  // any other 2xx is discarded (a server that ignores Range answers 200).
  long sink_status = 0;
};

struct HttpResponse {
  long status = 0;
  // Header names lowercased, in arrival order (repeats kept).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // when no sink took it (or an error status); capped

  // The first value of a header (name compared case-insensitively), or "".
  std::string header(std::string_view name) const;
  std::vector<std::string> header_values(std::string_view name) const;
};

// How a request failed below HTTP: these are what the client retries.
enum class TransportFailure { none, connect, timeout, stalled, dropped, tls, other };

struct TransportError {
  TransportFailure kind = TransportFailure::other;
  base::Error error;
  int64_t body_bytes = 0;  // delivered to the sink before the failure
};

// Either a response (any status) or a transport-level failure. A sink error
// is reported as TransportFailure::other with the sink's message.
using HttpResult = std::variant<HttpResponse, TransportError>;

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual HttpResult send(const HttpRequest& request) = 0;
};

struct TlsFiles {
  std::vector<std::string> ca_files;  // extra trust anchors, on top of the system's
  std::string client_cert;            // PEM; empty: none
  std::string client_key;
};

// The TLS material docker reads from `certs_dir`/<host[:port]>/: every *.crt
// is a CA, and each *.cert with a matching *.key is a client certificate (the
// first pair in name order is used). A missing directory means none.
TlsFiles tls_files_for(const std::string& certs_dir, std::string_view domain);

struct CurlOptions {
  std::string certs_dir = "/etc/docker/certs.d";
  std::chrono::seconds connect_timeout{30};
  long stall_bytes_per_second = 1;
  std::chrono::seconds stall_seconds{30};
  std::string user_agent = "kiln";
};

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  HttpResult send(const HttpRequest& request) override;

 private:
  void* acquire(const base::curl::Api& curl);
  void release(void* handle);

  CurlOptions m_options;
  std::string m_system_ca_dir;  // "" = libcurl's default CA bundle
  std::mutex m_mutex;
  std::vector<void*> m_idle;  // CURL* handles, kept for their live connections
};

}  // namespace registry
