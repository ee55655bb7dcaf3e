#pragma once
// Registry authentication: anonymous, HTTP basic, and the bearer token flow of
// the distribution spec (token.md). Pure parts (challenge and token-response
// parsing, token URLs) are free functions; Authenticator holds the state for
// one registry host: the scheme the registry asked for, and the tokens it got,
// cached per scope until they expire.
//
// Where credentials go:
// - to the registry host they belong to, never to another host (the client
//   drops the Authorization header when a redirect leaves the host, e.g. to
//   blob storage);
// - to the token realm the registry's challenge names. docker does this for
//   any realm; we do too, except that we refuse to send them over plain HTTP
//   to a host other than the registry's own (unless both are loopback hosts,
//   so the credentials never leave the machine).
// Credentials and tokens never appear in error messages.
//
// Thread-safe (one mutex); shared by all requests to the host.

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "registry/auth_config.h"
#include "registry/http.h"

namespace registry {

struct Challenge {
  std::string scheme;  // lowercased: "basic", "bearer"
  std::map<std::string, std::string> params;  // names lowercased: realm, service, scope, error
};

// Parses a WWW-Authenticate value (RFC 7235): one or more challenges, each a
// scheme and comma-separated name=value or name="quoted value" parameters.
// Unparseable input yields what could be read before it.
std::vector<Challenge> parse_www_authenticate(std::string_view header);

struct Token {
  std::string value;
  std::chrono::seconds expires_in{60};
};

// Reads a token endpoint's JSON answer ("token" or "access_token",
// "expires_in"; the spec's default and docker's minimum lifetime is 60 s).
Result<Token> parse_token_response(std::string_view body);

// The URL of a token request: realm?service=…&scope=…&scope=….
std::string token_url(const Challenge& challenge, const std::vector<std::string>& scopes);

// "repository:<path>:pull" / "repository:<path>:pull,push".
std::string repository_scope(std::string_view path, bool push);

// The scheme, host and port of a URL ("https://a.b:5000/x" → "https://a.b:5000").
std::string url_origin(std::string_view url);

class Authenticator {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Now = std::function<TimePoint()>;

  // `transport` is borrowed; `registry_origin` is e.g. "https://host:5000".
  Authenticator(std::string registry_origin, std::optional<Credentials> credentials, HttpTransport& transport,
                Now now = [] { return std::chrono::steady_clock::now(); });

  // The Authorization header value for a request needing `scopes`, fetching a
  // token when the registry uses bearer auth and none is cached; nullopt
  // while the registry has not asked for authentication.
  Result<std::optional<std::string>> authorization(const std::vector<std::string>& scopes);

  // Learns from a 401 response: records the challenge and drops the cached
  // token for these scopes, so that the next authorization() fetches a new
  // one. Errors when there is nothing to answer the challenge with (basic
  // without credentials, an unknown scheme), naming the registry.
  Result<void> on_unauthorized(const HttpResponse& response, const std::vector<std::string>& scopes);

  // How many tokens were fetched; for tests and --debug output.
  int tokens_fetched() const;

 private:
  Result<Token> fetch_token(const Challenge& challenge, const std::vector<std::string>& scopes);

  std::string m_origin;
  std::optional<Credentials> m_credentials;
  HttpTransport& m_transport;
  Now m_now;

  mutable std::mutex m_mutex;
  std::optional<Challenge> m_challenge;
  struct CachedToken {
    std::string value;
    TimePoint expires;
  };
  std::map<std::string, CachedToken> m_tokens;  // by joined scopes
  int m_tokens_fetched = 0;
};

}  // namespace registry
