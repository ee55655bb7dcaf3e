#include "cli/build_cache.h"

#include "oci/manifest.h"
#include "registry/image_transfer.h"
#include "registry/reference.h"
#include "solver/ops/cache/local_cache.h"

namespace cli {
namespace {

namespace cache = solver::ops::cache;

class RegistryCacheSource final : public cache::CacheBlobSource {
 public:
  RegistryCacheSource(std::shared_ptr<RegistrySession> session, registry::Reference ref)
      : m_session(std::move(session)), m_ref(std::move(ref)) {}
  std::string name() const override { return "registry cache " + m_ref.str(); }
  base::Result<void> fetch(const oci::Descriptor& blob, const content::ContentStore& store) override {
    TRY(m_session->client().fetch_blob(m_ref, blob, store));
    return {};
  }

 private:
  std::shared_ptr<RegistrySession> m_session;
  registry::Reference m_ref;
};

base::Result<cache::ImportedCache> open_registry_cache(const std::string& location, CacheRegistry& registries,
                                                       Store& store) {
  TRY_ASSIGN(registry::Reference ref, registry::parse_reference(location));
  auto session = registries.session();
  TRY_ASSIGN(registry::FetchedManifest fetched, session->client().get_manifest(ref));
  auto manifest = oci::parse_manifest(fetched.bytes);
  if (!manifest.ok() || manifest->config.media_type != cache::k_media_cache_config)
    return base::make_error(ref.str() + " is not a kiln build cache");
  TRY(session->client().fetch_blob(ref, manifest->config, *store.blobs));
  TRY_ASSIGN(std::string config_bytes, store.blobs->read(manifest->config.digest));
  TRY_ASSIGN(cache::CacheConfig config,
             base::with_context(cache::parse_cache_config(config_bytes), ref.str() + " cache config"));
  return cache::ImportedCache{std::move(config), std::make_unique<RegistryCacheSource>(session, ref)};
}

}  // namespace

std::shared_ptr<RegistrySession> CacheRegistry::session() {
  if (!m_session) m_session = std::make_shared<RegistrySession>(m_flags);
  return m_session;
}

std::vector<cache::ImportedCache> open_caches(const std::vector<CacheImportSpec>& specs, CacheRegistry& registries,
                                              Store& store, std::ostream& warn) {
  std::vector<cache::ImportedCache> caches;
  for (const CacheImportSpec& spec : specs) {
    auto opened = spec.type == CacheStoreType::local ? cache::open_local_cache(spec.location, spec.tag)
                                                     : open_registry_cache(spec.location, registries, store);
    if (!opened.ok()) {
      warn << "warning: cache " << spec.location << " not imported: " << opened.error().render() << "\n";
      continue;
    }
    caches.push_back(std::move(opened).value());
  }
  return caches;
}

base::Result<void> write_cache(const CacheExportSpec& spec, const oci::Descriptor& manifest,
                               CacheRegistry& registries, Store& store) {
  if (spec.type == CacheStoreType::local)
    return cache::write_local_cache(*store.blobs, manifest, spec.location, spec.tag);
  TRY_ASSIGN(registry::Reference ref, registry::parse_reference(spec.location));
  return registry::push_image(registries.session()->client(), ref, *store.blobs, manifest);
}

}  // namespace cli
