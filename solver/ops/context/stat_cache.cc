#include "solver/ops/context/stat_cache.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>

namespace solver::ops::context {

namespace {

constexpr int64_t k_ns_per_s = 1'000'000'000;

int64_t to_ns(const struct timespec& ts) {
  return static_cast<int64_t>(ts.tv_sec) * k_ns_per_s + static_cast<int64_t>(ts.tv_nsec);
}

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
  if (!(row.id == current)) return false;
  return !racily_clean(row.id, row.recorded_ns);
}

base::Digest StatCacheRow::digest() const { return base::Digest::from_sha256_bytes(sha256); }

std::optional<StatCacheRow> StatCacheRow::make(const FileIdentity& id, const base::Digest& digest,
                                               int64_t recorded_ns) {
  auto raw = digest.sha256_bytes();
  if (!raw) return std::nullopt;
  return StatCacheRow{id, *raw, recorded_ns};
}

// The block: "kstc", a version byte, the entry count (u32), then per entry in
// path order: path length (u32), path, dev, ino (u64), mode (u32), size
// (u64), mtime, ctime, recorded (i64), sha256 (32 bytes). Little-endian.
namespace {

constexpr std::string_view k_block_magic = "kstc";
constexpr uint8_t k_block_version = 1;
constexpr size_t k_header_size = k_block_magic.size() + 1 + 4;
constexpr size_t k_fixed_size = 8 + 8 + 4 + 8 + 8 + 8 + 8 + 32;

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
uint32_t get_u32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(p[i]);
  return v;
}
uint64_t get_u64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(p[i]);
  return v;
}

// `rows` sorted by path, one per path: the last given of a path wins.
std::vector<std::pair<std::string, StatCacheRow>> sorted_last_wins(std::vector<std::pair<std::string, StatCacheRow>> rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<std::string, StatCacheRow>> unique;
  unique.reserve(rows.size());
  for (auto& r : rows) {
    if (!unique.empty() && unique.back().first == r.first) unique.back() = std::move(r);
    else unique.push_back(std::move(r));
  }
  return unique;
}

void put_fixed(std::string& out, const StatCacheRow& row) {
  put_u64(out, row.id.dev);
  put_u64(out, row.id.ino);
  put_u32(out, row.id.mode);
  put_u64(out, row.id.size);
  put_u64(out, static_cast<uint64_t>(row.id.mtime_ns));
  put_u64(out, static_cast<uint64_t>(row.id.ctime_ns));
  put_u64(out, static_cast<uint64_t>(row.recorded_ns));
  out.append(reinterpret_cast<const char*>(row.sha256.data()), row.sha256.size());
}

StatCacheRow get_fixed(const char* p) {
  StatCacheRow row;
  row.id.dev = get_u64(p);
  row.id.ino = get_u64(p + 8);
  row.id.mode = get_u32(p + 16);
  row.id.size = get_u64(p + 20);
  row.id.mtime_ns = static_cast<int64_t>(get_u64(p + 28));
  row.id.ctime_ns = static_cast<int64_t>(get_u64(p + 36));
  row.recorded_ns = static_cast<int64_t>(get_u64(p + 44));
  std::memcpy(row.sha256.data(), p + 52, row.sha256.size());
  return row;
}

}  // namespace

StatCacheBlock StatCacheBlock::decode(std::string bytes) {
  StatCacheBlock block;
  if (bytes.empty()) return block;
  StatCacheBlock damaged;
  damaged.m_damaged = true;
  if (bytes.size() < k_header_size || bytes.compare(0, k_block_magic.size(), k_block_magic) != 0 ||
      static_cast<uint8_t>(bytes[k_block_magic.size()]) != k_block_version)
    return damaged;
  const uint32_t count = get_u32(bytes.data() + k_block_magic.size() + 1);
  if (count > (bytes.size() - k_header_size) / (4 + k_fixed_size)) return damaged;
  block.m_index.reserve(count);
  size_t pos = k_header_size;
  std::string_view previous;
  for (uint32_t i = 0; i < count; ++i) {
    if (bytes.size() - pos < 4) return damaged;
    const uint32_t length = get_u32(bytes.data() + pos);
    if (bytes.size() - pos - 4 < static_cast<size_t>(length) + k_fixed_size) return damaged;
    std::string_view path(bytes.data() + pos + 4, length);
    // The binary search needs strictly increasing paths; anything else is damage.
    if (i > 0 && !(previous < path)) return damaged;
    block.m_index.push_back(static_cast<uint32_t>(pos));
    previous = path;
    pos += 4 + length + k_fixed_size;
  }
  if (pos != bytes.size()) return damaged;
  block.m_bytes = std::move(bytes);
  block.m_size = block.m_index.size();
  return block;
}

std::string StatCacheBlock::encode(std::vector<std::pair<std::string, StatCacheRow>> rows) {
  std::vector<std::pair<std::string, StatCacheRow>> unique = sorted_last_wins(std::move(rows));
  std::string out(k_block_magic);
  out.push_back(static_cast<char>(k_block_version));
  put_u32(out, static_cast<uint32_t>(unique.size()));
  for (const auto& [path, row] : unique) {
    put_u32(out, static_cast<uint32_t>(path.size()));
    out += path;
    put_fixed(out, row);
  }
  return out;
}

std::string StatCacheBlock::encode_row(const StatCacheRow& row) {
  std::string out;
  out.reserve(k_fixed_size);
  put_fixed(out, row);
  return out;
}

std::optional<StatCacheRow> StatCacheBlock::decode_row(std::string_view bytes) {
  if (bytes.size() != k_fixed_size) return std::nullopt;
  return get_fixed(bytes.data());
}

void StatCacheBlock::overlay(std::vector<std::pair<std::string, StatCacheRow>> rows) {
  rows.insert(rows.begin(), std::make_move_iterator(m_overlay.begin()), std::make_move_iterator(m_overlay.end()));
  m_overlay = sorted_last_wins(std::move(rows));
  m_size = m_index.size();
  size_t hint = 0;
  for (const auto& [path, row] : m_overlay)
    if (!find_in_block(path, hint)) ++m_size;
}

std::string_view StatCacheBlock::path_at(size_t i) const {
  const char* p = m_bytes.data() + m_index[i];
  return {p + 4, get_u32(p)};
}

StatCacheRow StatCacheBlock::row_at(size_t i) const {
  const char* p = m_bytes.data() + m_index[i];
  return get_fixed(p + 4 + get_u32(p));
}

std::optional<StatCacheRow> StatCacheBlock::find(std::string_view path) const {
  size_t hint = 0;
  return find(path, hint);
}

std::optional<StatCacheRow> StatCacheBlock::find(std::string_view path, size_t& hint) const {
  if (auto row = find_in_overlay(path)) return row;
  return find_in_block(path, hint);
}

std::optional<StatCacheRow> StatCacheBlock::find_in_overlay(std::string_view path) const {
  if (m_overlay.empty()) return std::nullopt;
  auto it = std::lower_bound(m_overlay.begin(), m_overlay.end(), path,
                             [](const auto& entry, std::string_view p) { return entry.first < p; });
  if (it != m_overlay.end() && it->first == path) return it->second;
  return std::nullopt;
}

std::optional<StatCacheRow> StatCacheBlock::find_in_block(std::string_view path, size_t& hint) const {
  if (hint < m_index.size() && path_at(hint) == path) return row_at(hint++);
  size_t lo = 0;
  size_t hi = m_index.size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (path_at(mid) < path) lo = mid + 1;
    else hi = mid;
  }
  if (lo == m_index.size() || path_at(lo) != path) return std::nullopt;
  hint = lo + 1;
  return row_at(lo);
}

std::vector<std::pair<std::string, StatCacheRow>> StatCacheBlock::rows() const {
  std::vector<std::pair<std::string, StatCacheRow>> out;
  out.reserve(m_size);
  size_t k = 0;
  for (size_t i = 0; i < m_index.size(); ++i) {
    std::string_view path = path_at(i);
    for (; k < m_overlay.size() && m_overlay[k].first < path; ++k) out.push_back(m_overlay[k]);
    if (k < m_overlay.size() && m_overlay[k].first == path) out.push_back(m_overlay[k++]);
    else out.emplace_back(std::string(path), row_at(i));
  }
  for (; k < m_overlay.size(); ++k) out.push_back(m_overlay[k]);
  return out;
}

base::Result<StatCacheBlock> StatCacheTable::load(const std::string& abs_dir) {
  StatCacheBlock block;
  {
    TRY_ASSIGN(auto stmt, m_db.prepare("SELECT entries FROM stat_cache WHERE dir = ?1"));
    stmt.bind(1, abs_dir);
    TRY_ASSIGN(bool has_row, stmt.step());
    if (has_row) block = StatCacheBlock::decode(stmt.blob(0));
  }
  TRY_ASSIGN(auto deltas, m_db.prepare("SELECT path, entry FROM stat_cache_delta WHERE dir = ?1"));
  deltas.bind(1, abs_dir);
  std::vector<std::pair<std::string, StatCacheRow>> rows;
  while (true) {
    TRY_ASSIGN(bool has_row, deltas.step());
    if (!has_row) break;
    // A damaged delta row only costs hashing its file again.
    if (auto row = StatCacheBlock::decode_row(deltas.blob(1))) rows.emplace_back(deltas.text(0), *row);
  }
  if (!rows.empty()) block.overlay(std::move(rows));
  return block;
}

base::Result<void> StatCacheTable::store(const std::string& abs_dir,
                                         const std::vector<std::pair<std::string, StatCacheRow>>& rows) {
  if (rows.empty()) return {};
  TRY_ASSIGN(auto txn, content::sql::Transaction::begin(m_db, content::sql::Transaction::Kind::write));
  // Counted inside the transaction: a concurrent COPY below the same
  // directory may have added rows since this one loaded.
  int64_t existing = 0;
  {
    TRY_ASSIGN(auto count, m_db.prepare("SELECT count(*) FROM stat_cache_delta WHERE dir = ?1"));
    count.bind(1, abs_dir);
    TRY_ASSIGN(bool has_row, count.step());
    if (has_row) existing = count.integer(0);
  }
  if (static_cast<size_t>(existing) + rows.size() <= k_max_delta_rows) {
    TRY_ASSIGN(auto insert, m_db.prepare("INSERT OR REPLACE INTO stat_cache_delta (dir, path, entry) VALUES (?1, ?2, ?3)"));
    for (const auto& [path, row] : rows) {
      insert.reset();
      insert.bind(1, abs_dir).bind(2, path).bind_blob(3, StatCacheBlock::encode_row(row));
      TRY(insert.run());
    }
    return txn.commit();
  }
  TRY_ASSIGN(StatCacheBlock current, load(abs_dir));
  std::vector<std::pair<std::string, StatCacheRow>> merged = current.rows();
  merged.insert(merged.end(), rows.begin(), rows.end());
  TRY_ASSIGN(auto stmt, m_db.prepare("INSERT OR REPLACE INTO stat_cache (dir, entries) VALUES (?1, ?2)"));
  stmt.bind(1, abs_dir).bind_blob(2, StatCacheBlock::encode(std::move(merged)));
  TRY(stmt.run());
  TRY_ASSIGN(auto clear, m_db.prepare("DELETE FROM stat_cache_delta WHERE dir = ?1"));
  TRY(clear.bind(1, abs_dir).run());
  return txn.commit();
}

}  // namespace solver::ops::context
