#pragma once
// LocalRegistry: a real registry for integration tests — Debian's
// docker-registry (the CNCF distribution server) on 127.0.0.1:<free port>,
// storing into a temporary directory, optionally behind htpasswd basic auth.
// start() waits until /v2/ answers; the destructor stops the process.

#include <string>
#include <sys/types.h>

#include "registry/testing/test_support.h"

namespace registry::testing {

inline constexpr const char* k_registry_binary = "/usr/bin/docker-registry";

struct LocalRegistryOptions {
  std::string username;  // non-empty: htpasswd auth with this user
  std::string password;
  // Non-empty: serve HTTPS with <tls_dir>/server.crt and server.key.
  std::string tls_dir;
  // Non-empty realm: bearer token auth (docker's `auth: token`), trusting
  // tokens signed by the certificate at `token_rootcertbundle` (see TokenServer).
  std::string token_realm = {};
  std::string token_service = {};
  std::string token_issuer = {};
  std::string token_rootcertbundle = {};
};

// Writes ca.crt, server.crt and server.key into `dir` (openssl CLI): a
// throwaway CA and a server certificate for IP 127.0.0.1. "" or an error.
std::string make_test_certificates(const std::string& dir);

class LocalRegistry {
 public:
  LocalRegistry() = default;
  ~LocalRegistry();
  LocalRegistry(const LocalRegistry&) = delete;
  LocalRegistry& operator=(const LocalRegistry&) = delete;

  // Why the registry cannot run here ("" when it can): a missing binary or htpasswd.
  static std::string unavailable_reason(const LocalRegistryOptions& options = {});

  // Empty on success, else what went wrong (with the registry's log).
  std::string start(const LocalRegistryOptions& options = {});
  void stop();

  // "127.0.0.1:<port>": the domain of references to this registry.
  std::string domain() const { return "127.0.0.1:" + std::to_string(m_port); }
  // Where the registry keeps blob `hex` on disk (for tampering tests).
  std::string blob_data_path(const std::string& hex) const;

 private:
  TempDir m_dir;
  int m_port = 0;
  pid_t m_pid = -1;
};

}  // namespace registry::testing
