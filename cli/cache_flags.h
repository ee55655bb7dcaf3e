#pragma once
// --cache-from and --cache-to of `kiln build`, as docker buildx spells them:
//   --cache-from type=registry,ref=R | type=local,src=DIR[,tag=T] | R
//   --cache-to   type=registry,ref=R[,mode=min|max] | type=local,dest=DIR[,tag=T][,mode=...] | R
// plus compression=gzip|zstd|uncompressed, compression-level=N and
// ignore-error=true|false on --cache-to. Types kiln does not implement
// (inline, gha, s3, azblob) are refused with an error that names them.
#include <optional>
#include <string>

#include "base/result.h"
#include "snapshotter/layer/compression.h"
#include "solver/ops/cache/cache_export.h"

namespace cli {

enum class CacheStoreType { registry, local };

struct CacheImportSpec {
  CacheStoreType type = CacheStoreType::registry;
  std::string location;  // ref for registry, directory for local
  std::string tag = "latest";  // local only
};

struct CacheExportSpec {
  CacheStoreType type = CacheStoreType::registry;
  std::string location;
  std::string tag = "latest";
  solver::ops::cache::CacheMode mode = solver::ops::cache::CacheMode::min;
  snapshotter::layer::CompressionOptions compression;  // gzip by default
  bool ignore_error = false;
};

base::Result<CacheImportSpec> parse_cache_from(const std::string& spec);
base::Result<CacheExportSpec> parse_cache_to(const std::string& spec);

}  // namespace cli
