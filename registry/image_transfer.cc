#include "registry/image_transfer.h"

#include <sys/utsname.h>

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
                                const oci::Descriptor& desc, const std::string& mount_from) {
  TRY_ASSIGN(std::string bytes, store.read(desc.digest));
  if (oci::is_index(desc.media_type)) {
    TRY_ASSIGN(oci::Index index, oci::parse_index(bytes));
    for (const auto& child : index.manifests) {
      TRY_ASSIGN(bool present, store.exists(child.digest));
      if (present) TRY(push_manifest_tree(client, by_digest(ref, child.digest), store, child, mount_from));
    }
  } else if (oci::is_manifest(desc.media_type)) {
    TRY_ASSIGN(oci::Manifest manifest, oci::parse_manifest(bytes));
    TRY(client.push_blob(ref, manifest.config, store, mount_from));
    for (const auto& layer : manifest.layers) {
      // Foreign layers (with urls) may be absent; the registry need not hold them.
      TRY_ASSIGN(bool present, store.exists(layer.digest));
      if (!present && !layer.urls.empty()) continue;
      TRY(client.push_blob(ref, layer, store, mount_from));
    }
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
                               const oci::Platform& platform, content::PublishGuard* guard) {
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
  TRY(with_context(client.fetch_blob(ref, manifest.config, store, guard), what));
  for (const auto& layer : manifest.layers) {
    if (!layer.urls.empty()) continue;  // foreign layer: fetched from its urls, if ever
    TRY(with_context(client.fetch_blob(ref, layer, store, guard), what));
  }
  return pulled;
}

Result<void> push_image(Client& client, const Reference& ref, const content::ContentStore& store,
                        const oci::Descriptor& root, const std::string& mount_from) {
  return with_context(push_manifest_tree(client, ref, store, root, mount_from), "pushing " + ref.str());
}

}  // namespace registry
