#pragma once
// A registry Client for kiln's commands, built from the environment the way
// docker's CLI builds one: credentials from config.json / $REGISTRY_AUTH_FILE
// and credential helpers (registry/auth_config.h), TLS material from
// /etc/docker/certs.d (or $KILN_CERTS_DIR), plain HTTP for loopback registries
// and for every domain named by --insecure-registry or the comma-separated
// $KILN_INSECURE_REGISTRIES.
//
// The transport is wrapped in a recorder that notes, per blob, what the push
// did (already present, mounted, uploaded), so commands can print docker's
// per-layer lines and tests can check that a re-push uploads nothing.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/result.h"
#include "registry/auth_config.h"
#include "registry/client.h"
#include "registry/credential_helper.h"
#include "registry/http.h"

namespace cli {

struct RegistryFlags {
  std::vector<std::string> insecure_registries;  // --insecure-registry, repeatable
};

// What happened to one blob during a push.
enum class BlobOutcome { exists, mounted, pushed, fetched };

struct BlobEvent {
  std::string digest;  // "sha256:…"
  BlobOutcome outcome = BlobOutcome::pushed;
  std::string mounted_from;  // repository, for `mounted`
};

// Watches the requests of a transfer: HEAD /blobs/<d> answered 200
// (present), POST /blobs/uploads/?mount= answered 201 (mounted), the PUT that
// completes an upload answered 201 (pushed), GET /blobs/<d> answered 200 or
// 206 (fetched by a pull).
class RecordingTransport final : public registry::HttpTransport {
 public:
  explicit RecordingTransport(registry::HttpTransport& inner) : m_inner(inner) {}
  registry::HttpResult send(const registry::HttpRequest& request) override;
  // The events since the last call, in order.
  std::vector<BlobEvent> take_events();

 private:
  registry::HttpTransport& m_inner;
  std::mutex m_mutex;
  std::vector<BlobEvent> m_events;
};

// Owns everything a Client borrows.
class RegistrySession {
 public:
  explicit RegistrySession(const RegistryFlags& flags);
  RegistrySession(const RegistrySession&) = delete;
  RegistrySession& operator=(const RegistrySession&) = delete;

  registry::Client& client() { return *m_client; }
  registry::HttpTransport& transport() { return m_recorder; }
  const registry::CredentialStore& credentials() const { return m_credentials; }
  std::vector<BlobEvent> take_events() { return m_recorder.take_events(); }

 private:
  registry::CurlTransport m_curl;
  RecordingTransport m_recorder;
  registry::SpawnHelperRunner m_helpers;
  registry::CredentialStore m_credentials;
  std::unique_ptr<registry::Client> m_client;
};

// --insecure-registry values plus $KILN_INSECURE_REGISTRIES, deduplicated.
std::vector<std::string> insecure_registries(const RegistryFlags& flags);

}  // namespace cli
