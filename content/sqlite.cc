#include "content/sqlite.h"

#include <chrono>
#include <thread>
#include <utility>

namespace content::sql {

namespace {

base::Error sql_error(sqlite3* db, std::string_view what) {
  return base::make_error(std::string(what) + ": " + sqlite3_errmsg(db));
}

}  // namespace

Statement& Statement::bind(int index, std::string_view text) {
  int rc = sqlite3_bind_text(m_stmt.get(), index, text.data(), static_cast<int>(text.size()),
                             SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && !m_bind_error) m_bind_error = sql_error(m_db, "cannot bind parameter");
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  int rc = sqlite3_bind_blob64(m_stmt.get(), index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && !m_bind_error) m_bind_error = sql_error(m_db, "cannot bind parameter");
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(m_stmt.get(), index, value);
  if (rc != SQLITE_OK && !m_bind_error) m_bind_error = sql_error(m_db, "cannot bind parameter");
  return *this;
}

Statement& Statement::bind_null(int index) {
  int rc = sqlite3_bind_null(m_stmt.get(), index);
  if (rc != SQLITE_OK && !m_bind_error) m_bind_error = sql_error(m_db, "cannot bind parameter");
  return *this;
}

Result<bool> Statement::step() {
  if (m_bind_error) return *m_bind_error;
  int rc = sqlite3_step(m_stmt.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sql_error(m_db, std::string("cannot run \"") + sqlite3_sql(m_stmt.get()) + "\"");
}

Result<void> Statement::run() {
  for (;;) {
    TRY_ASSIGN(bool row, step());
    if (!row) return {};
  }
}

void Statement::reset() {
  sqlite3_reset(m_stmt.get());
  sqlite3_clear_bindings(m_stmt.get());
  m_bind_error.reset();
}

std::string Statement::text(int column) const {
  const unsigned char* p = sqlite3_column_text(m_stmt.get(), column);
  if (!p) return {};
  int n = sqlite3_column_bytes(m_stmt.get(), column);
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
}

std::string Statement::blob(int column) const {
  const void* p = sqlite3_column_blob(m_stmt.get(), column);
  if (!p) return {};
  int n = sqlite3_column_bytes(m_stmt.get(), column);
  return std::string(static_cast<const char*>(p), static_cast<size_t>(n));
}

int64_t Statement::integer(int column) const { return sqlite3_column_int64(m_stmt.get(), column); }

bool Statement::is_null(int column) const {
  return sqlite3_column_type(m_stmt.get(), column) == SQLITE_NULL;
}

Result<Db> Db::open(const std::string& path, Options options) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(path, raw);
  if (rc != SQLITE_OK) {
    if (!raw) return base::make_error("cannot open database " + path + ": out of memory");
    return sql_error(raw, "cannot open database " + path);
  }
  sqlite3_extended_result_codes(raw, 1);
  // The busy timeout must be in place before the first statement that locks,
  // including the switch to WAL that another process may be doing right now.
  sqlite3_busy_timeout(raw, static_cast<int>(options.busy_timeout.count()));
  // FULL: a committed transaction survives power loss, so a reference the
  // database reports never outlives what the caller was told.
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
  TRY(with_context(db.exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"),
                   "configuring database " + path));
  TRY_ASSIGN(auto mode, db.prepare("PRAGMA journal_mode"));
  TRY(mode.step());
  if (mode.text(0) != "wal")
    return base::make_error("database " + path + ": cannot enable WAL mode (journal_mode is " +
                            mode.text(0) + ")");
  return db;
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
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(m_db.get(), sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return sql_error(m_db.get(), "cannot prepare \"" + std::string(sql) + "\"");
  return Statement(m_db.get(), stmt);
}

Result<Transaction> Transaction::begin(Db& db, Kind kind) {
  TRY(db.exec(kind == Kind::write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (!m_db) return;
  // Rollback failing leaves SQLite to roll back when the connection closes;
  // there is nothing better to do in a destructor.
  (void)m_db->exec("ROLLBACK");
}

Result<void> Transaction::commit() {
  Db* db = std::exchange(m_db, nullptr);
  if (!db) return base::make_error("transaction already finished");
  auto r = db->exec("COMMIT");
  if (!r) (void)db->exec("ROLLBACK");
  return r;
}

}  // namespace content::sql
