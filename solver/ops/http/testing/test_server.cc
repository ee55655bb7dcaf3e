#include "solver/ops/http/testing/test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <sstream>

namespace solver::ops::http::testing {

namespace {

const char* reason_of(int status) {
  switch (status) {
    case 200: return "OK";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 404: return "Not Found";
    case 500: return "Internal Server Error";
    default: return "Status";
  }
}

}  // namespace

TestServer::TestServer(Handler handler) : m_handler(std::move(handler)) {
  m_listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(m_listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(m_listen_fd, 16);
  socklen_t len = sizeof addr;
  ::getsockname(m_listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
  m_port = ntohs(addr.sin_port);
  m_thread = std::thread([this] { serve(); });
}

TestServer::~TestServer() {
  m_stop.store(true);
  ::shutdown(m_listen_fd, SHUT_RDWR);
  m_thread.join();
  ::close(m_listen_fd);
}

std::string TestServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(m_port) + path;
}

std::vector<Request> TestServer::requests() {
  std::lock_guard lock(m_mutex);
  return m_requests;
}

void TestServer::serve() {
  while (!m_stop.load()) {
    pollfd p{m_listen_fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    int fd = ::accept4(m_listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    handle(fd);
    ::close(fd);
  }
}

void TestServer::handle(int fd) {
  std::string data;
  char buf[4096];
  while (data.find("\r\n\r\n") == std::string::npos) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return;
    data.append(buf, static_cast<size_t>(n));
  }
  Request req;
  std::istringstream in(data.substr(0, data.find("\r\n\r\n")));
  std::string line;
  std::getline(in, line);
  std::istringstream first(line);
  first >> req.method >> req.path;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t v = line.find_first_not_of(' ', colon + 1);
    req.headers[name] = v == std::string::npos ? "" : line.substr(v);
  }
  {
    std::lock_guard lock(m_mutex);
    m_requests.push_back(req);
  }
  Response resp = m_handler(req);
  std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " " + reason_of(resp.status) + "\r\n";
  for (const auto& [k, v] : resp.headers) out += k + ": " + v + "\r\n";
  bool body = resp.status != 304 && req.method != "HEAD";
  out += "Content-Length: " + std::to_string(body ? resp.body.size() : 0) + "\r\nConnection: close\r\n\r\n";
  if (body) out += resp.body;
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::send(fd, out.data() + done, out.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

}  // namespace solver::ops::http::testing
