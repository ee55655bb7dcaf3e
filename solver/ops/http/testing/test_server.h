#pragma once
// TestServer: a tiny HTTP/1.1 server on 127.0.0.1 (a free port) for tests.
// One thread serves one connection at a time; every response closes the
// connection. The handler sees the method, the path and the headers (names
// lower-cased) and returns the whole response. Stops on destruction.
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace solver::ops::http::testing {

struct Request {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class TestServer {
 public:
  using Handler = std::function<Response(const Request&)>;
  explicit TestServer(Handler handler);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return m_port; }
  std::string url(const std::string& path) const;
  // The requests served so far, in order.
  std::vector<Request> requests();

 private:
  void serve();
  void handle(int fd);

  Handler m_handler;
  int m_listen_fd = -1;
  int m_port = 0;
  std::atomic<bool> m_stop{false};
  std::mutex m_mutex;
  std::vector<Request> m_requests;
  std::thread m_thread;
};

}  // namespace solver::ops::http::testing
