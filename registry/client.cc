#include "registry/client.h"

#include <algorithm>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "oci/manifest.h"
#include "oci/media_types.h"
#include "registry/client_internal.h"

namespace registry {
namespace {

constexpr int k_max_redirects = 5;

bool is_supported_manifest_type(std::string_view type) { return oci::is_manifest(type) || oci::is_index(type); }

bool is_schema1(std::string_view type) {
  return type == oci::k_media_docker_manifest_v1 || type == oci::k_media_docker_manifest_v1_signed;
}

std::string resolve_location(const std::string& current, const std::string& location) {
  if (location.starts_with("http://") || location.starts_with("https://")) return location;
  std::string origin = url_origin(current);
  if (location.starts_with("/")) return origin + location;
  std::string base = current.substr(0, current.find('?'));
  return base.substr(0, base.rfind('/') + 1) + location;
}

int64_t unix_now() { return base::SystemClock().now_unix_seconds(); }

}  // namespace

std::string manifest_accept_header() {
  return std::string(oci::k_media_oci_index) + ", " + std::string(oci::k_media_oci_manifest) + ", " +
         std::string(oci::k_media_docker_manifest_list) + ", " + std::string(oci::k_media_docker_manifest);
}

std::string describe_error_response(const HttpResponse& response) {
  std::string out = "HTTP " + std::to_string(response.status);
  try {
    auto doc = nlohmann::json::parse(response.body);
    if (doc.is_object() && doc.contains("errors") && doc["errors"].is_array()) {
      for (const auto& e : doc["errors"]) {
        if (!e.is_object()) continue;
        out += ": " + e.value("code", std::string("UNKNOWN"));
        std::string message = e.value("message", std::string());
        if (!message.empty()) out += ": " + message;
      }
    }
  } catch (const nlohmann::json::exception&) {
    // Not a distribution error document; the status says enough.
  }
  return out;
}

std::string api_url(const Client::Host& host, const Reference& repo, const std::string& suffix) {
  return host.base_url + "/v2/" + repo.path + "/" + suffix;
}

std::string upload_url(const Client::Host& host, const std::string& location, const std::string& query) {
  std::string url = resolve_location(host.base_url + "/v2/", location);
  if (!query.empty()) url += (url.find('?') == std::string::npos ? "?" : "&") + query;
  return url;
}

Client::Client(ClientOptions options) : m_options(std::move(options)) {}
Client::~Client() = default;

void Client::sleep(std::chrono::milliseconds delay) const {
  if (m_options.sleep) m_options.sleep(delay);
  else std::this_thread::sleep_for(delay);
}

Result<Client::Host*> Client::host(const std::string& domain) {
  std::lock_guard lock(m_mutex);
  if (auto it = m_hosts.find(domain); it != m_hosts.end()) return it->second.get();

  Reference probe{domain, "x", "latest", std::nullopt};
  std::string endpoint_host = probe.endpoint_host();
  bool loopback = is_loopback_domain(domain);
  bool insecure = loopback || std::find(m_options.insecure_registries.begin(), m_options.insecure_registries.end(),
                                        domain) != m_options.insecure_registries.end();
  std::vector<std::string> candidates{"https://" + endpoint_host};
  if (insecure) candidates.push_back("http://" + endpoint_host);
  // A registry on this machine is most often plain HTTP: ask that first, as
  // containerd does for localhost, and skip a TLS handshake that costs more
  // than the rest of a re-push. A TLS registry answers the plain request
  // with an error status and is then reached over HTTPS.
  if (loopback) std::swap(candidates[0], candidates[1]);

  std::optional<Credentials> creds;
  if (m_options.credentials) {
    TRY_ASSIGN(creds, with_context(m_options.credentials->lookup(domain), "reading credentials for " + domain));
  }
  std::string last_error;
  for (const auto& base : candidates) {
    HttpRequest request;
    request.url = base + "/v2/";
    HttpResult result;
    // A ping is retried like any request, but a registry that speaks only
    // plain HTTP fails the TLS handshake at once, and we move on.
    for (int attempt = 1;; ++attempt) {
      result = m_options.transport->send(request);
      auto delay = retry_delay(m_options.retry, attempt, result, unix_now());
      if (!delay || (std::holds_alternative<TransportError>(result) && insecure)) break;
      sleep(*delay);
    }
    if (auto* failure = std::get_if<TransportError>(&result)) {
      last_error += (last_error.empty() ? "" : "; ") + failure->error.message;
      continue;
    }
    auto& response = std::get<HttpResponse>(result);
    if (response.status != 200 && response.status != 401) {
      last_error += (last_error.empty() ? "" : "; ") + ("GET " + request.url + ": " + describe_error_response(response));
      continue;
    }
    auto h = std::make_unique<Host>();
    h->domain = domain;
    h->base_url = base;
    h->auth = std::make_unique<Authenticator>(base, creds, *m_options.transport);
    if (response.status == 401) {
      // Learn the scheme now so the first real request carries credentials.
      // Failing to satisfy it surfaces on that request with its scope.
      (void)h->auth->on_unauthorized(response, {});
    }
    Host* raw = h.get();
    m_hosts[domain] = std::move(h);
    return raw;
  }
  return base::make_error("cannot reach registry " + domain + ": " + last_error);
}

Result<void> Client::ping(const std::string& domain) {
  TRY(host(domain));
  return {};
}

Result<std::string> Client::endpoint(const std::string& domain) {
  TRY_ASSIGN(Host * h, host(domain));
  return h->base_url;
}

Result<HttpResponse> Client::execute(Host& h, Call& call) {
  call.interrupted = false;
  std::string url = call.url;
  std::string method = call.method;
  std::string_view body = call.body;
  int redirects = 0;
  bool reauthenticated = false;
  for (int attempt = 1;;) {
    HttpRequest request;
    request.method = method;
    request.url = url;
    request.headers = call.headers;
    request.body = body;
    request.sink = call.sink;
    request.sink_status = call.sink_status;
    // Credentials only ever go to the registry's own origin.
    if (url_origin(url) == url_origin(h.base_url)) {
      TRY_ASSIGN(auto authorization, h.auth->authorization(call.scopes));
      if (authorization) request.headers.emplace_back("Authorization", *authorization);
    }
    HttpResult result = m_options.transport->send(request);

    if (auto* failure = std::get_if<TransportError>(&result)) {
      if (failure->body_bytes > 0) {
        call.interrupted = is_retryable_failure(failure->kind);
        return failure->error;
      }
      bool connect = failure->kind == TransportFailure::connect;
      auto delay = retry_delay(m_options.retry, attempt, result, unix_now());
      if (!delay || (call.retry == RetryMode::connect_only && !connect)) return failure->error;
      sleep(*delay);
      ++attempt;
      continue;
    }
    auto& response = std::get<HttpResponse>(result);
    if (response.status == 401 && !reauthenticated && url_origin(url) == url_origin(h.base_url)) {
      TRY(with_context(h.auth->on_unauthorized(response, call.scopes), method + " " + url));
      reauthenticated = true;
      continue;
    }
    if (response.status >= 300 && response.status < 400 && response.status != 304) {
      std::string location = response.header("location");
      if (location.empty() || ++redirects > k_max_redirects) return response;
      url = resolve_location(url, location);
      if (response.status == 303 || ((response.status == 301 || response.status == 302) && method == "POST")) {
        method = "GET";
        body = {};
      }
      continue;
    }
    if (is_retryable_status(response.status) && call.retry == RetryMode::transient) {
      if (auto delay = retry_delay(m_options.retry, attempt, result, unix_now())) {
        sleep(*delay);
        ++attempt;
        continue;
      }
    }
    return response;
  }
}

Result<FetchedManifest> Client::get_manifest(const Reference& ref) {
  TRY_ASSIGN(Host * h, host(ref.domain));
  std::string bytes;
  const int64_t limit = m_options.max_manifest_size;
  BodySink sink = [&](std::string_view chunk) -> Result<void> {
    if (static_cast<int64_t>(bytes.size() + chunk.size()) > limit)
      return base::make_error("manifest " + ref.str() + " is larger than " + std::to_string(limit) + " bytes");
    bytes.append(chunk);
    return {};
  };
  Call call;
  call.url = api_url(*h, ref, "manifests/" + ref.manifest_ref());
  call.headers = {{"Accept", manifest_accept_header()}};
  call.sink = &sink;
  call.scopes = {repository_scope(ref.path, false)};
  TRY_ASSIGN(HttpResponse response, with_context(execute(*h, call), "fetching manifest " + ref.str()));
  if (response.status != 200)
    return base::make_error("fetching manifest " + ref.str() + ": " + describe_error_response(response));

  std::string type = response.header("content-type");
  type = type.substr(0, type.find(';'));
  if (is_schema1(type) || !is_supported_manifest_type(type)) {
    auto detected = oci::detect_media_type(bytes);
    if (!detected.ok() || is_schema1(type))
      return base::make_error("manifest " + ref.str() + " is a Docker schema 1 manifest or not a manifest at all (" +
                              (type.empty() ? std::string("no content type") : type) +
                              "); schema 1 is deprecated and not supported");
    type = *detected;
  }
  FetchedManifest out{oci::describe(type, bytes), std::move(bytes)};
  if (ref.digest && out.descriptor.digest != *ref.digest)
    return base::make_error("manifest " + ref.str() + " has digest " + out.descriptor.digest.str() + ", expected " +
                            ref.digest->str());
  std::string announced = response.header("docker-content-digest");
  if (!ref.digest && announced.starts_with("sha256:") && announced != out.descriptor.digest.str())
    return base::make_error("manifest " + ref.str() + " has digest " + out.descriptor.digest.str() +
                            " but the registry announced " + announced);
  return out;
}

Result<std::optional<oci::Descriptor>> Client::head_manifest(const Reference& ref) {
  TRY_ASSIGN(Host * h, host(ref.domain));
  Call call;
  call.method = "HEAD";
  call.url = api_url(*h, ref, "manifests/" + ref.manifest_ref());
  call.headers = {{"Accept", manifest_accept_header()}};
  call.scopes = {repository_scope(ref.path, false)};
  TRY_ASSIGN(HttpResponse response, with_context(execute(*h, call), "checking manifest " + ref.str()));
  if (response.status == 404) return std::optional<oci::Descriptor>();
  if (response.status != 200)
    return base::make_error("checking manifest " + ref.str() + ": " + describe_error_response(response));
  oci::Descriptor desc;
  desc.media_type = response.header("content-type");
  desc.media_type = desc.media_type.substr(0, desc.media_type.find(';'));
  std::string digest = response.header("docker-content-digest");
  if (digest.empty() && ref.digest) digest = ref.digest->str();
  TRY_ASSIGN(desc.digest, with_context(base::Digest::parse(digest), "manifest " + ref.str()));
  desc.size = std::strtoll(response.header("content-length").c_str(), nullptr, 10);
  return std::optional<oci::Descriptor>(std::move(desc));
}

Result<base::Digest> Client::put_manifest(const Reference& ref, std::string_view media_type, std::string_view bytes) {
  TRY_ASSIGN(Host * h, host(ref.domain));
  base::Digest digest = base::Sha256::of(bytes);
  Call call;
  call.method = "PUT";
  call.url = api_url(*h, ref, "manifests/" + (ref.tag.empty() ? digest.str() : ref.tag));
  call.headers = {{"Content-Type", std::string(media_type)}};
  call.body = bytes;
  call.scopes = {repository_scope(ref.path, true)};
  TRY_ASSIGN(HttpResponse response, with_context(execute(*h, call), "pushing manifest " + ref.str()));
  if (response.status != 201 && response.status != 200)
    return base::make_error("pushing manifest " + ref.str() + ": " + describe_error_response(response));
  std::string announced = response.header("docker-content-digest");
  if (announced.starts_with("sha256:") && announced != digest.str())
    return base::make_error("registry stored manifest " + ref.str() + " as " + announced + ", expected " + digest.str());
  return digest;
}

Result<std::optional<int64_t>> Client::head_blob(const Reference& repo, const base::Digest& digest) {
  TRY_ASSIGN(Host * h, host(repo.domain));
  Call call;
  call.method = "HEAD";
  call.url = api_url(*h, repo, "blobs/" + digest.str());
  call.scopes = {repository_scope(repo.path, false)};
  TRY_ASSIGN(HttpResponse response, with_context(execute(*h, call), "checking blob " + digest.str()));
  if (response.status == 404) return std::optional<int64_t>();
  if (response.status != 200)
    return base::make_error("checking blob " + digest.str() + " in " + repo.name() + ": " +
                            describe_error_response(response));
  return std::optional<int64_t>(std::strtoll(response.header("content-length").c_str(), nullptr, 10));
}

}  // namespace registry
