#include "content/metadata.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>

#include "content/content_store.h"
#include "content/gc.h"
#include "content/test_support.h"

namespace content {
namespace {

using testing::TempDir;

oci::Descriptor manifest_desc(std::string_view bytes) {
  return oci::Descriptor{"application/vnd.oci.image.manifest.v1+json", base::Sha256::of(bytes),
                         static_cast<int64_t>(bytes.size()), {}, {}, {}, {}, {}};
}

class MetadataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = ContentStore::open(m_dir.path());
    ASSERT_TRUE(s.ok());
    m_blobs.emplace(std::move(s).value());
    auto m = MetadataStore::open(m_dir.path(), m_clock);
    ASSERT_TRUE(m.ok()) << m.error().message;
    m_meta.emplace(std::move(m).value());
  }
  TempDir m_dir;
  base::FixedClock m_clock{1'700'000'000'000'000'000};
  std::optional<ContentStore> m_blobs;
  std::optional<MetadataStore> m_meta;
};

TEST_F(MetadataTest, ImagesPutGetListRemove) {
  auto d = manifest_desc("m1");
  ASSERT_TRUE(m_meta->put_image("app:1", d, {d.digest}).ok());
  ASSERT_TRUE(m_meta->put_image("app:0", d, {d.digest}).ok());
  auto got = m_meta->get_image("app:1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->target.digest, d.digest);
  EXPECT_EQ((*got)->target.media_type, d.media_type);
  EXPECT_EQ((*got)->target.size, 2);
  EXPECT_EQ((*got)->created, 1'700'000'000'000'000'000);
  auto all = *m_meta->list_images();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "app:0");
  EXPECT_TRUE(*m_meta->remove_image("app:1"));
  EXPECT_FALSE(*m_meta->remove_image("app:1"));
  EXPECT_FALSE(m_meta->get_image("app:1")->has_value());
  EXPECT_EQ(m_meta->blob_refs()->size(), 1u);
}

TEST_F(MetadataTest, RetaggingReplacesReferences) {
  auto a = manifest_desc("a");
  auto b = manifest_desc("b");
  ASSERT_TRUE(m_meta->put_image("x", a, {a.digest}).ok());
  ASSERT_TRUE(m_meta->put_image("x", b, {b.digest}).ok());
  auto refs = *m_meta->blob_refs();
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].digest, b.digest.str());
  EXPECT_EQ(refs[0].kind, RefOwner::image);
}

TEST_F(MetadataTest, FailingCheckLeavesNothing) {
  auto a = manifest_desc("a");
  auto r = m_meta->put_image("x", a, {a.digest}, [] { return base::Result<void>(base::make_error("no")); });
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(m_meta->get_image("x")->has_value());
  EXPECT_TRUE(m_meta->blob_refs()->empty());
}

TEST_F(MetadataTest, CacheRecordsKeepBlobsAndTrackUse) {
  auto d = base::Sha256::of("layer");
  ASSERT_TRUE(m_meta->put_cache_record("key1", R"({"snapshot":"s1"})", {d}).ok());
  auto rec = m_meta->get_cache_record("key1");
  ASSERT_TRUE(rec.ok() && rec->has_value());
  EXPECT_EQ((*rec)->value, R"({"snapshot":"s1"})");
  EXPECT_FALSE(m_meta->get_cache_record("other")->has_value());
  EXPECT_EQ(m_meta->blob_refs()->at(0).kind, RefOwner::cache);
  EXPECT_TRUE(*m_meta->remove_cache_record("key1"));
  EXPECT_TRUE(m_meta->blob_refs()->empty());
}

TEST_F(MetadataTest, LeaseProtectsUntilReleased) {
  auto lease = m_meta->create_lease(m_blobs->tmp());
  ASSERT_TRUE(lease.ok()) << lease.error().message;
  auto info = m_blobs->write_blob("leased", {std::nullopt, std::nullopt, &*lease});
  ASSERT_TRUE(info.ok());
  auto unleased = *m_blobs->write_blob("unleased");
  auto gc = collect_garbage(*m_meta, *m_blobs);
  ASSERT_TRUE(gc.ok()) << gc.error().message;
  EXPECT_EQ(gc->removed, std::vector<base::Digest>{unleased.digest});
  EXPECT_TRUE(*m_blobs->exists(info->digest));
  ASSERT_TRUE(lease->release().ok());
  EXPECT_TRUE(m_blobs->tmp().unclaimed()->empty());
  gc = collect_garbage(*m_meta, *m_blobs);
  EXPECT_EQ(gc->removed, std::vector<base::Digest>{info->digest});
  EXPECT_FALSE(*m_blobs->exists(info->digest));
}

TEST_F(MetadataTest, LeaseOfKilledProcessIsDroppedByGc) {
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  std::string root = m_dir.path();
  // SQLite connections must not cross fork(): close ours, reopen after.
  m_meta.reset();
  int pid = testing::spawn([&] {
    auto blobs = ContentStore::open(root);
    auto meta = MetadataStore::open(root, m_clock);
    if (!blobs || !meta) return 1;
    auto lease = meta->create_lease(blobs->tmp());
    if (!lease || !blobs->write_blob("child", {std::nullopt, std::nullopt, &*lease})) return 1;
    char c = 'r';
    if (::write(pipefd[1], &c, 1) != 1) return 1;
    ::pause();
    return 0;
  });
  m_meta.emplace(*MetadataStore::open(root, m_clock));
  char c = 0;
  ASSERT_EQ(::read(pipefd[0], &c, 1), 1);
  auto gc = collect_garbage(*m_meta, *m_blobs);
  ASSERT_TRUE(gc.ok());
  EXPECT_TRUE(gc->removed.empty());  // the child's lease is alive
  EXPECT_TRUE(gc->stale_leases.empty());
  ::kill(pid, SIGKILL);
  EXPECT_EQ(testing::wait_for(pid), 128 + SIGKILL);
  ::close(pipefd[0]);
  ::close(pipefd[1]);
  gc = collect_garbage(*m_meta, *m_blobs);
  ASSERT_TRUE(gc.ok());
  EXPECT_EQ(gc->stale_leases.size(), 1u);
  EXPECT_EQ(gc->removed, std::vector<base::Digest>{base::Sha256::of("child")});
  EXPECT_TRUE(m_blobs->tmp().unclaimed()->empty());
}

TEST_F(MetadataTest, ReopenKeepsData) {
  auto d = manifest_desc("m");
  ASSERT_TRUE(m_meta->put_image("keep", d, {d.digest}).ok());
  m_meta.reset();
  auto again = MetadataStore::open(m_dir.path(), m_clock);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->get_image("keep")->has_value());
  EXPECT_TRUE(again->integrity_problems()->empty());
}

}  // namespace
}  // namespace content
