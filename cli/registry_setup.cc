#include "cli/registry_setup.h"

#include <algorithm>
#include <cstdlib>

namespace cli {
namespace {

// The path of a URL without scheme, host and query.
std::string url_path(const std::string& url) {
  size_t scheme = url.find("://");
  size_t start = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (start == std::string::npos) return "/";
  return url.substr(start, url.find('?', start) - start);
}

// The value of `key` in the URL's query, or "".
std::string query_value(const std::string& url, const std::string& key) {
  size_t q = url.find('?');
  if (q == std::string::npos) return {};
  std::string query = url.substr(q + 1);
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    std::string pair = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    if (pair.rfind(key + "=", 0) == 0) return pair.substr(key.size() + 1);
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return {};
}

std::string url_decode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

registry::HttpResult RecordingTransport::send(const registry::HttpRequest& request) {
  registry::HttpResult result = m_inner.send(request);
  const auto* response = std::get_if<registry::HttpResponse>(&result);
  if (!response) return result;
  std::string path = url_path(request.url);
  std::optional<BlobEvent> event;
  size_t blobs = path.find("/blobs/");
  bool blob_path = blobs != std::string::npos && path.find("/blobs/uploads") == std::string::npos;
  if (request.method == "GET" && blob_path && (response->status == 200 || response->status == 206)) {
    event = BlobEvent{path.substr(blobs + 7), BlobOutcome::fetched, {}};
  } else if (request.method == "HEAD" && blob_path && response->status == 200) {
    event = BlobEvent{path.substr(blobs + 7), BlobOutcome::exists, {}};
  } else if (request.method == "POST" && path.ends_with("/blobs/uploads/") && response->status == 201 &&
             !query_value(request.url, "mount").empty()) {
    event = BlobEvent{url_decode(query_value(request.url, "mount")), BlobOutcome::mounted,
                      url_decode(query_value(request.url, "from"))};
  } else if (request.method == "PUT" && path.find("/blobs/uploads/") != std::string::npos &&
             response->status == 201) {
    event = BlobEvent{url_decode(query_value(request.url, "digest")), BlobOutcome::pushed, {}};
  }
  if (event) {
    std::lock_guard lock(m_mutex);
    m_events.push_back(std::move(*event));
  }
  return result;
}

std::vector<BlobEvent> RecordingTransport::take_events() {
  std::lock_guard lock(m_mutex);
  return std::exchange(m_events, {});
}

std::vector<std::string> insecure_registries(const RegistryFlags& flags) {
  std::vector<std::string> out;
  auto add = [&out](std::string value) {
    while (!value.empty() && value.back() == ' ') value.pop_back();
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    // "http://host:5000/" is accepted for "host:5000", as docker's daemon does.
    for (const char* scheme : {"http://", "https://"})
      if (value.rfind(scheme, 0) == 0) value = value.substr(std::string(scheme).size());
    while (!value.empty() && value.back() == '/') value.pop_back();
    if (!value.empty() && std::find(out.begin(), out.end(), value) == out.end()) out.push_back(value);
  };
  for (const std::string& f : flags.insecure_registries) add(f);
  if (const char* env = std::getenv("KILN_INSECURE_REGISTRIES")) {
    std::string list = env;
    size_t pos = 0;
    while (pos <= list.size()) {
      size_t comma = list.find(',', pos);
      add(list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  }
  return out;
}

namespace {

registry::CurlOptions curl_options() {
  registry::CurlOptions options;
  if (const char* dir = std::getenv("KILN_CERTS_DIR"); dir && *dir) options.certs_dir = dir;
  options.user_agent = std::string("kiln/") + KILN_VERSION;
  return options;
}

}  // namespace

RegistrySession::RegistrySession(const RegistryFlags& flags)
    : m_curl(curl_options()),
      m_recorder(m_curl),
      m_helpers(registry::auth_config_paths_from_env().helper_search_path),
      m_credentials(registry::auth_config_paths_from_env(), m_helpers) {
  registry::ClientOptions options;
  options.transport = &m_recorder;
  options.credentials = &m_credentials;
  options.insecure_registries = insecure_registries(flags);
  m_client = std::make_unique<registry::Client>(std::move(options));
}

}  // namespace cli
