#pragma once
// A thin RAII layer over SQLite for the metadata database: Db (one
// connection), Statement (one prepared statement) and Transaction. Errors
// carry SQLite's message and the statement that failed.
//
// Connections are opened in WAL mode with foreign keys on and a busy timeout,
// so concurrent kiln processes wait for each other instead of failing. A Db is
// not thread-safe (callers serialize), and it must never cross fork(): a child
// opens its own.

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"

namespace content::sql {

using base::Result;

// Prepared statements a connection keeps for reuse. Preparing parses and
// plans the SQL, and the same few statements run again and again (a cache
// lookup per build step): without reuse it was a fifth of a no-op build's CPU
// time. Shared by the connection and its live statements, so that a statement
// outliving its Db is still finalized (the connection closes with
// sqlite3_close_v2, which waits for that).
class StatementCache {
 public:
  StatementCache() = default;
  ~StatementCache();
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  sqlite3_stmt* take(std::string_view sql);
  // Takes back a statement that was reset; finalizes it when the cache is full.
  void give_back(sqlite3_stmt* stmt);

 private:
  static constexpr size_t k_max_idle = 128;
  std::mutex m_mutex;
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>> m_idle;
  size_t m_idle_count = 0;
};

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::shared_ptr<StatementCache> cache = nullptr)
      : m_db(db), m_stmt(stmt), m_cache(std::move(cache)) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite.
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, int64_t value);
  Statement& bind_null(int index);
  Statement& bind_blob(int index, std::string_view bytes);

  // Runs until the next row: true when a row is available, false when done.
  Result<bool> step();
  // step() until done, for statements that return no rows.
  Result<void> run();
  void reset();

  std::string text(int column) const;  // 0-based; NULL reads as ""
  std::string blob(int column) const;  // NULL reads as ""
  int64_t integer(int column) const;
  bool is_null(int column) const;

 private:
  void release();
  sqlite3* m_db;
  sqlite3_stmt* m_stmt;
  std::shared_ptr<StatementCache> m_cache;  // null: finalized when done
  std::optional<base::Error> m_bind_error;
};

// When a committed transaction is on the disk. Either way a commit is atomic
// and survives the process being killed; the choice is about power loss.
enum class Durability {
  // Every commit waits for the WAL to reach the disk (synchronous=FULL).
  each_commit,
  // Commits do not wait (synchronous=NORMAL): a power loss may undo the
  // latest ones, never part of one and never one without those before it
  // (the WAL's frames are checksummed in a chain). make_durable() makes
  // everything committed so far durable with one fdatasync. For work that
  // commits many small transactions and reports success once at the end.
  on_request,
};

class Db {
 public:
  struct Options {
    std::chrono::milliseconds busy_timeout{30'000};
    Durability durability = Durability::each_commit;
  };
  // Opens (creating if needed) the database file and configures the connection.
  static Result<Db> open(const std::string& path, Options options);
  static Result<Db> open(const std::string& path) { return open(path, Options{}); }

  Result<void> exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  // Prepares, binds (parameters ?1, ?2, ... in order) and runs a statement
  // that returns no rows.
  template <class... Args>
  Result<void> run(std::string_view sql, const Args&... args) {
    TRY_ASSIGN(auto stmt, prepare(sql));
    int index = 0;
    (stmt.bind(++index, args), ...);
    return stmt.run();
  }
  // Puts every transaction committed so far, by any connection to this
  // database, on the disk, whatever this connection's durability.
  Result<void> make_durable();
  Durability durability() const { return m_durability; }
  // Rows changed by the last INSERT, UPDATE or DELETE on this connection.
  int64_t changes() const { return sqlite3_changes64(m_db.get()); }
  const std::string& path() const { return m_path; }
  sqlite3* handle() const { return m_db.get(); }

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  Db(std::string path, sqlite3* db, Durability durability)
      : m_path(std::move(path)), m_durability(durability), m_db(db), m_cache(std::make_shared<StatementCache>()) {}
  std::string m_path;
  Durability m_durability;
  // Declared before the cache, so the idle statements are finalized first.
  std::unique_ptr<sqlite3, Closer> m_db;
  std::shared_ptr<StatementCache> m_cache;
};

// A transaction that rolls back unless committed. `write` transactions take
// the database's write lock at BEGIN (BEGIN IMMEDIATE): upgrading a read
// transaction later could fail with SQLITE_BUSY without waiting, which is how
// concurrent writers deadlock-fail in WAL mode.
class Transaction {
 public:
  enum class Kind { read, write };
  static Result<Transaction> begin(Db& db, Kind kind);
  ~Transaction();
  Transaction(Transaction&& other) noexcept : m_db(std::exchange(other.m_db, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;

  Result<void> commit();

 private:
  explicit Transaction(Db* db) : m_db(db) {}
  Db* m_db;  // null once committed or rolled back
};

}  // namespace content::sql
