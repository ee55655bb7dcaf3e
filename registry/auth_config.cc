#include "registry/auth_config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "registry/reference.h"

namespace registry {
namespace {

using nlohmann::json;

std::string env_or(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::string(value) : std::move(fallback);
}

// The file's JSON, or nullopt when it does not exist.
Result<std::optional<json>> read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::optional<json>();
    return base::make_error("cannot read " + path + ": " + std::strerror(errno));
  }
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return std::optional<json>(json::object());
  try {
    json doc = json::parse(text);
    if (!doc.is_object()) return base::make_error("invalid credentials file " + path + ": not a JSON object");
    return std::optional<json>(std::move(doc));
  } catch (const json::exception& e) {
    return base::make_error("invalid credentials file " + path + ": " + e.what());
  }
}

std::string string_field(const json& obj, const char* name) {
  auto it = obj.find(name);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool is_hub(std::string_view host) {
  return host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io";
}

// Finds the "auths" entry for `domain` (and `repository`, for auth.json's
// namespaced keys). Exact keys win over normalized matches, longer
// repository prefixes over shorter ones.
const json* find_auth_entry(const json& auths, std::string_view domain, std::string_view repository) {
  if (!auths.is_object()) return nullptr;
  std::string want = normalize_auth_key(domain);
  // host/ns/repo, host/ns, ... most specific first.
  std::string repo(repository);
  while (!repo.empty()) {
    auto it = auths.find(std::string(domain) + "/" + repo);
    if (it != auths.end()) return &*it;
    size_t slash = repo.rfind('/');
    repo = slash == std::string::npos ? std::string() : repo.substr(0, slash);
  }
  for (const std::string& key : {auth_key_for(domain), std::string(domain)}) {
    auto it = auths.find(key);
    if (it != auths.end()) return &*it;
  }
  for (auto it = auths.begin(); it != auths.end(); ++it) {
    if (it.key().find('/') != std::string::npos && it.key().find("://") == std::string::npos &&
        !it.key().ends_with("/"))
      continue;  // a namespaced auth.json key for another repository
    if (normalize_auth_key(it.key()) == want) return &*it;
  }
  return nullptr;
}

Result<void> write_file_atomically(const std::string& path, const std::string& content) {
  std::string dir = path.substr(0, path.rfind('/'));
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return base::make_error("cannot create " + dir + ": " + std::strerror(errno));
  std::string tmp = path + ".tmp-XXXXXX";
  int fd = ::mkstemp(tmp.data());  // mode 0600
  if (fd < 0) return base::make_error("cannot create a temporary file next to " + path + ": " + std::strerror(errno));
  auto fail = [&](const std::string& what) {
    int saved = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return base::make_error(what + " " + path + ": " + std::strerror(saved));
  };
  size_t done = 0;
  while (done < content.size()) {
    ssize_t w = ::write(fd, content.data() + done, content.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    done += static_cast<size_t>(w);
  }
  if (::fchmod(fd, 0600) != 0 || ::fsync(fd) != 0) return fail("cannot sync");
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int saved = errno;
    ::unlink(tmp.c_str());
    return base::make_error("cannot replace " + path + ": " + std::strerror(saved));
  }
  return {};
}

}  // namespace

AuthConfigPaths auth_config_paths_from_env() {
  AuthConfigPaths paths;
  paths.docker_config_dir = env_or("DOCKER_CONFIG", env_or("HOME", "/root") + "/.docker");
  paths.registry_auth_file = env_or("REGISTRY_AUTH_FILE", "");
  paths.helper_search_path = env_or("PATH", "/usr/local/bin:/usr/bin:/bin");
  return paths;
}

std::string auth_key_for(std::string_view domain) {
  return is_hub(domain) ? std::string(k_docker_hub_auth_key) : std::string(domain);
}

std::string normalize_auth_key(std::string_view key) {
  if (size_t scheme = key.find("://"); scheme != std::string_view::npos) key.remove_prefix(scheme + 3);
  key = key.substr(0, key.find('/'));
  return is_hub(key) ? std::string(k_docker_hub_domain) : std::string(key);
}

Result<Credentials> decode_auth_entry(std::string_view key, std::string_view entry_json) {
  json entry;
  try {
    entry = json::parse(entry_json);
  } catch (const json::exception& e) {
    return base::make_error("invalid auths entry \"" + std::string(key) + "\": " + e.what());
  }
  if (!entry.is_object()) return base::make_error("invalid auths entry \"" + std::string(key) + "\": not an object");
  Credentials creds;
  creds.username = string_field(entry, "username");
  creds.password = string_field(entry, "password");
  creds.identity_token = string_field(entry, "identitytoken");
  std::string auth = string_field(entry, "auth");
  if (!auth.empty()) {
    auto decoded = base::base64_decode(auth);
    if (!decoded.ok())
      return base::make_error("invalid auths entry \"" + std::string(key) + "\": \"auth\" is not base64");
    size_t colon = decoded->find(':');
    if (colon == std::string::npos)
      return base::make_error("invalid auths entry \"" + std::string(key) + "\": \"auth\" is not user:password");
    creds.username = decoded->substr(0, colon);
    creds.password = decoded->substr(colon + 1);
  }
  return creds;
}

Result<std::string> CredentialStore::helper_for(std::string_view domain) const {
  TRY_ASSIGN(auto doc, read_json_file(docker_config_file()));
  if (!doc) return std::string();
  auto helpers = doc->find("credHelpers");
  if (helpers != doc->end() && helpers->is_object()) {
    for (const std::string& key : {std::string(domain), auth_key_for(domain)}) {
      auto it = helpers->find(key);
      if (it != helpers->end() && it->is_string()) return it->get<std::string>();
    }
  }
  return string_field(*doc, "credsStore");
}

Result<std::optional<Credentials>> CredentialStore::from_helper(const std::string& helper,
                                                                std::string_view domain) const {
  std::string server = auth_key_for(domain);
  TRY_ASSIGN(HelperOutput out, m_runner.run(helper, "get", server));
  if (out.exit_code != 0) {
    if (is_helper_not_found(out)) return std::optional<Credentials>();
    std::string detail = out.err.empty() ? out.out : out.err;
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r')) detail.pop_back();
    return base::make_error("credential helper docker-credential-" + helper + " failed for " + server + ": " +
                            detail);
  }
  try {
    json answer = json::parse(out.out);
    Credentials creds;
    std::string user = string_field(answer, "Username");
    std::string secret = string_field(answer, "Secret");
    // docker's convention: an identity token is stored under the user "<token>".
    if (user == "<token>") {
      creds.identity_token = secret;
    } else {
      creds.username = user;
      creds.password = secret;
    }
    if (creds.empty()) return std::optional<Credentials>();
    return std::optional<Credentials>(std::move(creds));
  } catch (const json::exception&) {
    return base::make_error("credential helper docker-credential-" + helper + " gave malformed output for " + server);
  }
}

Result<std::optional<Credentials>> CredentialStore::lookup(std::string_view domain, std::string_view repository) const {
  if (!m_paths.registry_auth_file.empty()) {
    TRY_ASSIGN(auto doc, read_json_file(m_paths.registry_auth_file));
    if (doc) {
      auto auths = doc->find("auths");
      if (auths != doc->end()) {
        if (const json* entry = find_auth_entry(*auths, domain, repository)) {
          TRY_ASSIGN(Credentials creds, decode_auth_entry(domain, entry->dump()));
          if (!creds.empty()) return std::optional<Credentials>(std::move(creds));
        }
      }
    }
  }
  TRY_ASSIGN(std::string helper, helper_for(domain));
  if (!helper.empty()) {
    TRY_ASSIGN(auto creds, from_helper(helper, domain));
    if (creds) return creds;
  }
  TRY_ASSIGN(auto doc, read_json_file(docker_config_file()));
  if (!doc) return std::optional<Credentials>();
  auto auths = doc->find("auths");
  if (auths == doc->end()) return std::optional<Credentials>();
  const json* entry = find_auth_entry(*auths, domain, {});
  if (!entry) return std::optional<Credentials>();
  TRY_ASSIGN(Credentials creds, with_context(decode_auth_entry(domain, entry->dump()), docker_config_file()));
  if (creds.empty()) return std::optional<Credentials>();
  return std::optional<Credentials>(std::move(creds));
}

Result<void> CredentialStore::store(std::string_view domain, const Credentials& credentials) const {
  TRY_ASSIGN(std::string helper, helper_for(domain));
  std::string key = auth_key_for(domain);
  TRY_ASSIGN(auto existing, read_json_file(docker_config_file()));
  json doc = existing ? std::move(*existing) : json::object();
  if (!doc["auths"].is_object()) doc["auths"] = json::object();
  if (!helper.empty()) {
    json input = {{"ServerURL", key},
                  {"Username", credentials.identity_token.empty() ? credentials.username : "<token>"},
                  {"Secret", credentials.identity_token.empty() ? credentials.password : credentials.identity_token}};
    TRY_ASSIGN(HelperOutput out, m_runner.run(helper, "store", input.dump()));
    if (out.exit_code != 0)
      return base::make_error("credential helper docker-credential-" + helper + " could not store credentials for " +
                              key);
    // docker leaves an empty entry so that `docker login` lists the registry.
    doc["auths"][key] = json::object();
  } else {
    json entry = json::object();
    if (!credentials.username.empty() || !credentials.password.empty())
      entry["auth"] = base::base64_encode(credentials.username + ":" + credentials.password);
    if (!credentials.identity_token.empty()) entry["identitytoken"] = credentials.identity_token;
    doc["auths"][key] = std::move(entry);
  }
  return write_file_atomically(docker_config_file(), doc.dump(1, '\t') + "\n");
}

Result<bool> CredentialStore::erase(std::string_view domain) const {
  TRY_ASSIGN(std::string helper, helper_for(domain));
  std::string key = auth_key_for(domain);
  bool removed = false;
  if (!helper.empty()) {
    TRY_ASSIGN(HelperOutput out, m_runner.run(helper, "erase", key));
    if (out.exit_code == 0) removed = true;
    else if (!is_helper_not_found(out))
      return base::make_error("credential helper docker-credential-" + helper + " could not erase credentials for " +
                              key);
  }
  TRY_ASSIGN(auto existing, read_json_file(docker_config_file()));
  if (!existing) return removed;
  json doc = std::move(*existing);
  auto auths = doc.find("auths");
  if (auths == doc.end() || !auths->is_object()) return removed;
  std::vector<std::string> keys;
  for (auto it = auths->begin(); it != auths->end(); ++it)
    if (it.key() == key || normalize_auth_key(it.key()) == normalize_auth_key(domain)) keys.push_back(it.key());
  if (keys.empty()) return removed;
  for (const auto& k : keys) auths->erase(k);
  TRY(write_file_atomically(docker_config_file(), doc.dump(1, '\t') + "\n"));
  return true;
}

}  // namespace registry
