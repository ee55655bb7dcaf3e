#include "registry/testing/local_registry.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

extern char** environ;

namespace registry::testing {
namespace {

// One raw HTTP/1.0 GET /v2/; true when any HTTP status line comes back.
bool answers(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string req = "GET /v2/ HTTP/1.0\r\n\r\n";
    if (::write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size())) {
      pollfd p{fd, POLLIN, 0};
      char buf[16] = {};
      ok = ::poll(&p, 1, 1000) == 1 && ::read(fd, buf, sizeof buf - 1) > 8 && std::string(buf).starts_with("HTTP/");
    }
  }
  ::close(fd);
  return ok;
}

// A TLS listener cannot be asked in plain text; accepting is enough.
bool accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::string make_test_certificates(const std::string& dir) {
  if (::access("/usr/bin/openssl", X_OK) != 0) return "openssl is not installed";
  write_file(dir + "/ext.cnf",
             "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  const std::vector<std::vector<std::string>> steps = {
      {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
       dir + "/ca.key", "-out", dir + "/ca.crt", "-days", "2", "-subj", "/CN=kiln test CA"},
      {"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
       dir + "/server.key", "-out", dir + "/server.csr", "-subj", "/CN=127.0.0.1"},
      {"openssl", "x509", "-req", "-in", dir + "/server.csr", "-CA", dir + "/ca.crt", "-CAkey", dir + "/ca.key",
       "-CAcreateserial", "-out", dir + "/server.crt", "-days", "2", "-extfile", dir + "/ext.cnf"},
  };
  for (const auto& argv : steps)
    if (run_capture(argv).exit_code != 0) return "openssl " + argv[1] + " failed";
  return {};
}

std::string LocalRegistry::unavailable_reason(const LocalRegistryOptions& options) {
  if (::access(k_registry_binary, X_OK) != 0)
    return std::string(k_registry_binary) + " is not installed (Debian package docker-registry)";
  if (!options.username.empty() && ::access("/usr/bin/htpasswd", X_OK) != 0)
    return "htpasswd is not installed (Debian package apache2-utils)";
  return {};
}

std::string LocalRegistry::start(const LocalRegistryOptions& options) {
  if (auto reason = unavailable_reason(options); !reason.empty()) return reason;
  m_port = free_port();
  std::string config = "version: 0.1\n"
                       "log:\n  level: error\n  accesslog:\n    disabled: true\n"
                       "storage:\n  filesystem:\n    rootdirectory: " + m_dir.path() + "/data\n"
                       "  delete:\n    enabled: true\n"
                       "  maintenance:\n    uploadpurging:\n      enabled: false\n"
                       "http:\n  addr: 127.0.0.1:" + std::to_string(m_port) + "\n  secret: kiln-test-secret\n";
  if (!options.username.empty()) {
    RunResult hash = run_capture({"htpasswd", "-Bbn", options.username, options.password});
    if (hash.exit_code != 0) return "htpasswd failed";
    write_file(m_dir.path() + "/htpasswd", hash.out);
    config += "auth:\n  htpasswd:\n    realm: kiln-test\n    path: " + m_dir.path() + "/htpasswd\n";
  }
  if (!options.tls_dir.empty())
    config += "  tls:\n    certificate: " + options.tls_dir + "/server.crt\n    key: " + options.tls_dir + "/server.key\n";
  if (!options.token_realm.empty())
    config += "auth:\n  token:\n    realm: " + options.token_realm + "\n    service: " + options.token_service +
              "\n    issuer: " + options.token_issuer + "\n    rootcertbundle: " + options.token_rootcertbundle + "\n";
  write_file(m_dir.path() + "/config.yml", config);

  std::string log = m_dir.path() + "/registry.log";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::string arg0 = k_registry_binary, arg1 = "serve", arg2 = m_dir.path() + "/config.yml";
  char* argv[] = {arg0.data(), arg1.data(), arg2.data(), nullptr};
  int rc = ::posix_spawn(&m_pid, k_registry_binary, &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    m_pid = -1;
    return "cannot start " + std::string(k_registry_binary);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    if (options.tls_dir.empty() ? answers(m_port) : accepts(m_port)) return {};
    int status = 0;
    if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
      m_pid = -1;
      return "docker-registry exited: " + read_file(log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop();
  return "docker-registry did not answer on port " + std::to_string(m_port) + ": " + read_file(log);
}

void LocalRegistry::stop() {
  if (m_pid <= 0) return;
  ::kill(m_pid, SIGTERM);
  int status = 0;
  ::waitpid(m_pid, &status, 0);
  m_pid = -1;
}

LocalRegistry::~LocalRegistry() { stop(); }

std::string LocalRegistry::blob_data_path(const std::string& hex) const {
  return m_dir.path() + "/data/docker/registry/v2/blobs/sha256/" + hex.substr(0, 2) + "/" + hex + "/data";
}

}  // namespace registry::testing
