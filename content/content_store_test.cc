#include "content/content_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>

#include "content/file_ops.h"
#include "content/test_support.h"

namespace content {
namespace {

using testing::TempDir;

size_t count_entries(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().filename() != ".lock") ++n;
  return n;
}

class ContentStoreTest : public ::testing::Test {
 protected:
  ContentStore open() {
    auto s = ContentStore::open(m_dir.path());
    EXPECT_TRUE(s.ok()) << s.error().message;
    return std::move(s).value();
  }
  TempDir m_dir;
};

TEST_F(ContentStoreTest, WritesAndReadsBlob) {
  auto store = open();
  auto info = store.write_blob("hello");
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->digest, base::Sha256::of("hello"));
  EXPECT_EQ(info->size, 5);
  std::string path = m_dir.path() + "/blobs/sha256/" + info->digest.hex();
  EXPECT_EQ(testing::read_file(path), "hello");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0444u);
  EXPECT_EQ(*store.read(info->digest), "hello");
  EXPECT_EQ(*store.info(info->digest), *info);
  EXPECT_TRUE(*store.exists(info->digest));
  EXPECT_EQ(count_entries(m_dir.path() + "/tmp"), 0u);
}

TEST_F(ContentStoreTest, StreamingWriterHashesChunks) {
  auto store = open();
  std::string big(300000, 'x');
  for (size_t i = 0; i < big.size(); i += 7) big[i] = static_cast<char>('a' + i % 26);
  auto w = store.writer({base::Sha256::of(big), static_cast<int64_t>(big.size()), nullptr});
  ASSERT_TRUE(w.ok());
  for (size_t off = 0; off < big.size(); off += 4096)
    ASSERT_TRUE(w->write(std::string_view(big).substr(off, 4096)).ok());
  EXPECT_EQ(w->written(), static_cast<int64_t>(big.size()));
  auto info = w->commit();
  ASSERT_TRUE(info.ok()) << info.error().message;
  auto reader = store.open_reader(info->digest);
  ASSERT_TRUE(reader.ok());
  std::string got;
  char buf[1000];
  for (;;) {
    auto n = reader->read(buf, sizeof buf);
    ASSERT_TRUE(n.ok()) << n.error().message;
    if (*n == 0) break;
    got.append(buf, *n);
  }
  EXPECT_EQ(got, big);
}

// Past several writeback chunks, with writes that straddle chunk edges: the
// early writeback is a hint and must not change what is stored.
TEST_F(ContentStoreTest, BlobLargerThanTheWritebackChunkIsStoredWhole) {
  auto store = open();
  std::string big(static_cast<size_t>(k_writeback_chunk) * 2 + 12345, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 2654435761u) >> 24);
  auto w = store.writer({base::Sha256::of(big), static_cast<int64_t>(big.size()), nullptr});
  ASSERT_TRUE(w.ok());
  for (size_t off = 0; off < big.size(); off += 1000003)
    ASSERT_TRUE(w->write(std::string_view(big).substr(off, 1000003)).ok());
  auto info = w->commit();
  ASSERT_TRUE(info.ok()) << info.error().message;
  auto reader = store.open_reader(info->digest);
  ASSERT_TRUE(reader.ok());
  std::string got;
  std::string buf(1 << 20, '\0');
  for (;;) {
    auto n = reader->read(buf.data(), buf.size());
    ASSERT_TRUE(n.ok()) << n.error().message;
    if (*n == 0) break;
    got.append(buf.data(), *n);
  }
  EXPECT_EQ(got.size(), big.size());
  EXPECT_TRUE(got == big);
}

// The same through write_behind, with small and large writes mixed, and a
// writer abandoned half way leaves nothing behind.
TEST_F(ContentStoreTest, WriteBehindStoresTheSameBytesAndAnAbandonedOneNothing) {
  auto store = open();
  std::string big(static_cast<size_t>(k_write_behind_limit) * 2 + 4567, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 2654435761u) >> 24);
  WriterOptions options{base::Sha256::of(big), static_cast<int64_t>(big.size()), nullptr};
  options.write_behind = true;
  auto w = store.writer(options);
  ASSERT_TRUE(w.ok());
  size_t off = 0;
  for (size_t step : {size_t{1}, size_t{511}, size_t{3} << 20, size_t{7}, size_t{5} << 20}) {
    for (int k = 0; k < 3 && off < big.size(); ++k) {
      size_t n = std::min(step, big.size() - off);
      ASSERT_TRUE(w->write(std::string_view(big).substr(off, n)).ok());
      off += n;
    }
  }
  ASSERT_TRUE(w->write(std::string_view(big).substr(off)).ok());
  auto info = w->commit();
  ASSERT_TRUE(info.ok()) << info.error().message;
  auto stored = store.read(info->digest);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_TRUE(*stored == big);

  {
    WriterOptions abandoned;
    abandoned.write_behind = true;
    auto half = store.writer(abandoned);
    ASSERT_TRUE(half.ok());
    ASSERT_TRUE(half->write(std::string_view(big).substr(0, big.size() / 2)).ok());
  }  // destroyed uncommitted, writes possibly still queued
  EXPECT_EQ(count_entries(m_dir.path() + "/tmp"), 0u);
}

TEST_F(ContentStoreTest, DigestMismatchNamesBothAndLeavesNothing) {
  auto store = open();
  auto expected = base::Sha256::of("other");
  auto r = store.write_blob("hello", {expected, std::nullopt, nullptr});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "blob digest mismatch: expected " + expected.str() + ", got " +
                                   base::Sha256::of("hello").str());
  EXPECT_EQ(count_entries(m_dir.path() + "/tmp"), 0u);
  EXPECT_EQ(count_entries(m_dir.path() + "/blobs/sha256"), 0u);
}

TEST_F(ContentStoreTest, SizeMismatchFailsEarlyAndAtCommit) {
  auto store = open();
  auto too_long = store.write_blob("hello", {std::nullopt, 3, nullptr});
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().message, "blob size mismatch: expected 3 bytes, got at least 5");
  auto too_short = store.write_blob("hello", {std::nullopt, 9, nullptr});
  ASSERT_FALSE(too_short.ok());
  EXPECT_EQ(too_short.error().message, "blob size mismatch for " + base::Sha256::of("hello").str() +
                                           ": expected 9 bytes, got 5");
  EXPECT_EQ(count_entries(m_dir.path() + "/tmp"), 0u);
  EXPECT_EQ(count_entries(m_dir.path() + "/blobs/sha256"), 0u);
}

TEST_F(ContentStoreTest, AbandonedWriterLeavesNothing) {
  auto store = open();
  {
    auto w = store.writer();
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->write("partial").ok());
    EXPECT_EQ(count_entries(m_dir.path() + "/tmp"), 1u);
  }
  EXPECT_EQ(count_entries(m_dir.path() + "/tmp"), 0u);
}

TEST_F(ContentStoreTest, CorruptBlobIsReportedNeverReturned) {
  auto store = open();
  auto info = *store.write_blob("good content");
  testing::overwrite_file(store.blob_path(info.digest), "evil content");
  auto r = store.read(info.digest);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "blob " + info.digest.str() + " is corrupt: content hashes to " +
                                   base::Sha256::of("evil content").str());
  testing::overwrite_file(store.blob_path(info.digest), "good");
  auto truncated = store.read(info.digest);
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.error().message.find("is corrupt"), std::string::npos);
  // A stream stays failed: it never reports a clean end after the error.
  auto reader = *store.open_reader(info.digest);
  char buf[64];
  ASSERT_TRUE(reader.read(buf, sizeof buf).ok());
  EXPECT_FALSE(reader.read(buf, sizeof buf).ok());
  EXPECT_FALSE(reader.read(buf, sizeof buf).ok());
}

TEST_F(ContentStoreTest, RewritingRepairsCorruptBlob) {
  auto store = open();
  auto info = *store.write_blob("content");
  testing::overwrite_file(store.blob_path(info.digest), "junk");
  ASSERT_TRUE(store.write_blob("content").ok());
  EXPECT_EQ(*store.read(info.digest), "content");
}

TEST_F(ContentStoreTest, ACallerThatHashedTheBytesNamesTheDigest) {
  auto store = open();
  WriterOptions options;
  options.digest_from_caller = true;
  auto w = *store.writer(options);
  ASSERT_TRUE(w.write("layer bytes").ok());
  auto info = w.commit(base::Sha256::of("layer bytes"));
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->size, 11);
  EXPECT_EQ(*store.read(info->digest), "layer bytes");
  // Each commit belongs to its kind of writer; a misuse publishes nothing.
  auto unnamed = *store.writer(options);
  ASSERT_TRUE(unnamed.write("other").ok());
  EXPECT_FALSE(unnamed.commit().ok());
  auto self_hashing = *store.writer();
  ASSERT_TRUE(self_hashing.write("other").ok());
  EXPECT_FALSE(self_hashing.commit(base::Sha256::of("other")).ok());
  EXPECT_FALSE(*store.exists(base::Sha256::of("other")));
  EXPECT_EQ(count_entries(m_dir.path() + "/tmp"), 0u);
}

TEST_F(ContentStoreTest, AnIdenticalBlobIsNotWrittenAgain) {
  auto store = open();
  auto first = *store.write_blob("same bytes");
  struct stat before {};
  ASSERT_EQ(::stat(store.blob_path(first.digest).c_str(), &before), 0);
  auto again = store.write_blob("same bytes", {first.digest, first.size, nullptr});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(*again, first);
  struct stat after {};
  ASSERT_EQ(::stat(store.blob_path(first.digest).c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);  // a rename would have replaced the file
  EXPECT_EQ(count_entries(m_dir.path() + "/tmp"), 0u);
  // What a write checks still holds for a stored blob.
  auto wrong = store.write_blob("same bytes", {base::Sha256::of("other"), std::nullopt, nullptr});
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("digest mismatch"), std::string::npos);
}

TEST_F(ContentStoreTest, MissingBlobSaysNotFound) {
  auto store = open();
  auto d = base::Sha256::of("absent");
  EXPECT_EQ(store.read(d).error().message, "blob " + d.str() + " not found");
  EXPECT_EQ(store.info(d).error().message, "blob " + d.str() + " not found");
  EXPECT_FALSE(*store.exists(d));
  EXPECT_TRUE(store.remove(d).ok());
}

TEST_F(ContentStoreTest, RejectsOtherAlgorithms) {
  auto store = open();
  auto d = base::Digest::from_hex("sha512", std::string(128, 'a'));
  EXPECT_FALSE(store.read(d).ok());
  EXPECT_FALSE(store.writer({d, std::nullopt, nullptr}).ok());
}

TEST_F(ContentStoreTest, WalkListsBlobsInOrderAndStraysSeparately) {
  auto store = open();
  std::vector<base::Digest> expected;
  for (const char* s : {"a", "b", "c"}) expected.push_back(store.write_blob(s)->digest);
  std::sort(expected.begin(), expected.end());
  testing::overwrite_file(store.blob_dir() + "/not-a-digest", "x");
  std::vector<base::Digest> seen;
  ASSERT_TRUE(store.walk([&](const BlobInfo& b) -> base::Result<void> {
    seen.push_back(b.digest);
    return {};
  }).ok());
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(*store.stray_entries(), std::vector<std::string>{"not-a-digest"});
  ASSERT_TRUE(store.remove(expected[1]).ok());
  EXPECT_FALSE(*store.exists(expected[1]));
}

TEST_F(ContentStoreTest, RemoveStrayEntriesKeepsEveryBlob) {
  auto store = open();
  auto blob = store.write_blob("kept");
  ASSERT_TRUE(blob.ok());
  testing::overwrite_file(store.blob_dir() + "/not-a-digest", "x");
  std::filesystem::create_directories(store.blob_dir() + "/a-dir/inner");
  testing::overwrite_file(store.blob_dir() + "/a-dir/inner/file", "y");
  auto removed = store.remove_stray_entries();
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_EQ(*removed, (std::vector<std::string>{"a-dir", "not-a-digest"}));
  EXPECT_TRUE(store.stray_entries()->empty());
  EXPECT_TRUE(*store.exists(blob->digest));
  EXPECT_TRUE(store.remove_stray_entries()->empty());
}

class RecordingGuard : public PublishGuard {
 public:
  explicit RecordingGuard(const ContentStore& store, bool fail) : m_store(store), m_fail(fail) {}
  base::Result<void> protect(const base::Digest& digest) override {
    // The blob must not be visible yet when the guard runs.
    visible_during_protect = *m_store.exists(digest);
    protected_digests.push_back(digest);
    if (m_fail) return base::make_error("database is locked");
    return {};
  }
  std::vector<base::Digest> protected_digests;
  bool visible_during_protect = true;

 private:
  const ContentStore& m_store;
  bool m_fail;
};

TEST_F(ContentStoreTest, GuardRunsBeforePublication) {
  auto store = open();
  RecordingGuard guard(store, false);
  auto info = store.write_blob("guarded", {std::nullopt, std::nullopt, &guard});
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(guard.protected_digests, std::vector<base::Digest>{info->digest});
  EXPECT_FALSE(guard.visible_during_protect);
}

TEST_F(ContentStoreTest, GuardProtectsABlobThatIsAlreadyStored) {
  auto store = open();
  auto info = *store.write_blob("guarded");
  RecordingGuard guard(store, false);
  ASSERT_TRUE(store.write_blob("guarded", {std::nullopt, std::nullopt, &guard}).ok());
  EXPECT_EQ(guard.protected_digests, std::vector<base::Digest>{info.digest});
  RecordingGuard failing(store, true);
  EXPECT_FALSE(store.write_blob("guarded", {std::nullopt, std::nullopt, &failing}).ok());
}

TEST_F(ContentStoreTest, GuardFailureAbortsCommit) {
  auto store = open();
  RecordingGuard guard(store, true);
  auto info = store.write_blob("guarded", {std::nullopt, std::nullopt, &guard});
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().message,
            "protecting blob " + base::Sha256::of("guarded").str() + ": database is locked");
  EXPECT_FALSE(*store.exists(base::Sha256::of("guarded")));
  EXPECT_EQ(count_entries(m_dir.path() + "/tmp"), 0u);
}

TEST_F(ContentStoreTest, OpenCleansOnlyUnclaimedTmpEntries) {
  auto store = open();
  testing::overwrite_file(m_dir.path() + "/tmp/blob-deadbeef", "left by a killed process");
  std::filesystem::create_directories(m_dir.path() + "/tmp/dir-dead/sub");
  auto live = store.writer();  // claimed by this process, through its own fd
  ASSERT_TRUE(live.ok());
  ASSERT_TRUE(live->write("in progress").ok());
  EXPECT_EQ(*store.tmp().unclaimed(), (std::vector<std::string>{"blob-deadbeef", "dir-dead"}));
  auto reopened = open();
  EXPECT_EQ(count_entries(m_dir.path() + "/tmp"), 1u);
  auto info = live->commit();
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(*reopened.read(info->digest), "in progress");
}

TEST_F(ContentStoreTest, TmpClaimDiesWithTheProcess) {
  auto store = open();
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  int pid = testing::spawn([&] {
    auto w = store.writer();
    if (!w.ok() || !w->write("never finished").ok()) return 1;
    char c = 'r';
    if (::write(pipefd[1], &c, 1) != 1) return 1;
    ::pause();
    return 0;
  });
  char c = 0;
  ASSERT_EQ(::read(pipefd[0], &c, 1), 1);
  EXPECT_TRUE(store.tmp().unclaimed()->empty());
  ::kill(pid, SIGKILL);
  EXPECT_EQ(testing::wait_for(pid), 128 + SIGKILL);
  ::close(pipefd[0]);
  ::close(pipefd[1]);
  EXPECT_EQ(store.tmp().unclaimed()->size(), 1u);
  ASSERT_TRUE(store.tmp().clean().ok());
  EXPECT_EQ(count_entries(m_dir.path() + "/tmp"), 0u);
}

}  // namespace
}  // namespace content
