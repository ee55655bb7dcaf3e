#pragma once
// The schema of kiln.db and its migrations. The database records its version
// in `schema_version` (one row). `migrate` brings an older database up to
// k_schema_version inside one write transaction, so concurrent processes
// opening the same root migrate exactly once; a newer database than this
// build knows is refused rather than guessed at.
//
// Version history (append only; never edit a released step):
//   1  images, image_blobs, cache_records, cache_blobs, leases, lease_blobs
//   2  snapshots, layer_records, stat_cache, build_steps
//   3  build_steps.fingerprint (the table rebuilt with it ahead of the record);
//      stat_cache as one block of entries per directory
//   4  stat_cache_delta: changed stat cache entries beside their block

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "content/sqlite.h"

namespace content {

inline constexpr int64_t k_schema_version = 4;

// The SQL of each step; element i takes the schema from version i to i + 1.
const std::vector<std::string_view>& schema_migrations();

// The version recorded in `db`, or 0 for an empty database.
base::Result<int64_t> schema_version(sql::Db& db);
// Applies the missing steps; `target` is k_schema_version outside tests.
base::Result<void> migrate(sql::Db& db, int64_t target = k_schema_version);

}  // namespace content
