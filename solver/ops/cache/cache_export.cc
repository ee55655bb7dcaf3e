#include "solver/ops/cache/cache_export.h"

#include <map>
#include <set>

#include "oci/manifest.h"
#include "oci/media_types.h"
#include "solver/ops/build/base_image.h"
#include "solver/ops/build/export_image.h"
#include "solver/ops/image/assemble.h"
#include "solver/ops/image/base_image.h"

namespace solver::ops::cache {
namespace {

bool makes_filesystem(const ir::Op& op) {
  return std::holds_alternative<ir::File>(op) || std::holds_alternative<ir::Exec>(op);
}

// The result payload without what only this store understands (a --link
// step's layer snapshot id).
std::string portable_payload(const std::string& payload) {
  return payload.substr(0, payload.find(" link="));
}

class Collector {
 public:
  Collector(const ir::Definition& def, const SolveResult& solved, build::BuildServices services,
            snapshotter::layer::LayerRecords& records, const CacheExportRequest& request)
      : m_def(def), m_solved(solved), m_svc(services), m_records(records), m_request(request) {}

  base::Result<void> add(uint32_t op) {
    const std::string& key = m_solved.keys.at(op);
    const auto& result = m_solved.results.at(op);
    if (key.empty() || !result || !m_keys.insert(key).second) return {};
    auto stage = solver::image::stage_chain(m_def, op);
    if (!stage.ok()) return {};  // not on a filesystem chain an importer can rebuild
    CacheRecord record{key, {}, portable_payload(result->payload)};
    TRY_ASSIGN(record.chain, base_layers(stage->source));
    for (uint32_t step : stage->steps) {
      if (std::holds_alternative<ir::ConfigChange>(m_def.ops[step])) continue;
      TRY_ASSIGN(uint32_t index, step_layer(step));
      record.chain.push_back(index);
      if (step == op) break;
    }
    m_config.records.push_back(std::move(record));
    return {};
  }

  CacheConfig take() { return std::move(m_config); }

 private:
  base::Result<std::vector<uint32_t>> base_layers(uint32_t source) {
    if (auto it = m_bases.find(source); it != m_bases.end()) return it->second;
    std::vector<uint32_t> chain;
    if (const auto* image = std::get_if<ir::ImageSource>(&m_def.ops[source])) {
      const auto& result = m_solved.results.at(source);
      if (!result) return base::make_error("base image " + image->ref + " was not solved");
      TRY_ASSIGN(auto base, build::solved_base_image(m_svc.blobs, result->payload, image->platform));
      const auto& diff_ids = base.config.rootfs.diff_ids;
      if (diff_ids.size() != base.layers.size())
        return base::make_error("base image " + image->ref + ": config and manifest disagree on the layers");
      for (size_t i = 0; i < base.layers.size(); ++i) {
        oci::Descriptor blob = base.layers[i];
        blob.annotations.clear();
        chain.push_back(add_layer(CacheLayer{blob, diff_ids[i], std::nullopt, 0, 0}));
      }
    }
    m_bases.emplace(source, chain);
    return chain;
  }

  base::Result<uint32_t> step_layer(uint32_t op) {
    if (auto it = m_step_layers.find(op); it != m_step_layers.end()) return it->second;
    const auto& result = m_solved.results.at(op);
    if (!result) return base::make_error("step " + m_def.info[op].display_name + " was not solved");
    const std::string snapshot = build::link_layer_of(*result).value_or(result->snapshot);
    TRY_ASSIGN(snapshotter::layer::LayerBlob blob,
               base::with_context(build::export_snapshot_layer(m_svc, m_records, snapshot, m_request.compression,
                                                               m_request.source_date_epoch),
                                  m_def.info[op].display_name));
    oci::Descriptor desc;
    desc.media_type = build::layer_media_type(blob.compression);
    desc.digest = blob.digest;
    desc.size = static_cast<int64_t>(blob.size);
    uint32_t index = add_layer(CacheLayer{desc, blob.diff_id, blob.compression, blob.level, blob.tar_size});
    m_step_layers.emplace(op, index);
    return index;
  }

  uint32_t add_layer(const CacheLayer& layer) {
    auto [it, added] = m_layer_index.try_emplace({layer.blob.digest, layer.diff_id},
                                                 static_cast<uint32_t>(m_config.layers.size()));
    if (added) m_config.layers.push_back(layer);
    return it->second;
  }

  const ir::Definition& m_def;
  const SolveResult& m_solved;
  build::BuildServices m_svc;
  snapshotter::layer::LayerRecords& m_records;
  const CacheExportRequest& m_request;
  CacheConfig m_config;
  std::set<std::string> m_keys;
  std::map<uint32_t, std::vector<uint32_t>> m_bases;
  std::map<uint32_t, uint32_t> m_step_layers;
  std::map<std::pair<base::Digest, base::Digest>, uint32_t> m_layer_index;  // (blob, diff_id) → index
};

}  // namespace

base::Result<CacheConfig> collect_cache(const ir::Definition& def, const SolveResult& solved,
                                        build::BuildServices services, snapshotter::layer::LayerRecords& records,
                                        const CacheExportRequest& request) {
  Collector collector(def, solved, services, records, request);
  if (request.mode == CacheMode::min) {
    TRY_ASSIGN(solver::image::StageChain chain, solver::image::stage_chain(def, def.terminal.op));
    for (uint32_t op : chain.steps)
      if (makes_filesystem(def.ops[op])) TRY(collector.add(op));
  } else {
    for (uint32_t op = 0; op < def.ops.size(); ++op)
      if (makes_filesystem(def.ops[op]) && op < solved.results.size()) TRY(collector.add(op));
  }
  return collector.take();
}

base::Result<oci::Descriptor> store_cache_manifest(const content::ContentStore& blobs, const CacheConfig& config) {
  std::string config_bytes = serialize_cache_config(config);
  TRY(blobs.write_blob(config_bytes));
  oci::Manifest manifest;
  manifest.media_type = std::string(oci::k_media_oci_manifest);
  manifest.config = oci::describe(std::string(k_media_cache_config), config_bytes);
  for (const CacheLayer& layer : config.layers) manifest.layers.push_back(layer.blob);
  std::string manifest_bytes = oci::serialize(manifest);
  TRY(blobs.write_blob(manifest_bytes));
  return oci::describe(std::string(oci::k_media_oci_manifest), manifest_bytes);
}

}  // namespace solver::ops::cache
