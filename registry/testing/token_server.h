#pragma once
// TokenServer: the token endpoint of the distribution spec's bearer flow
// (docker's token.md), for tests against a LocalRegistry started with
// `auth: token`. It checks HTTP basic credentials and answers
// GET /token?service=…&scope=… with a JWT granting exactly the requested
// scopes, signed RS256 with a throwaway key whose self-signed certificate
// rides in the JWT's x5c header and is the registry's rootcertbundle.
// Requests are counted per scope string, so tests can check token caching.

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "registry/testing/fake_server.h"

namespace registry::testing {

struct TokenServerOptions {
  std::string username;
  std::string password;
  std::string service = "kiln-test-registry";
  std::string issuer = "kiln-test-issuer";
};

class TokenServer {
 public:
  // Writes token.key and token.crt into `dir` (openssl CLI); check error().
  TokenServer(const std::string& dir, TokenServerOptions options);
  ~TokenServer();
  TokenServer(const TokenServer&) = delete;
  TokenServer& operator=(const TokenServer&) = delete;

  // "" when the server is ready, else what went wrong.
  const std::string& error() const { return m_error; }
  std::string realm() const { return m_server ? m_server->url() + "/token" : std::string(); }
  const std::string& service() const { return m_options.service; }
  const std::string& issuer() const { return m_options.issuer; }
  const std::string& certificate_path() const { return m_cert_path; }

  // Tokens issued, in total and for one exact `scope` query value.
  int issued() const;
  int issued_for(const std::string& scope) const;
  // Requests refused for bad credentials.
  int refused() const;

 private:
  FakeResponse handle(const FakeRequest& request);
  std::string sign(const std::string& signing_input) const;

  TokenServerOptions m_options;
  std::string m_error;
  std::string m_cert_path;
  std::string m_cert_der_base64;
  void* m_key = nullptr;  // EVP_PKEY*
  mutable std::mutex m_mutex;
  std::map<std::string, int> m_issued;
  int m_refused = 0;
  int m_serial = 0;
  std::unique_ptr<FakeServer> m_server;  // last: stops before the state it reads
};

}  // namespace registry::testing
