#include "registry/auth.h"

#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "base/strings.h"
#include "registry/reference.h"

namespace registry {
namespace {

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~/").find(c) != std::string_view::npos;
}

void skip_space(std::string_view s, size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
}

std::string read_token(std::string_view s, size_t& i) {
  size_t start = i;
  while (i < s.size() && is_token_char(s[i])) ++i;
  return std::string(s.substr(start, i - start));
}

std::string url_escape(std::string_view text) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += k_hex[u >> 4];
      out += k_hex[u & 15];
    }
  }
  return out;
}

std::string join_scopes(const std::vector<std::string>& scopes) {
  std::string key;
  for (const auto& s : scopes) key += s + " ";
  return key;
}

std::string basic_value(const Credentials& c) {
  return "Basic " + base::base64_encode(c.username + ":" + c.password);
}

}  // namespace

std::vector<Challenge> parse_www_authenticate(std::string_view h) {
  std::vector<Challenge> out;
  size_t i = 0;
  while (i < h.size()) {
    skip_space(h, i);
    while (i < h.size() && h[i] == ',') {
      ++i;
      skip_space(h, i);
    }
    std::string scheme = read_token(h, i);
    if (scheme.empty()) break;
    Challenge challenge{base::ascii_lower(scheme), {}};
    // Parameters until the next "token SP" that starts a new challenge.
    while (i < h.size()) {
      skip_space(h, i);
      size_t save = i;
      std::string name = read_token(h, i);
      skip_space(h, i);
      if (name.empty() || i >= h.size() || h[i] != '=') {
        i = save;
        break;
      }
      ++i;
      skip_space(h, i);
      std::string value;
      if (i < h.size() && h[i] == '"') {
        ++i;
        while (i < h.size() && h[i] != '"') {
          if (h[i] == '\\' && i + 1 < h.size()) ++i;
          value += h[i++];
        }
        if (i < h.size()) ++i;
      } else {
        value = read_token(h, i);
      }
      challenge.params[base::ascii_lower(name)] = value;
      skip_space(h, i);
      if (i < h.size() && h[i] == ',') ++i;
    }
    out.push_back(std::move(challenge));
  }
  return out;
}

Result<Token> parse_token_response(std::string_view body) {
  try {
    auto doc = nlohmann::json::parse(body);
    Token token;
    if (doc.contains("token") && doc["token"].is_string()) token.value = doc["token"].get<std::string>();
    if (token.value.empty() && doc.contains("access_token") && doc["access_token"].is_string())
      token.value = doc["access_token"].get<std::string>();
    if (token.value.empty()) return base::make_error("token response has no token");
    if (doc.contains("expires_in") && doc["expires_in"].is_number_integer()) {
      auto seconds = doc["expires_in"].get<int64_t>();
      token.expires_in = std::chrono::seconds(std::max<int64_t>(seconds, 60));
    }
    return token;
  } catch (const nlohmann::json::exception&) {
    return base::make_error("token response is not JSON");
  }
}

std::string token_url(const Challenge& challenge, const std::vector<std::string>& scopes) {
  std::string url = challenge.params.count("realm") ? challenge.params.at("realm") : std::string();
  char sep = url.find('?') == std::string::npos ? '?' : '&';
  if (auto it = challenge.params.find("service"); it != challenge.params.end()) {
    url += sep + std::string("service=") + url_escape(it->second);
    sep = '&';
  }
  for (const auto& scope : scopes) {
    url += sep + std::string("scope=") + url_escape(scope);
    sep = '&';
  }
  return url;
}

std::string repository_scope(std::string_view path, bool push) {
  return "repository:" + std::string(path) + (push ? ":pull,push" : ":pull");
}

std::string url_origin(std::string_view url) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  return base::ascii_lower(url.substr(0, end));
}

Authenticator::Authenticator(std::string registry_origin, std::optional<Credentials> credentials,
                             HttpTransport& transport, Now now)
    : m_origin(url_origin(registry_origin)),
      m_credentials(std::move(credentials)),
      m_transport(transport),
      m_now(now) {}

int Authenticator::tokens_fetched() const {
  std::lock_guard lock(m_mutex);
  return m_tokens_fetched;
}

Result<std::optional<std::string>> Authenticator::authorization(const std::vector<std::string>& scopes) {
  std::lock_guard lock(m_mutex);
  if (!m_challenge) return std::optional<std::string>();
  if (m_challenge->scheme == "basic") {
    if (!m_credentials || m_credentials->username.empty()) return std::optional<std::string>();
    return std::optional<std::string>(basic_value(*m_credentials));
  }
  std::string key = join_scopes(scopes);
  auto it = m_tokens.find(key);
  if (it != m_tokens.end() && it->second.expires > m_now()) return std::optional<std::string>("Bearer " + it->second.value);
  TRY_ASSIGN(Token token, fetch_token(*m_challenge, scopes));
  // Renew a little early so that a token never expires in flight.
  auto lifetime = token.expires_in - std::chrono::seconds(std::min<int64_t>(10, token.expires_in.count() / 2));
  m_tokens[key] = CachedToken{token.value, m_now() + lifetime};
  return std::optional<std::string>("Bearer " + token.value);
}

Result<void> Authenticator::on_unauthorized(const HttpResponse& response, const std::vector<std::string>& scopes) {
  std::vector<Challenge> challenges;
  for (const auto& value : response.header_values("www-authenticate")) {
    auto parsed = parse_www_authenticate(value);
    challenges.insert(challenges.end(), parsed.begin(), parsed.end());
  }
  std::lock_guard lock(m_mutex);
  m_tokens.erase(join_scopes(scopes));
  const Challenge* chosen = nullptr;
  for (const auto& c : challenges)
    if (c.scheme == "bearer" && c.params.count("realm")) chosen = &c;
  if (!chosen)
    for (const auto& c : challenges)
      if (c.scheme == "basic") chosen = &c;
  if (!chosen) {
    return base::make_error("registry " + m_origin + " requires authentication with an unsupported scheme" +
                            (challenges.empty() ? std::string(" (no WWW-Authenticate header)")
                                                : " \"" + challenges.front().scheme + "\""));
  }
  if (chosen->scheme == "basic" && (!m_credentials || m_credentials->username.empty()))
    return base::make_error("registry " + m_origin + " requires a username and password; none are configured");
  bool repeated = m_challenge && m_challenge->scheme == chosen->scheme && chosen->scheme == "basic";
  m_challenge = *chosen;
  if (repeated) return base::make_error("registry " + m_origin + " rejected the configured credentials");
  return {};
}

Result<Token> Authenticator::fetch_token(const Challenge& challenge, const std::vector<std::string>& scopes) {
  std::string realm = challenge.params.at("realm");
  if (!realm.starts_with("https://") && !realm.starts_with("http://"))
    return base::make_error("registry " + m_origin + " named an invalid token realm \"" + realm + "\"");
  // Plain HTTP is fine for the registry's own origin, and between two
  // loopback hosts (a local registry with its token server beside it):
  // there the credentials never leave the machine.
  auto host_of = [](const std::string& origin) { return origin.substr(origin.find("://") + 3); };
  bool both_loopback = is_loopback_domain(host_of(url_origin(realm))) && is_loopback_domain(host_of(m_origin));
  bool creds_allowed = realm.starts_with("https://") || url_origin(realm) == m_origin || both_loopback;
  bool have_creds = m_credentials && !m_credentials->empty();
  if (have_creds && !creds_allowed)
    return base::make_error("refusing to send credentials for " + m_origin + " to token realm " + url_origin(realm) +
                            " over plain HTTP");

  HttpRequest request;
  std::string form;
  if (have_creds && !m_credentials->identity_token.empty()) {
    // OAuth2 refresh-token grant, as docker does for identity tokens.
    request.method = "POST";
    request.url = realm;
    form = "grant_type=refresh_token&client_id=kiln&refresh_token=" + url_escape(m_credentials->identity_token);
    if (auto it = challenge.params.find("service"); it != challenge.params.end())
      form += "&service=" + url_escape(it->second);
    for (const auto& scope : scopes) form += "&scope=" + url_escape(scope);
    request.body = form;
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  } else {
    request.url = token_url(challenge, scopes);
    if (have_creds) request.headers.emplace_back("Authorization", basic_value(*m_credentials));
  }
  HttpResult result = m_transport.send(request);
  if (auto* failure = std::get_if<TransportError>(&result))
    return base::make_error("fetching a token for " + m_origin + " from " + url_origin(realm) + ": " +
                            failure->error.message);
  auto& response = std::get<HttpResponse>(result);
  if (response.status == 401 || response.status == 403)
    return base::make_error("token server " + url_origin(realm) + " refused access to " + m_origin +
                            (have_creds ? " with the configured credentials" : " anonymously") + " (HTTP " +
                            std::to_string(response.status) + ")");
  if (response.status != 200)
    return base::make_error("token server " + url_origin(realm) + " answered HTTP " + std::to_string(response.status));
  ++m_tokens_fetched;
  return with_context(parse_token_response(response.body), "token server " + url_origin(realm));
}

}  // namespace registry
