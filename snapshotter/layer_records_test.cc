#include "snapshotter/layer_records.h"

#include <gtest/gtest.h>

#include "base/clock.h"
#include "snapshotter/copy/copy.h"
#include "snapshotter/layer/testing/temp_dir.h"

namespace snapshotter {
namespace {

layer::LayerBlob blob_of(char fill, layer::Compression c, int level) {
  layer::LayerBlob b;
  b.diff_id = base::Digest::from_hex("sha256", std::string(64, fill));
  b.tar_size = 1024;
  b.compression = c;
  b.level = level;
  b.digest = base::Digest::from_hex("sha256", std::string(64, 'f'));
  b.size = 300;
  return b;
}

class SqliteLayerRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto snaps = CopySnapshotter::open(m_root.path(), m_clock);
    ASSERT_TRUE(snaps.ok()) << snaps.error().message;
    m_snaps = std::move(snaps).value();
    auto id = m_snaps->prepare("");
    ASSERT_TRUE(id.ok());
    ASSERT_TRUE(m_snaps->commit(id.value()).ok());
    m_id = id.value();
    auto records = SqliteLayerRecords::open(m_root.path());
    ASSERT_TRUE(records.ok()) << records.error().message;
    m_records = std::move(records).value();
  }

  layer::testing::TempDir m_root;
  base::FixedClock m_clock{1'700'000'000'000'000'000};
  std::unique_ptr<CopySnapshotter> m_snaps;
  std::unique_ptr<SqliteLayerRecords> m_records;
  std::string m_id;
};

TEST_F(SqliteLayerRecordsTest, RecordFindForget) {
  EXPECT_FALSE(m_records->find(m_id, layer::Compression::gzip, 6));
  auto blob = blob_of('a', layer::Compression::gzip, 6);
  ASSERT_TRUE(m_records->record(m_id, blob).ok());
  ASSERT_TRUE(m_records->record(m_id, blob_of('b', layer::Compression::zstd, 3)).ok());
  auto found = m_records->find(m_id, layer::Compression::gzip, 6);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->diff_id, blob.diff_id);
  EXPECT_EQ(found->digest, blob.digest);
  EXPECT_EQ(found->tar_size, 1024u);
  EXPECT_EQ(found->size, 300u);
  EXPECT_EQ(found->level, 6);
  EXPECT_FALSE(m_records->find(m_id, layer::Compression::gzip, 9));
  EXPECT_TRUE(m_records->find(m_id, layer::Compression::zstd, 3));
  ASSERT_TRUE(m_records->forget(m_id).ok());
  EXPECT_FALSE(m_records->find(m_id, layer::Compression::gzip, 6));
  EXPECT_FALSE(m_records->find(m_id, layer::Compression::zstd, 3));
}

TEST_F(SqliteLayerRecordsTest, SurvivesReopenAndGoesWithTheSnapshot) {
  ASSERT_TRUE(m_records->record(m_id, blob_of('a', layer::Compression::gzip, 6)).ok());
  auto reopened = SqliteLayerRecords::open(m_root.path());
  ASSERT_TRUE(reopened.ok());
  EXPECT_TRUE(reopened.value()->find(m_id, layer::Compression::gzip, 6));
  ASSERT_TRUE(m_snaps->remove(m_id).ok());
  EXPECT_FALSE(reopened.value()->find(m_id, layer::Compression::gzip, 6));
}

TEST_F(SqliteLayerRecordsTest, RefusesUnknownSnapshot) {
  auto r = m_records->record("nosuchsnapshot", blob_of('a', layer::Compression::gzip, 6));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("nosuchsnapshot"), std::string::npos);
}

}  // namespace
}  // namespace snapshotter
