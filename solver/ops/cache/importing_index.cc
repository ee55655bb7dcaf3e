#include "solver/ops/cache/importing_index.h"

#include <algorithm>
#include <optional>
#include <thread>

#include "solver/ops/build/image_chain.h"

namespace solver::ops::cache {

ImportingCacheIndex::ImportingCacheIndex(Services services, std::vector<ImportedCache> caches,
                                         std::function<void(std::string_view)> warn)
    : m_svc(services), m_caches(std::move(caches)), m_warn(std::move(warn)) {
  for (size_t c = 0; c < m_caches.size(); ++c)
    for (size_t r = 0; r < m_caches[c].config.records.size(); ++r)
      m_known.emplace(m_caches[c].config.records[r].key, Found{c, r});
}

base::Result<std::optional<VertexResult>> ImportingCacheIndex::lookup(const std::string& key) {
  TRY_ASSIGN(auto local, m_svc.local.lookup(key));
  if (local) {
    TRY_ASSIGN(bool ok, snapshotter::usable_committed(m_svc.snapshots, local->snapshot));
    if (ok) return local;
  }
  auto found = m_known.find(key);
  if (found == m_known.end()) return local;
  std::lock_guard lock(m_import_mutex);
  if (m_failed.count(key)) return local;
  const ImportedCache& cache = m_caches[found->second.cache];
  auto imported = materialize(cache, cache.config.records[found->second.record]);
  if (!imported.ok()) {
    m_failed.insert(key);
    m_warn("cannot use " + cache.source->name() + " for a step (key " + key + "): " + imported.error().render());
    return local;
  }
  TRY(m_svc.local.store(key, *imported));
  ++m_stats.records_used;
  return std::optional<VertexResult>(*imported);
}

// The blobs move a few at a time (a chain's layers are independent until
// they are unpacked); the first failure is the one reported.
base::Result<void> ImportingCacheIndex::fetch_all(CacheBlobSource& source,
                                                  const std::vector<const oci::Descriptor*>& blobs) {
  constexpr size_t k_parallel = 4;
  std::atomic<size_t> next{0};
  std::mutex failure_mutex;
  std::optional<base::Error> failure;
  auto worker = [&] {
    for (size_t i = next++; i < blobs.size(); i = next++) {
      {
        std::lock_guard lock(failure_mutex);
        if (failure) return;
      }
      auto fetched = source.fetch(*blobs[i], m_svc.blobs);
      if (!fetched.ok()) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = fetched.error();
        return;
      }
      ++m_stats.layers_fetched;
      m_stats.bytes_fetched += static_cast<uint64_t>(blobs[i]->size);
    }
  };
  {
    std::vector<std::jthread> workers;
    for (size_t t = 1; t < std::min(k_parallel, blobs.size()); ++t) workers.emplace_back(worker);
    worker();
  }
  if (failure) return *failure;
  return {};
}

base::Result<VertexResult> ImportingCacheIndex::materialize(const ImportedCache& cache, const CacheRecord& record) {
  std::vector<build::ChainLayer> chain;
  std::vector<const oci::Descriptor*> missing;
  for (uint32_t index : record.chain) {
    const CacheLayer& layer = cache.config.layers.at(index);
    TRY_ASSIGN(bool present, m_svc.blobs.exists(layer.blob.digest));
    bool listed = std::any_of(missing.begin(), missing.end(),
                              [&](const oci::Descriptor* d) { return d->digest == layer.blob.digest; });
    if (!present && !listed) missing.push_back(&layer.blob);
    chain.push_back({layer.blob.digest, layer.diff_id});
  }
  TRY(fetch_all(*cache.source, missing));
  TRY_ASSIGN(std::vector<std::string> snapshots,
             build::unpack_layer_chain(m_svc.blobs, m_svc.snapshots, m_svc.local, chain, cache.source->name(),
                                       [](std::string_view) {}));
  for (size_t i = 0; i < record.chain.size(); ++i) {
    const CacheLayer& layer = cache.config.layers[record.chain[i]];
    if (!layer.compression) continue;
    if (m_svc.layer_records.find(snapshots[i], *layer.compression, layer.level)) continue;
    snapshotter::layer::LayerBlob blob;
    blob.diff_id = layer.diff_id;
    blob.tar_size = layer.tar_size;
    blob.compression = *layer.compression;
    blob.level = layer.level;
    blob.digest = layer.blob.digest;
    blob.size = static_cast<uint64_t>(layer.blob.size);
    TRY(m_svc.layer_records.record(snapshots[i], blob));
  }
  return VertexResult{snapshots.empty() ? std::string() : snapshots.back(), record.payload};
}

base::Result<void> ImportingCacheIndex::store(const std::string& key, const VertexResult& result) {
  return m_svc.local.store(key, result);
}

base::Result<VertexResult> ImportingCacheIndex::store_first(const std::string& key, const VertexResult& result) {
  return m_svc.local.store_first(key, result);
}

base::Result<std::optional<StepRecord>> ImportingCacheIndex::last_step(const std::string& step_id) {
  return m_svc.local.last_step(step_id);
}

base::Result<std::optional<std::string>> ImportingCacheIndex::last_step_fingerprint(
    const std::string& step_id) {
  return m_svc.local.last_step_fingerprint(step_id);
}

base::Result<void> ImportingCacheIndex::remember_step(const std::string& step_id, const StepRecord& record) {
  return m_svc.local.remember_step(step_id, record);
}

base::Result<void> ImportingCacheIndex::remember_steps(
    const std::vector<std::pair<std::string, StepRecord>>& records) {
  return m_svc.local.remember_steps(records);
}

}  // namespace solver::ops::cache
