#pragma once
// FakeServer: a tiny HTTP/1.1 server on 127.0.0.1 for fault-injection tests
// (plain sockets, one thread, one request per connection). The handler sees
// each request and returns the raw bytes to answer with, optionally cut short
// to simulate a dropped connection. TLS client hellos are refused by closing
// the connection, so an HTTPS probe fails fast. All requests are recorded.

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace registry::testing {

struct FakeRequest {
  std::string method;
  std::string target;  // path and query
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct FakeResponse {
  std::string raw;
  size_t cut_after = std::string::npos;  // close after this many bytes of `raw`
};

// A complete response with Content-Length and Connection: close.
FakeResponse http_response(int status, const std::vector<std::pair<std::string, std::string>>& headers,
                           const std::string& body = {});

class FakeServer {
 public:
  using Handler = std::function<FakeResponse(const FakeRequest&)>;

  explicit FakeServer(Handler handler);
  ~FakeServer();
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  int port() const { return m_port; }
  std::string domain() const { return "127.0.0.1:" + std::to_string(m_port); }
  std::string url() const { return "http://" + domain(); }
  std::vector<FakeRequest> requests() const;
  // Requests whose target starts with `prefix`.
  int count(const std::string& method, const std::string& prefix) const;

 private:
  void serve();
  void handle(int fd);

  Handler m_handler;
  int m_listen_fd = -1;
  int m_stop_pipe[2] = {-1, -1};
  int m_port = 0;
  mutable std::mutex m_mutex;
  std::vector<FakeRequest> m_requests;
  std::thread m_thread;
};

}  // namespace registry::testing
