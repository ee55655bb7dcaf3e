#include "cli/build_cache.h"

#include "oci/manifest.h"
#include "solver/ops/cache/cache_export.h"
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
    auto opened = spec.type == CacheStoreType::local ? cache::open_local_cache(spec.location, spec.tag, *store.blobs)
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
  TRY(registry::push_image(registries.session()->client(), ref, *store.blobs, manifest));
  return {};
}

base::Result<BuildCaches> BuildCaches::parse(const std::vector<std::string>& cache_from,
                                             const std::vector<std::string>& cache_to, RegistryFlags flags) {
  BuildCaches caches;
  for (const std::string& spec : cache_from) {
    TRY_ASSIGN(CacheImportSpec parsed, parse_cache_from(spec));
    caches.m_imports.push_back(std::move(parsed));
  }
  for (const std::string& spec : cache_to) {
    TRY_ASSIGN(CacheExportSpec parsed, parse_cache_to(spec));
    caches.m_exports.push_back(std::move(parsed));
  }
  caches.m_registries = std::make_unique<CacheRegistry>(std::move(flags));
  return caches;
}

solver::CacheIndex& BuildCaches::solve_index(Store& store, solver::CacheIndex& local,
                                             snapshotter::layer::LayerRecords& records, std::ostream& log) {
  if (m_imports.empty()) return local;
  auto opened = open_caches(m_imports, *m_registries, store, log);
  if (opened.empty()) return local;
  m_importing = std::make_unique<cache::ImportingCacheIndex>(
      cache::ImportingCacheIndex::Services{local, *store.blobs, *store.snapshots, records}, std::move(opened),
      [&log](std::string_view line) { log << "warning: " << line << "\n"; });
  return *m_importing;
}

void BuildCaches::report_imports(std::ostream& out) const {
  if (!m_importing) return;
  const auto& stats = m_importing->stats();
  out << "imported cache: " << stats.records_used.load() << " steps, " << stats.layers_fetched.load()
      << " layers fetched (" << stats.bytes_fetched.load() << " bytes)\n";
}

base::Result<void> BuildCaches::export_all(const ir::Definition& def, const solver::SolveResult& solved,
                                           solver::ops::build::BuildServices services,
                                           snapshotter::layer::LayerRecords& records,
                                           std::optional<int64_t> source_date_epoch, Store& store, std::ostream& log,
                                           bool quiet) {
  for (const CacheExportSpec& spec : m_exports) {
    cache::CacheExportRequest request{spec.mode, spec.compression, source_date_epoch};
    auto written = [&]() -> base::Result<void> {
      TRY_ASSIGN(auto config, cache::collect_cache(def, solved, services, records, request));
      TRY_ASSIGN(oci::Descriptor manifest, cache::store_cache_manifest(*store.blobs, config));
      TRY(write_cache(spec, manifest, *m_registries, store));
      if (!quiet)
        log << "exporting cache to " << spec.location << ": " << config.records.size() << " steps, "
            << config.layers.size() << " layers, " << manifest.digest.str() << " done\n";
      return {};
    }();
    if (!written.ok()) {
      base::Error e = base::with_context(written, "exporting cache to " + spec.location).error();
      if (!spec.ignore_error) return e;
      log << "warning: " << e.render() << "\n";
    }
  }
  return {};
}

}  // namespace cli
