#include "content/sqlite.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>

#include "base/unique_fd.h"

namespace content::sql {

namespace {

base::Error sql_error(sqlite3* db, std::string_view what) {
  return base::make_error(std::string(what) + ": " + sqlite3_errmsg(db));
}

}  // namespace

StatementCache::~StatementCache() {
  for (auto& [sql, stmts] : m_idle)
    for (sqlite3_stmt* stmt : stmts) sqlite3_finalize(stmt);
}

sqlite3_stmt* StatementCache::take(std::string_view sql) {
  std::lock_guard lock(m_mutex);
  auto it = m_idle.find(std::string(sql));
  if (it == m_idle.end() || it->second.empty()) return nullptr;
  sqlite3_stmt* stmt = it->second.back();
  it->second.pop_back();
  --m_idle_count;
  return stmt;
}

void StatementCache::give_back(sqlite3_stmt* stmt) {
  {
    std::lock_guard lock(m_mutex);
    if (m_idle_count < k_max_idle) {
      m_idle[sqlite3_sql(stmt)].push_back(stmt);
      ++m_idle_count;
      return;
    }
  }
  sqlite3_finalize(stmt);
}

Statement::~Statement() { release(); }

Statement::Statement(Statement&& other) noexcept
    : m_db(other.m_db),
      m_stmt(std::exchange(other.m_stmt, nullptr)),
      m_cache(std::move(other.m_cache)),
      m_bind_error(std::move(other.m_bind_error)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    release();
    m_db = other.m_db;
    m_stmt = std::exchange(other.m_stmt, nullptr);
    m_cache = std::move(other.m_cache);
    m_bind_error = std::move(other.m_bind_error);
  }
  return *this;
}

void Statement::release() {
  sqlite3_stmt* stmt = std::exchange(m_stmt, nullptr);
  if (!stmt) return;
  if (!m_cache) {
    sqlite3_finalize(stmt);
    return;
  }
  // A reset statement holds no lock and no bound copies of the caller's data.
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  m_cache->give_back(stmt);
  m_cache.reset();
}

Statement& Statement::bind(int index, std::string_view text) {
  int rc = sqlite3_bind_text(m_stmt, index, text.data(), static_cast<int>(text.size()),
                             SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && !m_bind_error) m_bind_error = sql_error(m_db, "cannot bind parameter");
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  int rc = sqlite3_bind_blob64(m_stmt, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && !m_bind_error) m_bind_error = sql_error(m_db, "cannot bind parameter");
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(m_stmt, index, value);
  if (rc != SQLITE_OK && !m_bind_error) m_bind_error = sql_error(m_db, "cannot bind parameter");
  return *this;
}

Statement& Statement::bind_null(int index) {
  int rc = sqlite3_bind_null(m_stmt, index);
  if (rc != SQLITE_OK && !m_bind_error) m_bind_error = sql_error(m_db, "cannot bind parameter");
  return *this;
}

Result<bool> Statement::step() {
  if (m_bind_error) return *m_bind_error;
  int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sql_error(m_db, std::string("cannot run \"") + sqlite3_sql(m_stmt) + "\"");
}

Result<void> Statement::run() {
  for (;;) {
    TRY_ASSIGN(bool row, step());
    if (!row) return {};
  }
}

void Statement::reset() {
  sqlite3_reset(m_stmt);
  sqlite3_clear_bindings(m_stmt);
  m_bind_error.reset();
}

std::string Statement::text(int column) const {
  const unsigned char* p = sqlite3_column_text(m_stmt, column);
  if (!p) return {};
  int n = sqlite3_column_bytes(m_stmt, column);
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
}

std::string Statement::blob(int column) const {
  const void* p = sqlite3_column_blob(m_stmt, column);
  if (!p) return {};
  int n = sqlite3_column_bytes(m_stmt, column);
  return std::string(static_cast<const char*>(p), static_cast<size_t>(n));
}

int64_t Statement::integer(int column) const { return sqlite3_column_int64(m_stmt, column); }

bool Statement::is_null(int column) const {
  return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

Result<Db> Db::open(const std::string& path, Options options) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(path, raw, options.durability);
  if (rc != SQLITE_OK) {
    if (!raw) return base::make_error("cannot open database " + path + ": out of memory");
    return sql_error(raw, "cannot open database " + path);
  }
  sqlite3_extended_result_codes(raw, 1);
  // The busy timeout must be in place before the first statement that locks,
  // including the switch to WAL that another process may be doing right now.
  sqlite3_busy_timeout(raw, static_cast<int>(options.busy_timeout.count()));
  // FULL (Durability::each_commit): a committed transaction survives power
  // loss, so a reference the database reports never outlives what the caller
  // was told.
  // Switching a new database to WAL needs an exclusive lock, and SQLite
  // reports "database is locked" at once, without the busy handler, when
  // another process holds it for the same switch: retry within the timeout.
  auto deadline = std::chrono::steady_clock::now() + options.busy_timeout;
  while (true) {
    int pragma_rc = sqlite3_exec(raw, "PRAGMA journal_mode=WAL;", nullptr, nullptr, nullptr);
    if (pragma_rc == SQLITE_OK) break;
    if ((pragma_rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline)
      return sql_error(raw, "configuring database " + path + ": cannot enable WAL mode");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // journal_size_limit: see below; 16 MiB bounds the WAL between checkpoints.
  const char* synchronous = options.durability == Durability::each_commit ? "PRAGMA synchronous=FULL;"
                                                                           : "PRAGMA synchronous=NORMAL;";
  TRY(with_context(db.exec(std::string(synchronous) + " PRAGMA foreign_keys=ON; PRAGMA journal_size_limit=16777216;"),
                   "configuring database " + path));
  // The -wal and -shm files stay when the last connection closes (it still
  // checkpoints): every kiln process would otherwise delete them on exit and
  // create them again on start. On ext4 without a journal, creating inodes
  // right after deleting others is slow, and a no-op build creates few files.
  // With a journal_size_limit the kept WAL is truncated to nothing after that
  // checkpoint. Without one its frames stay valid: the next process rebuilt
  // its index from them and checkpointed them all over again when it ended
  // (3.5 MB and two fdatasyncs after a 20,000-file build).
  int persist_wal = 1;
  (void)sqlite3_file_control(raw, "main", SQLITE_FCNTL_PERSIST_WAL, &persist_wal);
  TRY_ASSIGN(auto mode, db.prepare("PRAGMA journal_mode"));
  TRY(mode.step());
  if (mode.text(0) != "wal")
    return base::make_error("database " + path + ": cannot enable WAL mode (journal_mode is " +
                            mode.text(0) + ")");
  return db;
}

Result<void> Db::make_durable() {
  // Commits not yet checkpointed are frames of the WAL; a checkpoint syncs
  // the WAL before copying them and the database file after. One fdatasync of
  // the WAL file, through a descriptor of our own (it syncs the inode), covers
  // every connection's commits. No WAL: everything was checkpointed.
  const std::string wal = m_path + "-wal";
  base::UniqueFd fd(::open(wal.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return {};
    return base::make_error("cannot open " + wal + " to sync it: " + std::strerror(errno));
  }
  // An empty WAL holds nothing to sync: the last checkpoint synced the
  // database file before it truncated the WAL (a no-op build writes nothing).
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && st.st_size == 0) return {};
  if (::fdatasync(fd.get()) != 0) return base::make_error("cannot sync " + wal + ": " + std::strerror(errno));
  return {};
}

Result<void> Db::exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(m_db.get(), text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return {};
  std::string why = message ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return base::make_error("cannot run \"" + text + "\": " + why);
}

Result<Statement> Db::prepare(std::string_view sql) {
  if (sqlite3_stmt* cached = m_cache->take(sql)) return Statement(m_db.get(), cached, m_cache);
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(m_db.get(), sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) return sql_error(m_db.get(), "cannot prepare \"" + std::string(sql) + "\"");
  if (!stmt) return base::make_error("cannot prepare \"" + std::string(sql) + "\": no statement");
  // Only a statement whose text is exactly `sql` can be found again by it:
  // text after the first statement (ignored by SQLite) keeps it out.
  const bool whole = tail == sql.data() + sql.size();
  return Statement(m_db.get(), stmt, whole ? m_cache : nullptr);
}

Result<Transaction> Transaction::begin(Db& db, Kind kind) {
  TRY_ASSIGN(auto begin, db.prepare(kind == Kind::write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED"));
  TRY(begin.run());
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (!m_db) return;
  // Rollback failing leaves SQLite to roll back when the connection closes;
  // there is nothing better to do in a destructor.
  (void)m_db->run("ROLLBACK");
}

Result<void> Transaction::commit() {
  Db* db = std::exchange(m_db, nullptr);
  if (!db) return base::make_error("transaction already finished");
  auto r = db->run("COMMIT");
  if (!r) (void)db->run("ROLLBACK");
  return r;
}

}  // namespace content::sql
