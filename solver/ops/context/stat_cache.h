#pragma once
// The persistent stat cache: for each context file hashed before, the stat
// fields it had and the digest of its content, in kiln.db's `stat_cache`
// table (content/schema.cc, migration 3).
//
// A row is trusted only when dev, inode, st_mode, size, mtime and ctime all
// equal the file's current values AND the row is not "racily clean": a file
// whose mtime or ctime is not strictly older than the moment the row was
// recorded (minus the filesystem's timestamp granularity) could have been
// changed again within the same timestamp tick without its stat changing, so
// it is hashed again (and recorded anew, after which it is trusted). This is
// git's racy-git rule; ccache's inode cache does the same.
//
// Storage: one row per directory a COPY selects below (the common directory
// of its sources), holding every file's entry as one binary block, sorted by
// path relative to that directory. A rebuild of a large context reads one
// block and looks files up by binary search: no per-file row to decode, no
// per-file allocation (loading 20,000 rows one by one cost more than walking
// the tree). Updates merge into the block inside one write transaction, so
// concurrent COPYs below the same directory keep each other's entries.
//
// A few changed entries (a racily clean file hashed again, the one file a
// rebuild changed) go to `stat_cache_delta` as one small row each instead:
// rewriting a 20,000-entry block for one file cost megabytes of page writes
// and several fdatasyncs. Loading overlays a directory's delta rows on its
// block; once they outnumber k_max_delta_rows they are merged into the block.
//
// The deciding part (is_trusted, racily_clean) and the block codec are pure.
// StatCacheTable reads and writes through one sql::Db; it is not thread-safe.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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

using base::Sha256Bytes;

struct StatCacheRow {
  FileIdentity id;
  Sha256Bytes sha256{};
  int64_t recorded_ns = 0;  // wall-clock time taken before the file was read

  base::Digest digest() const;
  // The row for a file hashed to `digest`; nullopt unless it is a sha256.
  static std::optional<StatCacheRow> make(const FileIdentity& id, const base::Digest& digest, int64_t recorded_ns);
  friend bool operator==(const StatCacheRow&, const StatCacheRow&) = default;
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

// The entries of one directory, decoded from (or to be encoded as) a block.
// Paths are relative to the directory.
class StatCacheBlock {
 public:
  StatCacheBlock() = default;
  // A block that does not decode is empty, and `damaged()` says so: a damaged
  // cache only costs a re-hash.
  static StatCacheBlock decode(std::string bytes);
  // `rows` in any order; a path given twice keeps its last row.
  static std::string encode(std::vector<std::pair<std::string, StatCacheRow>> rows);

  // One row's fixed part (no path), as a delta row stores it.
  static std::string encode_row(const StatCacheRow& row);
  static std::optional<StatCacheRow> decode_row(std::string_view bytes);

  // Entries that replace the block's own of the same paths (or add to them);
  // the last given of a path wins.
  void overlay(std::vector<std::pair<std::string, StatCacheRow>> rows);

  std::optional<StatCacheRow> find(std::string_view path) const;
  // The same, for lookups in (nearly) path order: `hint` carries the
  // position after the previous match, and a path found right there costs
  // one comparison instead of a binary search whose probes miss the CPU
  // cache all over a multi-megabyte block.
  std::optional<StatCacheRow> find(std::string_view path, size_t& hint) const;
  // Distinct paths, block and overlay together.
  size_t size() const { return m_size; }
  bool damaged() const { return m_damaged; }
  // Every entry, in path order.
  std::vector<std::pair<std::string, StatCacheRow>> rows() const;

 private:
  StatCacheRow row_at(size_t record) const;
  std::string_view path_at(size_t i) const;

  std::optional<StatCacheRow> find_in_block(std::string_view path, size_t& hint) const;
  std::optional<StatCacheRow> find_in_overlay(std::string_view path) const;

  std::string m_bytes;
  std::vector<uint32_t> m_index;  // offset of each record, in path order
  std::vector<std::pair<std::string, StatCacheRow>> m_overlay;  // sorted by path, unique
  size_t m_size = 0;
  bool m_damaged = false;
};

// Delta rows of one directory beyond which a store merges them into its block.
inline constexpr size_t k_max_delta_rows = 1024;

class StatCacheTable {
 public:
  explicit StatCacheTable(content::sql::Db& db) : m_db(db) {}

  // The block of `abs_dir` (absolute, no trailing '/'); empty when none.
  base::Result<StatCacheBlock> load(const std::string& abs_dir);

  // Records `rows` (paths relative to abs_dir), replacing entries of the same
  // paths, in one write transaction: as delta rows while they stay few, else
  // merged with the delta rows into the block.
  base::Result<void> store(const std::string& abs_dir, const std::vector<std::pair<std::string, StatCacheRow>>& rows);

 private:
  content::sql::Db& m_db;
};

}  // namespace solver::ops::context
