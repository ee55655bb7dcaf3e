#pragma once
// Registry credentials from the files docker and podman keep:
//
// - docker's config.json in $DOCKER_CONFIG, else ~/.docker:
//     {"auths": {"<key>": {"auth": base64("user:pass"), "identitytoken": "..."}},
//      "credsStore": "<helper>", "credHelpers": {"<host>": "<helper>"}}
//   Keys are host[:port], or a URL (scheme and path are ignored when
//   matching); Docker Hub's key is "https://index.docker.io/v1/".
// - podman/skopeo's auth.json named by $REGISTRY_AUTH_FILE: the same "auths"
//   object, whose keys may also be host/namespace[/repo] (most specific wins).
//
// Lookup order for a registry: $REGISTRY_AUTH_FILE's auths, then config.json's
// credHelpers entry, its credsStore, and finally its auths. A helper that does
// not know the server falls through to the auths entry. Credentials are values
// the caller must never log.
//
// CredentialStore reads the files on every call (they are small, and
// `kiln login` in another shell should take effect at once). store/erase
// rewrite config.json atomically (temp file, fsync, rename) with mode 0600.
// Thread-safe for reads; concurrent writers race as docker's own do.

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "registry/credential_helper.h"

namespace registry {

struct Credentials {
  std::string username;
  std::string password;
  // An OAuth2 refresh token (docker login with an identity provider); used
  // with the token endpoint's refresh_token grant instead of the password.
  std::string identity_token;

  bool empty() const { return username.empty() && password.empty() && identity_token.empty(); }
  friend bool operator==(const Credentials&, const Credentials&) = default;
};

struct AuthConfigPaths {
  std::string docker_config_dir;   // holds config.json
  std::string registry_auth_file;  // empty: none
  std::string helper_search_path;  // $PATH for docker-credential-* programs
};

// From $DOCKER_CONFIG / $HOME, $REGISTRY_AUTH_FILE and $PATH.
AuthConfigPaths auth_config_paths_from_env();

// The config.json key docker uses for `domain`: Docker Hub's legacy URL for
// docker.io (and its aliases), else the domain itself.
std::string auth_key_for(std::string_view domain);
// A key as docker compares it: scheme and path dropped, Docker Hub's aliases
// folded into "docker.io". "https://index.docker.io/v1/" → "docker.io".
std::string normalize_auth_key(std::string_view key);

// Decodes one "auths" entry; errors name the key.
Result<Credentials> decode_auth_entry(std::string_view key, std::string_view entry_json);

class CredentialStore {
 public:
  // `runner` is borrowed and must outlive the store.
  CredentialStore(AuthConfigPaths paths, const HelperRunner& runner)
      : m_paths(std::move(paths)), m_runner(runner) {}

  // Credentials for `domain` (as in a Reference) and optionally the repository
  // path, or nullopt for anonymous access. Errors for unreadable or malformed
  // files and failing helpers, naming the file or helper.
  Result<std::optional<Credentials>> lookup(std::string_view domain, std::string_view repository = {}) const;

  // For `kiln login`: through the domain's credential helper when one is
  // configured, else as an "auths" entry in config.json.
  Result<void> store(std::string_view domain, const Credentials& credentials) const;
  // For `kiln logout`: removes the entry (and asks the helper to erase it).
  // Returns false when there was nothing to remove.
  Result<bool> erase(std::string_view domain) const;

  std::string docker_config_file() const { return m_paths.docker_config_dir + "/config.json"; }

 private:
  Result<std::optional<Credentials>> from_helper(const std::string& helper, std::string_view domain) const;
  Result<std::string> helper_for(std::string_view domain) const;

  AuthConfigPaths m_paths;
  const HelperRunner& m_runner;
};

}  // namespace registry
