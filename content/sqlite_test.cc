#include "content/sqlite.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "content/schema.h"
#include "content/test_support.h"

namespace content {
namespace {

using sql::Db;
using sql::Transaction;
using testing::TempDir;

int64_t count(Db& db, const std::string& table) {
  auto q = db.prepare("SELECT COUNT(*) FROM " + table);
  EXPECT_TRUE(q.ok());
  EXPECT_TRUE(*q->step());
  return q->integer(0);
}

TEST(Sqlite, OpensInWalModeWithForeignKeys) {
  TempDir dir;
  auto db = Db::open(dir.path() + "/kiln.db");
  ASSERT_TRUE(db.ok()) << db.error().message;
  auto mode = *db->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(*mode.step());
  EXPECT_EQ(mode.text(0), "wal");
  auto fk = *db->prepare("PRAGMA foreign_keys");
  ASSERT_TRUE(*fk.step());
  EXPECT_EQ(fk.integer(0), 1);
}

TEST(Sqlite, TransactionRollsBackUnlessCommitted) {
  TempDir dir;
  auto db = *Db::open(dir.path() + "/kiln.db");
  ASSERT_TRUE(db.exec("CREATE TABLE t (v INTEGER)").ok());
  {
    auto tx = *Transaction::begin(db, Transaction::Kind::write);
    ASSERT_TRUE(db.run("INSERT INTO t VALUES (?1)", int64_t{1}).ok());
  }
  EXPECT_EQ(count(db, "t"), 0);
  {
    auto tx = *Transaction::begin(db, Transaction::Kind::write);
    ASSERT_TRUE(db.run("INSERT INTO t VALUES (?1)", int64_t{2}).ok());
    ASSERT_TRUE(tx.commit().ok());
    EXPECT_FALSE(tx.commit().ok());
  }
  EXPECT_EQ(count(db, "t"), 1);
}

// Statements are kept for reuse: a second prepare of the same text gets the
// first one back, reset, with no bindings and no open read left behind.
TEST(Sqlite, ReusedStatementsStartClean) {
  TempDir dir;
  auto db = *Db::open(dir.path() + "/kiln.db");
  ASSERT_TRUE(db.exec("CREATE TABLE t (k INTEGER, v TEXT)").ok());
  ASSERT_TRUE(db.run("INSERT INTO t VALUES (?1, ?2)", int64_t{1}, std::string("one")).ok());
  ASSERT_TRUE(db.run("INSERT INTO t VALUES (?1, ?2)", int64_t{2}, std::string("two")).ok());
  const std::string select = "SELECT v FROM t WHERE k = ?1 OR ?1 IS NULL ORDER BY k";
  sqlite3_stmt* first_handle = nullptr;
  {
    auto q = *db.prepare(select);
    q.bind(1, int64_t{2});
    ASSERT_TRUE(*q.step());
    EXPECT_EQ(q.text(0), "two");
    first_handle = sqlite3_next_stmt(db.handle(), nullptr);
    // Left mid-result: the statement still holds a read.
  }
  {
    auto q = *db.prepare(select);
    EXPECT_EQ(sqlite3_next_stmt(db.handle(), nullptr), first_handle);
    EXPECT_FALSE(sqlite3_stmt_busy(first_handle));
    ASSERT_TRUE(*q.step());  // unbound ?1 is NULL: every row
    EXPECT_EQ(q.text(0), "one");
  }
}

TEST(Sqlite, TwoLiveCopiesOfOneStatementAreIndependent) {
  TempDir dir;
  auto db = *Db::open(dir.path() + "/kiln.db");
  ASSERT_TRUE(db.exec("CREATE TABLE t (k INTEGER)").ok());
  for (int64_t k = 1; k <= 3; ++k) ASSERT_TRUE(db.run("INSERT INTO t VALUES (?1)", k).ok());
  auto a = *db.prepare("SELECT k FROM t ORDER BY k");
  auto b = *db.prepare("SELECT k FROM t ORDER BY k");
  ASSERT_TRUE(*a.step());
  ASSERT_TRUE(*a.step());
  ASSERT_TRUE(*b.step());
  EXPECT_EQ(a.integer(0), 2);
  EXPECT_EQ(b.integer(0), 1);
}

TEST(Sqlite, StatementMayOutliveItsConnection) {
  TempDir dir;
  std::optional<sql::Statement> kept;
  {
    auto db = *Db::open(dir.path() + "/kiln.db");
    ASSERT_TRUE(db.exec("CREATE TABLE t (k INTEGER)").ok());
    kept = *db.prepare("SELECT COUNT(*) FROM t");
  }
  ASSERT_TRUE(*kept->step());  // the connection closes when the statement is done
  EXPECT_EQ(kept->integer(0), 0);
  kept.reset();
}

int64_t synchronous(Db& db) {
  auto q = db.prepare("PRAGMA synchronous");
  EXPECT_TRUE(q.ok());
  EXPECT_TRUE(*q->step());
  return q->integer(0);
}

// each_commit waits for the disk at every commit (FULL = 2); on_request
// only at checkpoints (NORMAL = 1) and when asked.
TEST(Sqlite, DurabilityChoosesWhenCommitsWaitForTheDisk) {
  TempDir dir;
  const std::string path = dir.path() + "/kiln.db";
  auto full = *Db::open(path);
  EXPECT_EQ(full.durability(), sql::Durability::each_commit);
  EXPECT_EQ(synchronous(full), 2);
  Db::Options options;
  options.durability = sql::Durability::on_request;
  auto deferred = *Db::open(path, options);
  EXPECT_EQ(deferred.durability(), sql::Durability::on_request);
  EXPECT_EQ(synchronous(deferred), 1);
  ASSERT_TRUE(deferred.exec("CREATE TABLE t (v INTEGER)").ok());
  ASSERT_TRUE(deferred.exec("INSERT INTO t VALUES (1)").ok());
  ASSERT_TRUE(std::filesystem::file_size(path + "-wal") > 0);
  EXPECT_TRUE(deferred.make_durable().ok());
  EXPECT_EQ(count(full, "t"), 1);  // committed is committed, durable or not
  EXPECT_TRUE(full.make_durable().ok());
}

TEST(Sqlite, MakingDurableWithoutAWalHasNothingToDo) {
  TempDir dir;
  const std::string path = dir.path() + "/kiln.db";
  Db::Options options;
  options.durability = sql::Durability::on_request;
  auto db = *Db::open(path, options);
  ASSERT_TRUE(db.exec("CREATE TABLE t (v INTEGER)").ok());
  std::filesystem::remove(path + "-wal");  // as if everything were checkpointed and the WAL gone
  EXPECT_TRUE(db.make_durable().ok());
}

TEST(Sqlite, TheLastCloseLeavesAnEmptyWalBehind) {
  TempDir dir;
  const std::string path = dir.path() + "/kiln.db";
  {
    auto db = *Db::open(path);
    ASSERT_TRUE(db.exec("CREATE TABLE t (v BLOB)").ok());
    ASSERT_TRUE(db.exec("INSERT INTO t VALUES (zeroblob(100000))").ok());
    EXPECT_GT(std::filesystem::file_size(path + "-wal"), 100000u);
  }
  // Kept, so that the next process need not create it again, but empty:
  // frames left valid in it would be checkpointed again by the next process.
  ASSERT_TRUE(std::filesystem::exists(path + "-wal"));
  EXPECT_EQ(std::filesystem::file_size(path + "-wal"), 0u);
  auto db = *Db::open(path);
  EXPECT_EQ(count(db, "t"), 1);
}

TEST(Sqlite, ErrorsNameTheStatement) {
  TempDir dir;
  auto db = *Db::open(dir.path() + "/kiln.db");
  auto r = db.prepare("SELECT * FROM missing");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "cannot prepare \"SELECT * FROM missing\": no such table: missing");
  ASSERT_TRUE(db.exec("CREATE TABLE u (v TEXT UNIQUE)").ok());
  ASSERT_TRUE(db.run("INSERT INTO u VALUES (?1)", std::string("a")).ok());
  auto dup = db.run("INSERT INTO u VALUES (?1)", std::string("a"));
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("UNIQUE constraint failed: u.v"), std::string::npos);
}

TEST(Sqlite, WritersWaitForTheWriteLockUpToTheBusyTimeout) {
  TempDir dir;
  auto holder = *Db::open(dir.path() + "/kiln.db");
  ASSERT_TRUE(holder.exec("CREATE TABLE t (v INTEGER)").ok());
  auto impatient = *Db::open(dir.path() + "/kiln.db", Db::Options{std::chrono::milliseconds(50)});
  {
    auto tx = *Transaction::begin(holder, Transaction::Kind::write);
    auto blocked = Transaction::begin(impatient, Transaction::Kind::write);
    ASSERT_FALSE(blocked.ok());
    EXPECT_NE(blocked.error().message.find("database is locked"), std::string::npos);
    // Readers are not blocked by a writer in WAL mode.
    auto read = Transaction::begin(impatient, Transaction::Kind::read);
    ASSERT_TRUE(read.ok());
    EXPECT_EQ(count(impatient, "t"), 0);
  }
  auto tx = Transaction::begin(impatient, Transaction::Kind::write);
  EXPECT_TRUE(tx.ok());
}

TEST(Schema, MigratesFromEmptyOnceAndRecordsVersion) {
  TempDir dir;
  auto db = *Db::open(dir.path() + "/kiln.db");
  EXPECT_EQ(*schema_version(db), 0);
  ASSERT_TRUE(migrate(db).ok());
  EXPECT_EQ(*schema_version(db), k_schema_version);
  ASSERT_TRUE(migrate(db).ok());  // idempotent
  EXPECT_EQ(count(db, "schema_version"), 1);
  EXPECT_EQ(count(db, "images"), 0);
}

TEST(Schema, RefusesNewerDatabase) {
  TempDir dir;
  auto db = *Db::open(dir.path() + "/kiln.db");
  ASSERT_TRUE(migrate(db).ok());
  ASSERT_TRUE(db.run("UPDATE schema_version SET version = ?1", k_schema_version + 5).ok());
  auto r = migrate(db);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("newer than this kiln supports"), std::string::npos);
}

TEST(Schema, ForeignKeysCascadeToReferences) {
  TempDir dir;
  auto db = *Db::open(dir.path() + "/kiln.db");
  ASSERT_TRUE(migrate(db).ok());
  ASSERT_TRUE(db.run("INSERT INTO images VALUES ('a', 'm', 'd', 1, 0, 0)").ok());
  ASSERT_TRUE(db.run("INSERT INTO image_blobs VALUES ('a', 'd')").ok());
  EXPECT_FALSE(db.run("INSERT INTO image_blobs VALUES ('nope', 'd')").ok());
  ASSERT_TRUE(db.run("DELETE FROM images WHERE name = 'a'").ok());
  EXPECT_EQ(count(db, "image_blobs"), 0);
}

}  // namespace
}  // namespace content
