#include "solver/ops/cache/cache_config.h"

#include <set>

#include "oci/json_fields.h"

namespace solver::ops::cache {

std::string serialize_cache_config(const CacheConfig& config) {
  nlohmann::json doc;
  doc["mediaType"] = std::string(k_media_cache_config);
  doc["layers"] = nlohmann::json::array();
  for (const CacheLayer& layer : config.layers) {
    nlohmann::json entry = oci::to_json(layer.blob);
    entry["diffID"] = layer.diff_id.str();
    if (layer.compression) {
      entry["compression"] = std::string(snapshotter::layer::compression_name(*layer.compression));
      entry["level"] = layer.level;
      entry["tarSize"] = layer.tar_size;
    }
    doc["layers"].push_back(std::move(entry));
  }
  doc["records"] = nlohmann::json::array();
  for (const CacheRecord& record : config.records) {
    doc["records"].push_back({{"key", record.key}, {"layers", record.chain}, {"payload", record.payload}});
  }
  return oci::canonical_json(doc);
}

namespace {

base::Result<CacheLayer> read_layer(const oci::FieldReader& fields) {
  CacheLayer layer;
  TRY_ASSIGN(layer.blob, oci::read_descriptor(fields));
  TRY_ASSIGN(layer.diff_id, fields.digest("diffID"));
  TRY_ASSIGN(auto compression, fields.opt_string("compression"));
  if (compression) {
    auto parsed = snapshotter::layer::parse_compression(*compression);
    if (!parsed.ok()) return base::make_error(fields.field_path("compression") + ": " + parsed.error().message);
    layer.compression = *parsed;
    TRY_ASSIGN(int64_t level, fields.int64("level"));
    TRY_ASSIGN(int64_t tar_size, fields.int64("tarSize"));
    if (level < 0 || level > 22 || tar_size < 0)
      return base::make_error(fields.path() + ": level or tarSize out of range");
    layer.level = static_cast<int>(level);
    layer.tar_size = static_cast<uint64_t>(tar_size);
  }
  return layer;
}

base::Result<std::vector<uint32_t>> read_chain(const nlohmann::json& value, const std::string& path,
                                               size_t layer_count) {
  if (!value.is_array()) return base::make_error(path + ": expected an array of layer indexes");
  std::vector<uint32_t> chain;
  for (size_t i = 0; i < value.size(); ++i) {
    const nlohmann::json& v = value[i];
    if (!v.is_number_unsigned() || v.get<uint64_t>() >= layer_count)
      return base::make_error(path + "[" + std::to_string(i) + "]: not the index of a listed layer");
    chain.push_back(v.get<uint32_t>());
  }
  return chain;
}

}  // namespace

base::Result<CacheConfig> parse_cache_config(std::string_view text) {
  TRY_ASSIGN(nlohmann::json doc, oci::parse_json(text));
  TRY_ASSIGN(oci::FieldReader fields, oci::FieldReader::make(doc, ""));
  TRY_ASSIGN(auto media_type, fields.opt_string("mediaType"));
  if (media_type != std::string(k_media_cache_config))
    return base::make_error("not a kiln build cache (mediaType " + media_type.value_or("missing") + ")");
  CacheConfig config;
  TRY_ASSIGN(auto layers, fields.object_list("layers"));
  for (const oci::FieldReader& layer : layers) {
    TRY_ASSIGN(CacheLayer parsed, read_layer(layer));
    config.layers.push_back(std::move(parsed));
  }
  TRY_ASSIGN(auto records, fields.object_list("records"));
  std::set<std::string> keys;
  for (size_t i = 0; i < records.size(); ++i) {
    const oci::FieldReader& r = records[i];
    CacheRecord record;
    TRY_ASSIGN(record.key, r.string("key"));
    TRY_ASSIGN(record.payload, r.string("payload"));
    if (!keys.insert(record.key).second) return base::make_error(r.field_path("key") + ": listed twice");
    const nlohmann::json& chain = doc["records"][i].contains("layers") ? doc["records"][i]["layers"]
                                                                       : nlohmann::json::array();
    TRY_ASSIGN(record.chain, read_chain(chain, r.field_path("layers"), config.layers.size()));
    config.records.push_back(std::move(record));
  }
  return config;
}

}  // namespace solver::ops::cache
