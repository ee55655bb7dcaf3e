#include "content/sqlite.h"

#include <gtest/gtest.h>

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
