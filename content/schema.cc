#include "content/schema.h"

#include <string>

namespace content {

namespace {

// Digests are stored as "sha256:<hex>" text; times as Unix nanoseconds.
// The *_blobs tables say which blobs an owner keeps alive; garbage collection
// deletes a blob only when no row in any of them names it.
constexpr std::string_view k_v1 = R"sql(
CREATE TABLE images (
  name        TEXT PRIMARY KEY,
  media_type  TEXT NOT NULL,
  digest      TEXT NOT NULL,
  size        INTEGER NOT NULL CHECK (size >= 0),
  created     INTEGER NOT NULL,
  last_used   INTEGER NOT NULL
);
CREATE TABLE image_blobs (
  image   TEXT NOT NULL REFERENCES images(name) ON DELETE CASCADE,
  digest  TEXT NOT NULL,
  PRIMARY KEY (image, digest)
) WITHOUT ROWID;
CREATE INDEX image_blobs_digest ON image_blobs(digest);

CREATE TABLE cache_records (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  created    INTEGER NOT NULL,
  last_used  INTEGER NOT NULL
);
CREATE TABLE cache_blobs (
  record  TEXT NOT NULL REFERENCES cache_records(key) ON DELETE CASCADE,
  digest  TEXT NOT NULL,
  PRIMARY KEY (record, digest)
) WITHOUT ROWID;
CREATE INDEX cache_blobs_digest ON cache_blobs(digest);

CREATE TABLE leases (
  id       TEXT PRIMARY KEY,
  created  INTEGER NOT NULL,
  pid      INTEGER NOT NULL
);
CREATE TABLE lease_blobs (
  lease   TEXT NOT NULL REFERENCES leases(id) ON DELETE CASCADE,
  digest  TEXT NOT NULL,
  PRIMARY KEY (lease, digest)
) WITHOUT ROWID;
CREATE INDEX lease_blobs_digest ON lease_blobs(digest);
)sql";

// Snapshots (snapshotter/), the layer blob made from each committed snapshot
// (snapshotter/layer/export.h), the context stat cache (solver/ops/context),
// and what each build step last saw (`build_steps`, for --explain-cache; keyed
// by the step's place in a project, not by its cache key).
// A snapshot's parent must exist as long as the snapshot does. Layer records
// go with their snapshot. The stat cache is keyed by host path: it only speeds
// up hashing and never takes part in a cache key.
constexpr std::string_view k_v2 = R"sql(
CREATE TABLE snapshots (
  id         TEXT PRIMARY KEY,
  parent     TEXT REFERENCES snapshots(id),
  kind       TEXT NOT NULL CHECK (kind IN ('active', 'committed')),
  backend    TEXT NOT NULL,
  created    INTEGER NOT NULL,
  last_used  INTEGER NOT NULL,
  size       INTEGER NOT NULL DEFAULT 0,
  pid        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX snapshots_parent ON snapshots(parent);

CREATE TABLE layer_records (
  snapshot     TEXT NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  compression  TEXT NOT NULL,
  level        INTEGER NOT NULL,
  diff_id      TEXT NOT NULL,
  tar_size     INTEGER NOT NULL,
  digest       TEXT NOT NULL,
  size         INTEGER NOT NULL,
  PRIMARY KEY (snapshot, compression, level)
) WITHOUT ROWID;

CREATE TABLE stat_cache (
  path       TEXT PRIMARY KEY,
  dev        INTEGER NOT NULL,
  ino        INTEGER NOT NULL,
  mode       INTEGER NOT NULL,
  size       INTEGER NOT NULL,
  mtime_ns   INTEGER NOT NULL,
  ctime_ns   INTEGER NOT NULL,
  digest     TEXT NOT NULL,
  recorded   INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE build_steps (
  step     TEXT PRIMARY KEY,
  key      TEXT NOT NULL,
  record   TEXT NOT NULL,
  updated  INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

// Two changes for rebuilds of large contexts.
// A digest of the whole step record (solver/core/cache_index.h), so that a
// cached step can tell its record is unchanged without reading it back.
// Rows written before have '' and are rewritten once. The table is rebuilt
// as a rowid table with the fingerprint ahead of the record: a large COPY's
// record spans hundreds of overflow pages, which a WITHOUT ROWID b-tree reads
// whole to compare keys on every lookup, and SQLite reads a row's columns in
// order.
constexpr std::string_view k_v3 = R"sql(
CREATE TABLE build_steps_v3 (
  step         TEXT PRIMARY KEY,
  key          TEXT NOT NULL,
  fingerprint  TEXT NOT NULL DEFAULT '',
  updated      INTEGER NOT NULL,
  record       TEXT NOT NULL
);
INSERT INTO build_steps_v3 (step, key, updated, record) SELECT step, key, updated, record FROM build_steps;
DROP TABLE build_steps;
ALTER TABLE build_steps_v3 RENAME TO build_steps;

-- The stat cache as one block of entries per directory a COPY selects below
-- (solver/ops/context/stat_cache.h): rebuilding a large context reads one
-- row instead of one per file. The old rows are dropped; the files they
-- described are hashed once more.
DROP TABLE stat_cache;
CREATE TABLE stat_cache (
  dir      TEXT PRIMARY KEY,
  entries  BLOB NOT NULL
);
)sql";

// Changed stat cache entries as one small row each beside their directory's
// block (solver/ops/context/stat_cache.h): one re-hashed file no longer
// rewrites a 20,000-entry block.
constexpr std::string_view k_v4 = R"sql(
CREATE TABLE stat_cache_delta (
  dir    TEXT NOT NULL,
  path   TEXT NOT NULL,
  entry  BLOB NOT NULL,
  PRIMARY KEY (dir, path)
) WITHOUT ROWID;
)sql";

}  // namespace

const std::vector<std::string_view>& schema_migrations() {
  static const std::vector<std::string_view> k_steps = {k_v1, k_v2, k_v3, k_v4};
  return k_steps;
}

base::Result<int64_t> schema_version(sql::Db& db) {
  TRY_ASSIGN(auto exists, db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                                     "name = 'schema_version'"));
  TRY_ASSIGN(bool has_table, exists.step());
  if (!has_table) return int64_t{0};
  TRY_ASSIGN(auto query, db.prepare("SELECT version FROM schema_version"));
  TRY_ASSIGN(bool row, query.step());
  if (!row) return base::make_error("database " + db.path() + ": schema_version table is empty");
  return query.integer(0);
}

base::Result<void> migrate(sql::Db& db, int64_t target) {
  const auto& steps = schema_migrations();
  if (target < 0 || target > static_cast<int64_t>(steps.size()))
    return base::make_error("no schema version " + std::to_string(target));
  {
    // Every open but the first finds the schema current: seeing that needs
    // no write lock, which a concurrent build may be holding.
    TRY_ASSIGN(int64_t current, schema_version(db));
    if (current == target) return {};
  }
  TRY_ASSIGN(auto tx, sql::Transaction::begin(db, sql::Transaction::Kind::write));
  TRY_ASSIGN(int64_t current, schema_version(db));
  if (current > static_cast<int64_t>(steps.size()))
    return base::make_error("database " + db.path() + " has schema version " +
                            std::to_string(current) + ", newer than this kiln supports (" +
                            std::to_string(steps.size()) + "); upgrade kiln");
  if (current >= target) return tx.commit();
  if (current == 0) TRY(db.exec("CREATE TABLE schema_version (version INTEGER NOT NULL)"));
  for (int64_t v = current; v < target; ++v)
    TRY(with_context(db.exec(steps[static_cast<size_t>(v)]),
                     "migrating " + db.path() + " to schema version " + std::to_string(v + 1)));
  TRY(db.exec("DELETE FROM schema_version"));
  TRY_ASSIGN(auto set, db.prepare("INSERT INTO schema_version (version) VALUES (?1)"));
  TRY(set.bind(1, target).run());
  return tx.commit();
}

}  // namespace content
