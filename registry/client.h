#pragma once
// Client: the OCI distribution API (distribution-spec v1.1) for any number of
// registries. It resolves each registry's endpoint once (ping /v2/; HTTPS,
// falling back to plain HTTP only for insecure registries, which include
// loopback addresses as in docker), authenticates through a per-host
// Authenticator, retries per RetryPolicy, follows redirects itself (dropping
// credentials when a redirect leaves the registry's host), and moves blobs
// straight between the network and the content store:
//
// - fetch_blob streams into a BlobWriter that expects the descriptor's digest
//   and size, so a wrong or truncated blob never enters the store; a dropped
//   connection resumes with a Range request from the bytes already written;
// - push_blob skips blobs the registry has, tries a cross-repository mount
//   when told where the blob lives, and uploads monolithically (POST + PUT)
//   up to `chunk_size` bytes, in PATCH chunks beyond.
//
// Errors name the reference or digest and the registry's own error code and
// message when it sent one. Thread-safe: requests may run in parallel (the
// host map and each host's token cache are locked; CurlTransport hands every
// request its own easy handle from a pool, so connections are reused).

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/digest.h"
#include "base/result.h"
#include "content/content_store.h"
#include "oci/descriptor.h"
#include "registry/auth.h"
#include "registry/auth_config.h"
#include "registry/http.h"
#include "registry/reference.h"
#include "registry/retry.h"

namespace registry {

struct ClientOptions {
  HttpTransport* transport = nullptr;              // borrowed, required
  const CredentialStore* credentials = nullptr;    // borrowed; null: anonymous only
  std::vector<std::string> insecure_registries;    // domains allowed plain HTTP (loopback always is)
  RetryPolicy retry;
  // How the client waits between attempts; tests record instead of sleeping.
  std::function<void(std::chrono::milliseconds)> sleep;
  int64_t chunk_size = 16 << 20;       // larger blobs are uploaded in chunks of this size
  int64_t max_manifest_size = 4 << 20;  // as containerd and the distribution spec's advice
};

// The manifest media types we ask for (Accept) and understand.
std::string manifest_accept_header();

// Sees a download's progress: the bytes written so far, after each chunk.
// An error aborts the download (nothing is published) and is what
// fetch_blob returns.
using ByteObserver = std::function<Result<void>(int64_t written)>;

struct FetchedManifest {
  oci::Descriptor descriptor;  // media type, digest and size of `bytes`
  std::string bytes;
};

class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // GET /v2/ on the registry of `domain`: resolves the endpoint and learns
  // the authentication scheme. Other calls do this on first use.
  Result<void> ping(const std::string& domain);
  // The base URL in use for `domain` ("http://127.0.0.1:5000"), after ping.
  Result<std::string> endpoint(const std::string& domain);

  // The manifest or index `ref` names (by digest if pinned, else by tag),
  // verified against the pinned digest. Schema 1 is refused.
  Result<FetchedManifest> get_manifest(const Reference& ref);
  // Descriptor from a HEAD request; nullopt when the registry has no such manifest.
  Result<std::optional<oci::Descriptor>> head_manifest(const Reference& ref);
  // PUT under ref's tag (or digest when pinned without tag); returns the digest.
  Result<base::Digest> put_manifest(const Reference& ref, std::string_view media_type, std::string_view bytes);

  // The blob's size if `repo` has it, else nullopt.
  Result<std::optional<int64_t>> head_blob(const Reference& repo, const base::Digest& digest);
  // Downloads `desc` from `repo` into `store` (a no-op when it is already
  // there). `guard` (e.g. a metadata Lease) protects the blob from garbage
  // collection from the moment it is published. `observe`, when set, sees
  // the bytes as they arrive.
  Result<content::BlobInfo> fetch_blob(const Reference& repo, const oci::Descriptor& desc,
                                       const content::ContentStore& store, content::PublishGuard* guard = nullptr,
                                       const ByteObserver& observe = {});
  // Makes `repo` have the blob `desc`, read from `store`. With `mount_from`
  // (a repository path on the same registry), asks for a mount first.
  Result<void> push_blob(const Reference& repo, const oci::Descriptor& desc, const content::ContentStore& store,
                         const std::string& mount_from = {});
  // POST ?mount=&from=: true when the registry mounted the blob.
  Result<bool> mount_blob(const Reference& repo, const base::Digest& digest, const std::string& from);

  struct Host;

 private:
  struct Call;
  Result<Host*> host(const std::string& domain);
  Result<HttpResponse> execute(Host& host, Call& call);
  Result<std::string> start_upload(Host& h, const Reference& repo);
  Result<void> upload_monolithic(Host& h, const Reference& repo, std::string location, const oci::Descriptor& desc,
                                 const content::ContentStore& store);
  Result<void> upload_chunked(Host& h, const Reference& repo, std::string location, const oci::Descriptor& desc,
                              const content::ContentStore& store);
  void sleep(std::chrono::milliseconds delay) const;

  ClientOptions m_options;
  std::mutex m_mutex;
  std::map<std::string, std::unique_ptr<Host>> m_hosts;
};

// Formats a registry error response: "HTTP 404: MANIFEST_UNKNOWN: manifest unknown".
std::string describe_error_response(const HttpResponse& response);

}  // namespace registry
