#include "registry/image_transfer.h"

#include <sys/utsname.h>

#include <mutex>
#include <vector>

#include "oci/media_types.h"

namespace registry {
namespace {

std::string goarch(std::string_view machine) {
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64" || machine == "arm64") return "arm64";
  if (machine.starts_with("armv")) return "arm";
  if (machine == "i386" || machine == "i686") return "386";
  return std::string(machine);
}

Reference by_digest(const Reference& ref, const base::Digest& digest) {
  return Reference{ref.domain, ref.path, {}, digest};
}

// Lets the parallel downloads share one guard (a metadata Lease is not
// thread-safe): its calls take turns.
class SerializedGuard final : public content::PublishGuard {
 public:
  explicit SerializedGuard(content::PublishGuard* inner) : m_inner(inner) {}
  Result<void> protect(const base::Digest& digest) override {
    std::lock_guard lock(m_mutex);
    return m_inner->protect(digest);
  }

 private:
  content::PublishGuard* m_inner;
  std::mutex m_mutex;
};

Result<void> store_manifest(const content::ContentStore& store, const FetchedManifest& fetched,
                            content::PublishGuard* guard) {
  content::WriterOptions options;
  options.guard = guard;
  options.expected_digest = fetched.descriptor.digest;
  options.expected_size = fetched.descriptor.size;
  TRY(store.write_blob(fetched.bytes, options));
  return {};
}

Result<void> push_manifest_tree(Client& client, const Reference& ref, const content::ContentStore& store,
                                const oci::Descriptor& desc, const std::string& mount_from,
                                const TransferOptions& options) {
  TRY_ASSIGN(std::string bytes, store.read(desc.digest));
  if (oci::is_index(desc.media_type)) {
    TRY_ASSIGN(oci::Index index, oci::parse_index(bytes));
    for (const auto& child : index.manifests) {
      TRY_ASSIGN(bool present, store.exists(child.digest));
      if (present) TRY(push_manifest_tree(client, by_digest(ref, child.digest), store, child, mount_from, options));
    }
  } else if (oci::is_manifest(desc.media_type)) {
    TRY_ASSIGN(oci::Manifest manifest, oci::parse_manifest(bytes));
    std::vector<oci::Descriptor> blobs{manifest.config};
    for (const auto& layer : manifest.layers) {
      // Foreign layers (with urls) may be absent; the registry need not hold them.
      TRY_ASSIGN(bool present, store.exists(layer.digest));
      if (!present && !layer.urls.empty()) continue;
      blobs.push_back(layer);
    }
    auto push = [&](const oci::Descriptor& blob, const BlobTask& task) -> Result<void> {
      TRY(client.push_blob(ref, blob, store, mount_from));
      task.bytes(blob.size);
      return {};
    };
    TRY(transfer_blobs(blobs, options.max_concurrent, options.progress, push));
  } else {
    return base::make_error("cannot push " + desc.digest.str() + ": media type \"" + desc.media_type +
                            "\" is neither a manifest nor an index");
  }
  TRY(client.put_manifest(ref, desc.media_type, bytes));
  return {};
}

}  // namespace

oci::Platform host_platform() {
  utsname u{};
  ::uname(&u);
  oci::Platform p;
  p.os = "linux";
  p.architecture = goarch(u.machine);
  return p;
}

Result<oci::Descriptor> select_platform(const oci::Index& index, const oci::Platform& platform) {
  std::string offered;
  for (const auto& m : index.manifests) {
    if (!m.platform || !oci::is_manifest(m.media_type)) continue;
    if (m.platform->os == platform.os && m.platform->architecture == platform.architecture &&
        (platform.variant.empty() || m.platform->variant == platform.variant))
      return m;
    offered += (offered.empty() ? "" : ", ") + oci::format_platform(*m.platform);
  }
  return base::make_error("no manifest for platform " + oci::format_platform(platform) + " (the index offers " +
                          (offered.empty() ? std::string("none") : offered) + ")");
}

Result<PulledImage> pull_image(Client& client, const Reference& ref, const content::ContentStore& store,
                               const oci::Platform& platform, content::PublishGuard* guard,
                               const TransferOptions& options) {
  const std::string what = "pulling " + ref.str();
  TRY_ASSIGN(FetchedManifest root, with_context(client.get_manifest(ref), what));
  TRY(with_context(store_manifest(store, root, guard), what));
  PulledImage pulled{root.descriptor, root.descriptor};
  FetchedManifest image = root;
  if (oci::is_index(root.descriptor.media_type)) {
    TRY_ASSIGN(oci::Index index, with_context(oci::parse_index(root.bytes), what));
    TRY_ASSIGN(oci::Descriptor chosen, with_context(select_platform(index, platform), what));
    TRY_ASSIGN(image, with_context(client.get_manifest(by_digest(ref, chosen.digest)), what));
    if (!oci::is_manifest(image.descriptor.media_type))
      return base::make_error(what + ": " + chosen.digest.str() + " is not an image manifest");
    TRY(with_context(store_manifest(store, image, guard), what));
    pulled.manifest = image.descriptor;
  }
  TRY_ASSIGN(oci::Manifest manifest, with_context(oci::parse_manifest(image.bytes), what));
  std::vector<oci::Descriptor> blobs{manifest.config};
  for (const auto& layer : manifest.layers)
    if (layer.urls.empty()) blobs.push_back(layer);  // foreign layers: fetched from their urls, if ever
  SerializedGuard serialized(guard);
  content::PublishGuard* shared_guard = guard ? &serialized : nullptr;
  auto fetch = [&](const oci::Descriptor& blob, const BlobTask& task) -> Result<void> {
    ByteObserver observe = [&](int64_t written) -> Result<void> {
      if (task.stop.load()) return base::make_error("stopped: another blob failed");
      task.bytes(written);
      return {};
    };
    TRY(client.fetch_blob(ref, blob, store, shared_guard, observe));
    return {};
  };
  TRY(with_context(transfer_blobs(blobs, options.max_concurrent, options.progress, fetch), what));
  return pulled;
}

Result<PushedImage> push_image(Client& client, const Reference& ref, const content::ContentStore& store,
                               const oci::Descriptor& root, const std::string& mount_from,
                               const TransferOptions& options) {
  // Only a positive answer is used: a failed or odd HEAD (no digest header,
  // a registry that refuses HEAD) falls back to the full push.
  auto present = client.head_manifest(ref);
  if (present.ok() && *present && (*present)->digest == root.digest) return PushedImage{true};
  TRY(with_context(push_manifest_tree(client, ref, store, root, mount_from, options), "pushing " + ref.str()));
  return PushedImage{};
}

}  // namespace registry
