#include "solver/ops/context/stat_cache.h"

#include <sys/stat.h>

#include <algorithm>

namespace solver::ops::context {

namespace {

constexpr int64_t k_ns_per_s = 1'000'000'000;

int64_t to_ns(const struct timespec& ts) {
  return static_cast<int64_t>(ts.tv_sec) * k_ns_per_s + static_cast<int64_t>(ts.tv_nsec);
}

// SQLite integers are signed 64-bit; dev and inode numbers are stored with
// their bits unchanged.
int64_t as_int(uint64_t v) { return static_cast<int64_t>(v); }
uint64_t as_uint(int64_t v) { return static_cast<uint64_t>(v); }

}  // namespace

FileIdentity FileIdentity::from_stat(const struct stat& st) {
  FileIdentity id;
  id.dev = static_cast<uint64_t>(st.st_dev);
  id.ino = static_cast<uint64_t>(st.st_ino);
  id.mode = static_cast<uint32_t>(st.st_mode);
  id.size = static_cast<uint64_t>(st.st_size);
  id.mtime_ns = to_ns(st.st_mtim);
  id.ctime_ns = to_ns(st.st_ctim);
  return id;
}

int64_t timestamp_granularity_ns(const FileIdentity& id) {
  const bool whole_seconds = id.mtime_ns % k_ns_per_s == 0 && id.ctime_ns % k_ns_per_s == 0;
  return whole_seconds ? k_coarse_granularity_ns : k_fine_granularity_ns;
}

bool racily_clean(const FileIdentity& id, int64_t recorded_ns) {
  const int64_t safe_before = recorded_ns - timestamp_granularity_ns(id);
  return !(id.mtime_ns < safe_before && id.ctime_ns < safe_before);
}

bool is_trusted(const StatCacheRow& row, const FileIdentity& current) {
  if (row.digest.empty()) return false;
  if (!(row.id == current)) return false;
  return !racily_clean(row.id, row.recorded_ns);
}

base::Result<StatCacheMap> StatCacheTable::load_below(const std::string& abs_dir) {
  // Every path below abs_dir starts with abs_dir + "/"; in byte order those
  // are exactly the paths in [abs_dir + "/", abs_dir + "0") since '0'
  // follows '/'.
  std::string low = abs_dir == "/" ? "/" : abs_dir + "/";
  std::string high = low;
  high.back() = '0';
  TRY_ASSIGN(auto stmt, m_db.prepare("SELECT path, dev, ino, mode, size, mtime_ns, ctime_ns, "
                                     "digest, recorded FROM stat_cache "
                                     "WHERE path >= ?1 AND path < ?2"));
  stmt.bind(1, low);
  stmt.bind(2, high);
  StatCacheMap rows;
  while (true) {
    TRY_ASSIGN(bool has_row, stmt.step());
    if (!has_row) break;
    auto digest = base::Digest::parse(stmt.text(7));
    if (!digest.ok()) continue;  // a damaged row only costs a re-hash
    StatCacheRow row;
    row.id.dev = as_uint(stmt.integer(1));
    row.id.ino = as_uint(stmt.integer(2));
    row.id.mode = static_cast<uint32_t>(stmt.integer(3));
    row.id.size = as_uint(stmt.integer(4));
    row.id.mtime_ns = stmt.integer(5);
    row.id.ctime_ns = stmt.integer(6);
    row.digest = *std::move(digest);
    row.recorded_ns = stmt.integer(8);
    rows.emplace(stmt.text(0), std::move(row));
  }
  return rows;
}

base::Result<void> StatCacheTable::store(
    const std::vector<std::pair<std::string, StatCacheRow>>& rows) {
  if (rows.empty()) return {};
  TRY_ASSIGN(auto txn, content::sql::Transaction::begin(m_db, content::sql::Transaction::Kind::write));
  TRY_ASSIGN(auto stmt, m_db.prepare("INSERT OR REPLACE INTO stat_cache (path, dev, ino, mode, "
                                     "size, mtime_ns, ctime_ns, digest, recorded) "
                                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
  for (const auto& [path, row] : rows) {
    stmt.reset();
    stmt.bind(1, path)
        .bind(2, as_int(row.id.dev))
        .bind(3, as_int(row.id.ino))
        .bind(4, int64_t{row.id.mode})
        .bind(5, as_int(row.id.size))
        .bind(6, row.id.mtime_ns)
        .bind(7, row.id.ctime_ns)
        .bind(8, row.digest.str())
        .bind(9, row.recorded_ns);
    TRY(stmt.run());
  }
  return txn.commit();
}

}  // namespace solver::ops::context
