#pragma once
// The shared build cache's format: what `--cache-to` writes and
// `--cache-from` reads, in a registry or an OCI layout directory.
//
// A cache is one OCI image manifest whose config (media type
// k_media_cache_config) lists
//  - layers: every layer blob the cache holds, as the manifest lists them,
//    with its diff_id and, for layers kiln made, how it was compressed (so an
//    importer can reuse the blob instead of compressing the step again);
//  - records: one per cached step, its cache key (the solver's, the same on
//    every machine for the same step), the step's result payload and the
//    chain of layers (indexes into `layers`, base image first) whose stack is
//    the step's filesystem.
// docs/caching.md documents the format for users.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/digest.h"
#include "base/result.h"
#include "oci/descriptor.h"
#include "snapshotter/layer/compression.h"

namespace solver::ops::cache {

inline constexpr std::string_view k_media_cache_config = "application/vnd.kiln.cache.config.v1+json";

struct CacheLayer {
  oci::Descriptor blob;  // media type, digest, size
  base::Digest diff_id;
  // Set for layers a build made (not for a base image's): how the blob was
  // compressed, the effective level, and the size of the uncompressed tar.
  std::optional<snapshotter::layer::Compression> compression;
  int level = 0;
  uint64_t tar_size = 0;
  friend bool operator==(const CacheLayer&, const CacheLayer&) = default;
};

struct CacheRecord {
  std::string key;
  std::vector<uint32_t> chain;  // indexes into CacheConfig::layers, base first
  std::string payload;
  friend bool operator==(const CacheRecord&, const CacheRecord&) = default;
};

struct CacheConfig {
  std::vector<CacheLayer> layers;
  std::vector<CacheRecord> records;
  friend bool operator==(const CacheConfig&, const CacheConfig&) = default;
};

std::string serialize_cache_config(const CacheConfig& config);
// Refuses documents that are not a kiln cache, chain indexes out of range and
// keys listed twice, with the JSON path of the problem.
base::Result<CacheConfig> parse_cache_config(std::string_view text);

}  // namespace solver::ops::cache
