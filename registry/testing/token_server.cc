#include "registry/testing/token_server.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <chrono>
#include <cstdio>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "registry/testing/test_support.h"

namespace registry::testing {
namespace {

std::string base64url(std::string_view bytes) {
  std::string out = base::base64_encode(bytes);
  for (char& c : out) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

std::string url_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

// Every value of `name` in a query string.
std::vector<std::string> query_values(const std::string& target, const std::string& name) {
  std::vector<std::string> out;
  size_t q = target.find('?');
  if (q == std::string::npos) return out;
  std::string query = target.substr(q + 1);
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    std::string pair = query.substr(start, end - start);
    if (pair.starts_with(name + "=")) out.push_back(url_decode(pair.substr(name.size() + 1)));
    start = end + 1;
  }
  return out;
}

// "repository:a/b:pull,push" → the token's access entry.
nlohmann::json access_entry(const std::string& scope) {
  size_t first = scope.find(':'), last = scope.rfind(':');
  if (first == std::string::npos || last == first) return nullptr;
  nlohmann::json actions = nlohmann::json::array();
  std::string list = scope.substr(last + 1);
  for (size_t s = 0; s <= list.size();) {
    size_t e = list.find(',', s);
    if (e == std::string::npos) e = list.size();
    if (e > s) actions.push_back(list.substr(s, e - s));
    s = e + 1;
  }
  return {{"type", scope.substr(0, first)}, {"name", scope.substr(first + 1, last - first - 1)}, {"actions", actions}};
}

}  // namespace

TokenServer::TokenServer(const std::string& dir, TokenServerOptions options) : m_options(std::move(options)) {
  m_cert_path = dir + "/token.crt";
  std::string key_path = dir + "/token.key";
  if (run_capture({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key_path, "-out",
                   m_cert_path, "-days", "2", "-subj", "/CN=kiln test token signer"})
          .exit_code != 0) {
    m_error = "openssl could not make the token signing key";
    return;
  }
  FILE* kf = std::fopen(key_path.c_str(), "r");
  FILE* cf = std::fopen(m_cert_path.c_str(), "r");
  EVP_PKEY* key = kf ? PEM_read_PrivateKey(kf, nullptr, nullptr, nullptr) : nullptr;
  X509* cert = cf ? PEM_read_X509(cf, nullptr, nullptr, nullptr) : nullptr;
  if (kf) std::fclose(kf);
  if (cf) std::fclose(cf);
  if (!key || !cert) {
    m_error = "cannot read " + key_path + " or " + m_cert_path;
    EVP_PKEY_free(key);
    X509_free(cert);
    return;
  }
  m_key = key;
  unsigned char* der = nullptr;
  int n = i2d_X509(cert, &der);
  if (n > 0) m_cert_der_base64 = base::base64_encode(std::string_view(reinterpret_cast<char*>(der), static_cast<size_t>(n)));
  OPENSSL_free(der);
  X509_free(cert);
  m_server = std::make_unique<FakeServer>([this](const FakeRequest& r) { return handle(r); });
}

TokenServer::~TokenServer() {
  m_server.reset();
  EVP_PKEY_free(static_cast<EVP_PKEY*>(m_key));
}

int TokenServer::issued() const {
  std::lock_guard lock(m_mutex);
  int total = 0;
  for (const auto& [scope, count] : m_issued) total += count;
  return total;
}

int TokenServer::issued_for(const std::string& scope) const {
  std::lock_guard lock(m_mutex);
  auto it = m_issued.find(scope);
  return it == m_issued.end() ? 0 : it->second;
}

int TokenServer::refused() const {
  std::lock_guard lock(m_mutex);
  return m_refused;
}

std::string TokenServer::sign(const std::string& signing_input) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::string signature;
  size_t length = 0;
  if (EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, static_cast<EVP_PKEY*>(m_key)) == 1 &&
      EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) == 1) {
    signature.resize(length);
    if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1)
      signature.resize(length);
    else
      signature.clear();
  }
  EVP_MD_CTX_free(ctx);
  return signature;
}

FakeResponse TokenServer::handle(const FakeRequest& request) {
  if (!request.target.starts_with("/token")) return http_response(404, {});
  std::string expected = "Basic " + base::base64_encode(m_options.username + ":" + m_options.password);
  if (request.header("authorization") != expected) {
    std::lock_guard lock(m_mutex);
    ++m_refused;
    return http_response(401, {{"Content-Type", "application/json"}},
                         R"({"details":"incorrect username or password"})");
  }
  auto scopes = query_values(request.target, "scope");
  nlohmann::json access = nlohmann::json::array();
  for (const auto& scope : scopes)
    if (auto entry = access_entry(scope); !entry.is_null()) access.push_back(entry);
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  int serial = 0;
  {
    std::lock_guard lock(m_mutex);
    std::string key;
    for (const auto& s : scopes) key += (key.empty() ? "" : " ") + s;
    ++m_issued[key];
    serial = ++m_serial;
  }
  nlohmann::json header = {{"typ", "JWT"}, {"alg", "RS256"}, {"x5c", {m_cert_der_base64}}};
  nlohmann::json claims = {{"iss", m_options.issuer}, {"sub", m_options.username}, {"aud", m_options.service},
                           {"exp", now + 300},        {"nbf", now - 10},           {"iat", now},
                           {"jti", "kiln-test-" + std::to_string(serial)},          {"access", access}};
  std::string input = base64url(header.dump()) + "." + base64url(claims.dump());
  std::string token = input + "." + base64url(sign(input));
  nlohmann::json body = {{"token", token}, {"expires_in", 300}};
  return http_response(200, {{"Content-Type", "application/json"}}, body.dump());
}

}  // namespace registry::testing
