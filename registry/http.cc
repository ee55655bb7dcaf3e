#include "registry/http.h"

#include <filesystem>

#include <dirent.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>

#include "base/curl/curl_api.h"
#include "base/strings.h"

namespace registry {
namespace {

constexpr size_t k_max_error_body = 64 * 1024;

struct Transfer {
  const HttpRequest* request = nullptr;
  HttpResponse response;
  int64_t sink_bytes = 0;
  std::optional<base::Error> sink_error;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    // A new status line (after 100 Continue, say) starts a new header block.
    t->response.headers.clear();
    size_t space = line.find(' ');
    t->response.status = space == std::string_view::npos ? 0 : std::strtol(std::string(line.substr(space + 1, 3)).c_str(), nullptr, 10);
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    t->response.headers.emplace_back(base::ascii_lower(line.substr(0, colon)), std::string(value));
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  bool success = t->response.status >= 200 && t->response.status < 300;
  if (success && t->request->sink_status != 0 && t->response.status != t->request->sink_status) return n;
  if (success && t->request->sink) {
    auto r = (*t->request->sink)(std::string_view(data, n));
    if (!r.ok()) {
      t->sink_error = std::move(r).error();
      return 0;  // aborts with CURLE_WRITE_ERROR
    }
    t->sink_bytes += static_cast<int64_t>(n);
    return n;
  }
  size_t cap = success ? std::string::npos : k_max_error_body;
  if (t->response.body.size() < cap) t->response.body.append(data, std::min(n, cap - t->response.body.size()));
  return n;
}

// Adds the extra CA files to the trust store curl already filled with the
// system's anchors (setting CURLOPT_CAINFO instead would replace those).
CURLcode on_ssl_ctx(CURL*, void* ssl_ctx, void* user) {
  const auto* files = static_cast<const std::vector<std::string>*>(user);
  X509_STORE* store = SSL_CTX_get_cert_store(static_cast<SSL_CTX*>(ssl_ctx));
  for (const auto& file : *files)
    if (X509_STORE_load_locations(store, file.c_str(), nullptr) != 1) return CURLE_SSL_CACERT_BADFILE;
  return CURLE_OK;
}

TransportFailure classify(CURLcode code, std::string_view message) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return TransportFailure::connect;
    case CURLE_OPERATION_TIMEDOUT:
      return message.find("too slow") != std::string_view::npos ? TransportFailure::stalled
                                                                 : TransportFailure::timeout;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return TransportFailure::dropped;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
      return TransportFailure::tls;
    default:
      return TransportFailure::other;
  }
}

struct SlistDeleter {
  void (*free_all)(curl_slist*);
  void operator()(curl_slist* list) const { free_all(list); }
};

std::string url_domain(std::string_view url) {
  if (size_t scheme = url.find("://"); scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  return std::string(url.substr(0, url.find_first_of("/?#")));
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (base::ascii_iequals(key, name)) return value;
  return {};
}

std::vector<std::string> HttpResponse::header_values(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : headers)
    if (base::ascii_iequals(key, name)) out.push_back(value);
  return out;
}

TlsFiles tls_files_for(const std::string& certs_dir, std::string_view domain) {
  TlsFiles files;
  std::string dir = certs_dir + "/" + std::string(domain);
  DIR* d = ::opendir(dir.c_str());
  if (!d) return files;
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    if (name.ends_with(".crt")) files.ca_files.push_back(dir + "/" + name);
    if (name.ends_with(".cert") && files.client_cert.empty()) {
      std::string key = name.substr(0, name.size() - 5) + ".key";
      if (std::binary_search(names.begin(), names.end(), key)) {
        files.client_cert = dir + "/" + name;
        files.client_key = dir + "/" + key;
      }
    }
  }
  return files;
}

namespace {

// The system's CA directory when it holds OpenSSL's hashed names: handing
// libcurl the directory instead of the bundle file means OpenSSL looks up
// only the anchors a handshake needs, instead of parsing every system
// certificate before the first connection (tens of milliseconds, paid even
// by the HTTPS probe of a plain-HTTP loopback registry). Same anchors.
std::string hashed_system_ca_dir() {
  const char* dir = "/etc/ssl/certs";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() == 10 && name.ends_with(".0")) return dir;
  }
  return {};
}

}  // namespace

CurlTransport::CurlTransport(CurlOptions options)
    : m_options(std::move(options)), m_system_ca_dir(hashed_system_ca_dir()) {}

CurlTransport::~CurlTransport() {
  if (m_idle.empty()) return;
  // Handles exist only once libcurl was loaded.
  const base::curl::Api* curl = *base::curl::api();
  for (void* handle : m_idle) curl->easy_cleanup(static_cast<CURL*>(handle));
}

void* CurlTransport::acquire(const base::curl::Api& curl) {
  std::lock_guard lock(m_mutex);
  if (m_idle.empty()) return curl.easy_init();
  void* handle = m_idle.back();
  m_idle.pop_back();
  return handle;
}

void CurlTransport::release(void* handle) {
  std::lock_guard lock(m_mutex);
  m_idle.push_back(handle);
}

HttpResult CurlTransport::send(const HttpRequest& request) {
  auto loaded = base::curl::api();
  if (!loaded.ok()) return TransportError{TransportFailure::other, loaded.error(), 0};
  const base::curl::Api* curl = *loaded;
  auto* c = static_cast<CURL*>(acquire(*curl));
  if (!c) return TransportError{TransportFailure::other, base::make_error("cannot create a curl handle"), 0};
  // reset keeps the handle's live connections, TLS sessions and DNS cache.
  curl->easy_reset(c);

  Transfer t;
  t.request = &request;
  char error_text[CURL_ERROR_SIZE] = {};
  std::string domain = url_domain(request.url);
  TlsFiles tls = request.url.starts_with("https://") ? tls_files_for(m_options.certs_dir, domain) : TlsFiles{};

  curl->easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl->easy_setopt(c, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(m_options.connect_timeout.count()));
  curl->easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, m_options.stall_bytes_per_second);
  curl->easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(m_options.stall_seconds.count()));
  curl->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl->easy_setopt(c, CURLOPT_USERAGENT, m_options.user_agent.c_str());
  curl->easy_setopt(c, CURLOPT_ERRORBUFFER, error_text);
  curl->easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl->easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl->easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl->easy_setopt(c, CURLOPT_WRITEDATA, &t);
  if (!m_system_ca_dir.empty()) {
    curl->easy_setopt(c, CURLOPT_CAINFO, nullptr);
    curl->easy_setopt(c, CURLOPT_CAPATH, m_system_ca_dir.c_str());
  }
  if (!tls.ca_files.empty()) {
#if LIBCURL_VERSION_NUM >= 0x075700
    // The cached store is shared by later connections to other hosts; the
    // extra anchors must only apply to this one.
    curl->easy_setopt(c, CURLOPT_CA_CACHE_TIMEOUT, 0L);
#endif
    curl->easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
    curl->easy_setopt(c, CURLOPT_SSL_CTX_DATA, &tls.ca_files);
  }
  if (!tls.client_cert.empty()) {
    curl->easy_setopt(c, CURLOPT_SSLCERT, tls.client_cert.c_str());
    curl->easy_setopt(c, CURLOPT_SSLKEY, tls.client_key.c_str());
  }

  bool has_body = request.method == "POST" || request.method == "PUT" || request.method == "PATCH";
  bool has_content_type = false;
  curl_slist* raw_headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    if (base::ascii_iequals(name, "content-type")) has_content_type = true;
    raw_headers = curl->slist_append(raw_headers, (name + ": " + value).c_str());
  }
  // No 100-continue round trip, and no form content type curl would invent.
  raw_headers = curl->slist_append(raw_headers, "Expect:");
  if (has_body && !has_content_type) raw_headers = curl->slist_append(raw_headers, "Content-Type:");
  std::unique_ptr<curl_slist, SlistDeleter> headers(raw_headers, SlistDeleter{curl->slist_free_all});
  curl->easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());

  if (request.method == "HEAD") {
    curl->easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (has_body) {
    curl->easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl->easy_setopt(c, CURLOPT_POSTFIELDS, request.body.empty() ? "" : request.body.data());
    curl->easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (request.method != "GET") {
    curl->easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  CURLcode code = curl->easy_perform(c);
  curl->easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl->easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  release(c);

  if (code == CURLE_OK) return std::move(t.response);
  if (t.sink_error) return TransportError{TransportFailure::other, std::move(*t.sink_error), t.sink_bytes};
  std::string detail = error_text[0] ? std::string(error_text) : std::string(curl->easy_strerror(code));
  return TransportError{classify(code, detail),
                        base::make_error(request.method + " " + request.url + ": " + detail), t.sink_bytes};
}

}  // namespace registry
