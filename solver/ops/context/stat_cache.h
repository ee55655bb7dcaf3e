#pragma once
// The persistent stat cache: for each context file hashed before, the stat
// fields it had and the digest of its content, in kiln.db's `stat_cache`
// table (content/schema.cc, migration 2), keyed by absolute host path.
//
// A row is trusted only when dev, inode, st_mode, size, mtime and ctime all
// equal the file's current values AND the row is not "racily clean": a file
// whose mtime or ctime is not strictly older than the moment the row was
// recorded (minus the filesystem's timestamp granularity) could have been
// changed again within the same timestamp tick without its stat changing, so
// it is hashed again (and recorded anew, after which it is trusted). This is
// git's racy-git rule; ccache's inode cache does the same.
//
// The deciding part (is_trusted, racily_clean) is pure. StatCacheTable reads
// and writes rows through one sql::Db; it is not thread-safe.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/digest.h"
#include "base/result.h"
#include "content/sqlite.h"

struct stat;

namespace solver::ops::context {

// The stat fields a row is compared on.
struct FileIdentity {
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint32_t mode = 0;  // full st_mode, type bits included
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;

  static FileIdentity from_stat(const struct stat& st);
  friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};

struct StatCacheRow {
  FileIdentity id;
  base::Digest digest;
  int64_t recorded_ns = 0;  // wall-clock time taken before the file was read
};

// Fine-grained filesystems stamp with a coarse kernel clock (a few ms);
// timestamps with no sub-second part suggest a filesystem with 1 s (or FAT's
// 2 s) resolution, where the margin must cover a whole tick.
inline constexpr int64_t k_fine_granularity_ns = 100'000'000;
inline constexpr int64_t k_coarse_granularity_ns = 2'000'000'000;
int64_t timestamp_granularity_ns(const FileIdentity& id);

// Whether a row with `id` recorded at `recorded_ns` may hide a later change.
bool racily_clean(const FileIdentity& id, int64_t recorded_ns);

// Whether `row` may stand in for hashing a file whose stat is now `current`.
bool is_trusted(const StatCacheRow& row, const FileIdentity& current);

// The rows of one context directory, by absolute path.
using StatCacheMap = std::unordered_map<std::string, StatCacheRow>;

class StatCacheTable {
 public:
  explicit StatCacheTable(content::sql::Db& db) : m_db(db) {}

  // Every row whose path lies below `abs_dir` (absolute, no trailing '/'),
  // in one query. Rows that do not parse are left out.
  base::Result<StatCacheMap> load_below(const std::string& abs_dir);

  // Inserts or replaces `rows` (absolute path, row) in one write transaction.
  base::Result<void> store(const std::vector<std::pair<std::string, StatCacheRow>>& rows);

 private:
  content::sql::Db& m_db;
};

}  // namespace solver::ops::context
