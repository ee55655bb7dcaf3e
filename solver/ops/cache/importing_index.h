#pragma once
// --cache-from: a CacheIndex that answers from the local index first and,
// for keys only an imported cache knows, turns the cached record into a
// local result on demand: fetches the layers of its chain that the content
// store lacks, unpacks them as a chain of snapshots (shared by chain id with
// base images and other records), records each layer's blob so the image
// export reuses it instead of compressing the step again, and stores the
// result in the local index. Only the layers of hits are ever fetched.
//
// A cache that cannot serve a record (unreachable, a missing or corrupt
// blob) only warns: the lookup reports a miss and the step runs.
// Materializations are serialized (two steps sharing layers unpack them
// once); the layers one needs are fetched a few at a time.
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "content/content_store.h"
#include "snapshotter/layer/export.h"
#include "snapshotter/snapshotter.h"
#include "solver/core/cache_index.h"
#include "solver/ops/cache/cache_config.h"

namespace solver::ops::cache {

// Where an imported cache's blobs are read from (a registry, a directory).
class CacheBlobSource {
 public:
  virtual ~CacheBlobSource() = default;
  // Names the cache in messages: "registry cache 127.0.0.1:5000/app:cache".
  virtual std::string name() const = 0;
  // Copies `blob` into `store`, verified against its digest. Called from
  // several threads at once.
  virtual base::Result<void> fetch(const oci::Descriptor& blob, const content::ContentStore& store) = 0;
};

struct ImportedCache {
  CacheConfig config;
  std::unique_ptr<CacheBlobSource> source;
};

struct ImportStats {
  std::atomic<int> records_used{0};
  std::atomic<int> layers_fetched{0};
  std::atomic<uint64_t> bytes_fetched{0};
};

class ImportingCacheIndex final : public CacheIndex {
 public:
  struct Services {
    CacheIndex& local;
    const content::ContentStore& blobs;
    snapshotter::Snapshotter& snapshots;
    snapshotter::layer::LayerRecords& layer_records;
  };

  ImportingCacheIndex(Services services, std::vector<ImportedCache> caches,
                      std::function<void(std::string_view)> warn);

  base::Result<std::optional<VertexResult>> lookup(const std::string& key) override;
  base::Result<void> store(const std::string& key, const VertexResult& result) override;
  base::Result<VertexResult> store_first(const std::string& key, const VertexResult& result) override;
  base::Result<std::optional<StepRecord>> last_step(const std::string& step_id) override;
  base::Result<std::optional<std::string>> last_step_fingerprint(const std::string& step_id) override;
  base::Result<void> remember_step(const std::string& step_id, const StepRecord& record) override;
  base::Result<void> remember_steps(const std::vector<std::pair<std::string, StepRecord>>& records) override;

  const ImportStats& stats() const { return m_stats; }

 private:
  struct Found {
    size_t cache;
    size_t record;
  };
  base::Result<VertexResult> materialize(const ImportedCache& cache, const CacheRecord& record);
  base::Result<void> fetch_all(CacheBlobSource& source, const std::vector<const oci::Descriptor*>& blobs);

  Services m_svc;
  std::vector<ImportedCache> m_caches;
  std::function<void(std::string_view)> m_warn;
  std::map<std::string, Found> m_known;  // key → the first cache that has it
  std::mutex m_import_mutex;             // one materialization at a time; guards m_failed
  std::set<std::string> m_failed;        // keys whose import failed once (warned)
  ImportStats m_stats;
};

}  // namespace solver::ops::cache
