// The stat cache: when a recorded digest is trusted, and that a doubtful or
// broken cache never yields a wrong digest.

#include "solver/ops/context/stat_cache.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <thread>

#include "content/schema.h"
#include "content/sqlite.h"
#include "solver/ops/context/selection.h"
#include "solver/ops/context/test_tree.h"

namespace solver::ops::context {
namespace {

using testing::TestTree;

constexpr int64_t k_s = 1'000'000'000;

FileIdentity identity(int64_t mtime_ns, int64_t ctime_ns) {
  FileIdentity id;
  id.dev = 1;
  id.ino = 2;
  id.mode = S_IFREG | 0644;
  id.size = 10;
  id.mtime_ns = mtime_ns;
  id.ctime_ns = ctime_ns;
  return id;
}

TEST(RacilyClean, TimestampsCloseToTheRecordingAreRacy) {
  const int64_t t = 1'700'000'000 * k_s + 123'456'789;
  EXPECT_TRUE(racily_clean(identity(t, t), t));
  EXPECT_TRUE(racily_clean(identity(t, t), t + k_fine_granularity_ns));
  EXPECT_FALSE(racily_clean(identity(t, t), t + k_fine_granularity_ns + 1));
  // A later ctime alone makes it racy.
  EXPECT_TRUE(racily_clean(identity(t - 10 * k_s, t), t + 50'000'000));
  // Whole-second timestamps suggest a coarse filesystem: a wider margin.
  const int64_t whole = 1'700'000'000 * k_s;
  EXPECT_TRUE(racily_clean(identity(whole, whole), whole + k_s));
  EXPECT_FALSE(racily_clean(identity(whole, whole), whole + k_coarse_granularity_ns + 1));
}

StatCacheRow row_for(const FileIdentity& id, const base::Digest& digest, int64_t recorded) {
  auto row = StatCacheRow::make(id, digest, recorded);
  EXPECT_TRUE(row.has_value());
  return row.value_or(StatCacheRow{});
}

TEST(IsTrusted, EveryStatFieldMustMatch) {
  const int64_t t = 1'700'000'000 * k_s + 5;
  StatCacheRow row = row_for(identity(t, t), base::Sha256::of("x"), t + 10 * k_s);
  EXPECT_TRUE(is_trusted(row, row.id));
  auto changed = [&](auto mutate) {
    FileIdentity id = row.id;
    mutate(id);
    return is_trusted(row, id);
  };
  EXPECT_FALSE(changed([](FileIdentity& id) { id.dev++; }));
  EXPECT_FALSE(changed([](FileIdentity& id) { id.ino++; }));
  EXPECT_FALSE(changed([](FileIdentity& id) { id.mode ^= 0100; }));
  EXPECT_FALSE(changed([](FileIdentity& id) { id.size++; }));
  EXPECT_FALSE(changed([](FileIdentity& id) { id.mtime_ns++; }));
  EXPECT_FALSE(changed([](FileIdentity& id) { id.ctime_ns++; }));
}

TEST(StatCacheRowTest, KeepsTheDigestAndRefusesOtherAlgorithms) {
  const base::Digest d = base::Sha256::of("x");
  EXPECT_EQ(row_for(identity(1, 1), d, 3).digest(), d);
  EXPECT_FALSE(StatCacheRow::make(identity(1, 1), base::Digest::from_hex("sha512", d.hex()), 3));
  EXPECT_FALSE(StatCacheRow::make(identity(1, 1), base::Digest::from_hex("sha256", "xyz"), 3));
  EXPECT_FALSE(StatCacheRow::make(identity(1, 1), base::Digest(), 3));
}

TEST(StatCacheBlockTest, EncodesSortedAndFindsEveryPath) {
  std::vector<std::pair<std::string, StatCacheRow>> rows;
  for (int i = 0; i < 300; ++i) {
    std::string path = "dir" + std::to_string(i % 7) + "/file-" + std::to_string(i);
    rows.emplace_back(path, row_for(identity(i, i + 1), base::Sha256::of(path), 1000 + i));
  }
  StatCacheBlock block = StatCacheBlock::decode(StatCacheBlock::encode(rows));
  ASSERT_FALSE(block.damaged());
  ASSERT_EQ(block.size(), rows.size());
  for (const auto& [path, row] : rows) {
    auto found = block.find(path);
    ASSERT_TRUE(found) << path;
    EXPECT_EQ(*found, row);
  }
  EXPECT_FALSE(block.find("dir1"));
  EXPECT_FALSE(block.find("dir1/file-"));
  EXPECT_FALSE(block.find(""));
  EXPECT_FALSE(block.find("zzz"));
  auto listed = block.rows();
  EXPECT_TRUE(std::is_sorted(listed.begin(), listed.end(), [](auto& a, auto& b) { return a.first < b.first; }));
  // With a hint, in path order, in reverse and with misses between: the
  // same answers as without.
  std::vector<std::string> order;
  for (const auto& [path, row] : listed) order.push_back(path);
  std::vector<std::string> reversed(order.rbegin(), order.rend());
  std::vector<std::string> mixed;
  for (const auto& path : order) {
    mixed.push_back(path);
    mixed.push_back(path + "x");  // absent
  }
  for (const auto* lookups : {&order, &reversed, &mixed}) {
    size_t hint = 0;
    for (const std::string& path : *lookups) EXPECT_EQ(block.find(path, hint), block.find(path)) << path;
  }
}

TEST(StatCacheBlockTest, TheLastRowOfAPathWins) {
  auto first = row_for(identity(1, 1), base::Sha256::of("old"), 5);
  auto second = row_for(identity(2, 2), base::Sha256::of("new"), 6);
  StatCacheBlock block = StatCacheBlock::decode(StatCacheBlock::encode({{"a", first}, {"b", first}, {"a", second}}));
  EXPECT_EQ(block.size(), 2u);
  EXPECT_EQ(block.find("a"), second);
  EXPECT_EQ(block.find("b"), first);
}

TEST(StatCacheBlockTest, DamageDecodesAsAnEmptyDamagedBlock) {
  EXPECT_FALSE(StatCacheBlock::decode("").damaged());
  const std::string good =
      StatCacheBlock::encode({{"a", row_for(identity(1, 1), base::Sha256::of("a"), 5)},
                              {"b", row_for(identity(1, 1), base::Sha256::of("b"), 5)}});
  ASSERT_EQ(StatCacheBlock::decode(good).size(), 2u);
  std::vector<std::string> bad = {
      "garbage",
      "kstc",
      good.substr(0, good.size() - 1),  // truncated
      good + "x",                        // trailing bytes
      "kstX" + good.substr(4),           // magic
      good.substr(0, 4) + "\x02" + good.substr(5),  // version
  };
  // Paths out of order: swap the two names.
  std::string unsorted = good;
  const size_t a = unsorted.find('a', 9), b = unsorted.find('b', a + 1);
  ASSERT_NE(b, std::string::npos);
  std::swap(unsorted[a], unsorted[b]);
  bad.push_back(unsorted);
  // A count far beyond the data.
  std::string huge = good;
  huge[5] = huge[6] = huge[7] = huge[8] = '\xff';
  bad.push_back(huge);
  for (const std::string& bytes : bad) {
    StatCacheBlock block = StatCacheBlock::decode(bytes);
    EXPECT_TRUE(block.damaged()) << ::testing::PrintToString(bytes);
    EXPECT_EQ(block.size(), 0u);
    EXPECT_FALSE(block.find("a"));
  }
}

TEST(StatCacheBlockTest, AnOverlayReplacesAndAddsEntries) {
  auto old_row = row_for(identity(1, 1), base::Sha256::of("old"), 5);
  auto new_row = row_for(identity(2, 2), base::Sha256::of("new"), 6);
  StatCacheBlock block = StatCacheBlock::decode(StatCacheBlock::encode({{"b", old_row}, {"d", old_row}}));
  block.overlay({{"d", new_row}, {"a", new_row}, {"c", old_row}});
  block.overlay({{"c", new_row}});  // a later overlay wins too
  EXPECT_EQ(block.size(), 4u);
  EXPECT_EQ(block.find("a"), new_row);
  EXPECT_EQ(block.find("b"), old_row);
  EXPECT_EQ(block.find("c"), new_row);
  EXPECT_EQ(block.find("d"), new_row);
  EXPECT_FALSE(block.find("e"));
  auto listed = block.rows();
  ASSERT_EQ(listed.size(), 4u);
  std::vector<std::string> paths;
  for (const auto& [path, row] : listed) paths.push_back(path);
  EXPECT_EQ(paths, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(listed[3].second, new_row);
}

TEST(StatCacheBlockTest, ARowRoundTripsAndAWrongSizeIsRefused) {
  auto row = row_for(identity(7, 8), base::Sha256::of("x"), 9);
  const std::string bytes = StatCacheBlock::encode_row(row);
  EXPECT_EQ(StatCacheBlock::decode_row(bytes), row);
  EXPECT_FALSE(StatCacheBlock::decode_row(bytes.substr(1)));
  EXPECT_FALSE(StatCacheBlock::decode_row(bytes + "x"));
  EXPECT_FALSE(StatCacheBlock::decode_row(""));
}

class StatCacheTest : public ::testing::Test {
 protected:
  FileIdentity stat_of(const std::string& rel) {
    struct stat st;
    EXPECT_EQ(lstat(tree.abs(rel).c_str(), &st), 0);
    return FileIdentity::from_stat(st);
  }
  std::string host_path(const std::string& rel) {
    char real[PATH_MAX];
    EXPECT_NE(realpath(tree.context().c_str(), real), nullptr);
    return std::string(real) + "/" + rel;
  }
  Result<Selection> select_at(int64_t clock_ns, SelectStats* stats = nullptr) {
    base::FixedClock clock(clock_ns);
    ContextHasher::Options options;
    options.clock = &clock;
    auto hasher = ContextHasher::open(tree.root(), options);
    if (!hasher.ok()) return hasher.error();
    SelectRequest r;
    r.sources = {"."};
    auto s = hasher->select(tree.context(), r);
    if (stats) *stats = hasher->last_stats();
    return s;
  }
  // The context directory as the stat cache keys it.
  std::string context_dir() {
    std::string dir = host_path("");
    return dir.substr(0, dir.size() - 1);
  }
  // Writes a row claiming `digest` for the file as it is now.
  void plant(const std::string& rel, const base::Digest& digest, int64_t recorded) {
    auto db = content::sql::Db::open(tree.root() + "/kiln.db");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(content::migrate(*db).ok());
    StatCacheTable table(*db);
    ASSERT_TRUE(table.store(context_dir(), {{rel, row_for(stat_of(rel), digest, recorded)}}).ok());
  }
  // Long after the files were written: nothing is racy.
  int64_t later() { return stat_of("a.txt").ctime_ns + 3600 * k_s; }
  // a.txt and part0/ ... part3/ of 20 files each, and a hasher whose clock
  // reads later().
  Result<ContextHasher> four_parts() {
    tree.write("a.txt", "alpha");
    for (int p = 0; p < 4; ++p)
      for (int f = 0; f < 20; ++f)
        tree.write("part" + std::to_string(p) + "/f" + std::to_string(f), std::to_string(p * 100 + f));
    m_clock.emplace(later());
    ContextHasher::Options options;
    options.clock = &*m_clock;
    return ContextHasher::open(tree.root(), options);
  }
  std::optional<base::FixedClock> m_clock;  // outlives the hashers of a test

  TestTree tree;
};

// More entries than one conversion block: the parallel pass keeps path
// order, reuses every row on the second select, and hashes again only the
// file that changed.
TEST_F(StatCacheTest, LargeSelectionKeepsOrderAndReusesEveryRow) {
  std::vector<std::string> expected;
  for (int d = 0; d < 5; ++d) {
    const std::string dir = "d" + std::to_string(d);
    expected.push_back(dir);
    for (int f = 0; f < 1000; ++f) {
      const std::string path = dir + "/f" + std::to_string(f);
      tree.write(path, path);
      expected.push_back(path);
    }
  }
  std::sort(expected.begin(), expected.end(), path_less);
  const int64_t clock = stat_of("d4/f999").ctime_ns + 3600 * k_s;
  SelectStats stats;
  auto first = select_at(clock, &stats);
  ASSERT_TRUE(first.ok()) << first.error().message;
  std::vector<std::string> paths;
  for (const auto& e : first->entries) paths.push_back(e.path);
  EXPECT_EQ(paths, expected);
  EXPECT_EQ(stats.files_hashed, 5000u);

  auto second = select_at(clock, &stats);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, *first);
  EXPECT_EQ(stats.files_reused, 5000u);
  EXPECT_EQ(stats.files_hashed, 0u);

  tree.write("d3/f999", "changed");
  auto third = select_at(stat_of("d3/f999").ctime_ns + 3600 * k_s, &stats);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(stats.files_hashed, 1u);
  EXPECT_EQ(stats.files_reused, 4999u);
  EXPECT_EQ(explain_selection_change(*first, *third),
            (std::vector<std::string>{"d3/f999: content changed"}));
}

TEST_F(StatCacheTest, UnchangedFilesAreReused) {
  tree.write("a.txt", "alpha");
  tree.write("dir/b.txt", "beta");
  SelectStats stats;
  auto first = select_at(later(), &stats);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(stats.files, 2u);
  EXPECT_EQ(stats.files_hashed, 2u);
  EXPECT_EQ(stats.rows_written, 2u);

  auto second = select_at(later(), &stats);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(stats.files_hashed, 0u);
  EXPECT_EQ(stats.files_reused, 2u);
  EXPECT_EQ(stats.rows_written, 0u);
  EXPECT_EQ(*second, *first);
}

TEST_F(StatCacheTest, TouchWithoutChangeKeepsTheDigest) {
  tree.write("a.txt", "alpha");
  SelectStats stats;
  auto first = select_at(later(), &stats);
  ASSERT_TRUE(first.ok());
  tree.set_mtime("a.txt", 1'600'000'000, 17);
  auto touched = select_at(later(), &stats);
  ASSERT_TRUE(touched.ok());
  EXPECT_EQ(stats.files_hashed, 1u);  // the stat changed, so it is read again
  EXPECT_EQ(touched->digest, first->digest);
  // And the new stat is trusted from then on.
  auto again = select_at(later(), &stats);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(stats.files_reused, 1u);
  EXPECT_EQ(again->digest, first->digest);
}

TEST_F(StatCacheTest, TrustedRowIsUsedInsteadOfReading) {
  // Proves the cache is consulted: a planted row with a made-up digest and
  // a matching stat, recorded long after the file's timestamps, is believed.
  tree.write("a.txt", "alpha");
  const base::Digest made_up = base::Sha256::of("not the content");
  plant("a.txt", made_up, later());
  auto s = select_at(later());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->entries[0].content, made_up);
}

TEST_F(StatCacheTest, RacilyCleanRowIsNotTrusted) {
  // Same dev, inode, size, mtime and ctime, but the row was recorded within
  // the timestamp granularity of the file's last change: the content may
  // have changed again without the stat showing it, so it is read.
  tree.write("a.txt", "alpha");
  const FileIdentity id = stat_of("a.txt");
  plant("a.txt", base::Sha256::of("stale content"), id.ctime_ns + 1);
  SelectStats stats;
  auto s = select_at(id.ctime_ns + 2, &stats);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->entries[0].content, base::Sha256::of("alpha"));
  EXPECT_EQ(stats.files_hashed, 1u);
}

TEST_F(StatCacheTest, SameSizeAndMtimeButNewContentIsDetected) {
  tree.write("a.txt", "alpha");
  tree.set_mtime("a.txt", 1'600'000'000, 5);
  // Recorded right at the file's ctime: racily clean.
  auto first = select_at(stat_of("a.txt").ctime_ns);
  ASSERT_TRUE(first.ok());
  tree.write("a.txt", "ALPHA");  // same size
  tree.set_mtime("a.txt", 1'600'000'000, 5);
  SelectStats stats;
  auto second = select_at(later(), &stats);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->entries[0].content, base::Sha256::of("ALPHA"));
  EXPECT_NE(second->digest, first->digest);
}

TEST_F(StatCacheTest, DamagedRowsAreIgnored) {
  tree.write("a.txt", "alpha");
  auto db = content::sql::Db::open(tree.root() + "/kiln.db");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(select_at(later()).ok());  // creates the schema
  ASSERT_TRUE(db->run("UPDATE stat_cache SET entries = X'6B737463010100'").ok());
  auto s = select_at(later());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->entries[0].content, base::Sha256::of("alpha"));
}

TEST_F(StatCacheTest, MissingTableMeansHashingNotFailing) {
  tree.write("a.txt", "alpha");
  ASSERT_TRUE(select_at(later()).ok());
  {
    auto db = content::sql::Db::open(tree.root() + "/kiln.db");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->run("DROP TABLE stat_cache").ok());
    ASSERT_TRUE(db->run("DROP TABLE stat_cache_delta").ok());
  }
  base::FixedClock clock(later());
  ContextHasher::Options options;
  options.clock = &clock;
  auto hasher = ContextHasher::open(tree.root(), options);
  ASSERT_TRUE(hasher.ok());
  SelectRequest r;
  r.sources = {"a.txt"};
  auto s = hasher->select(tree.context(), r);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->entries[0].content, base::Sha256::of("alpha"));
  EXPECT_EQ(hasher->last_stats().warnings.size(), 2u);  // load and store
}

TEST_F(StatCacheTest, WithoutCacheHashesEveryTime) {
  tree.write("a.txt", "alpha");
  ContextHasher hasher = ContextHasher::without_cache({});
  SelectRequest r;
  r.sources = {"a.txt"};
  for (int i = 0; i < 2; ++i) {
    auto s = hasher.select(tree.context(), r);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->entries[0].content, base::Sha256::of("alpha"));
    EXPECT_EQ(hasher.last_stats().files_hashed, 1u);
    EXPECT_EQ(hasher.last_stats().rows_written, 0u);
  }
}

TEST_F(StatCacheTest, BlocksAreKeptPerDirectoryAndMerged) {
  tree.write("a.txt", "alpha");
  auto db = content::sql::Db::open(tree.root() + "/kiln.db");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(select_at(later()).ok());
  StatCacheTable table(*db);
  const std::string context = context_dir();
  StatCacheRow row = row_for(identity(1, 1), base::Sha256::of("x"), 3);
  ASSERT_TRUE(table.store(context + "-sibling", {{"x", row}}).ok());
  ASSERT_TRUE(table.store(context, {{"b.txt", row}}).ok());
  auto loaded = table.load(context);
  ASSERT_TRUE(loaded.ok());
  // The select's own entry survives the later store: blocks merge.
  EXPECT_EQ(loaded->size(), 2u);
  EXPECT_TRUE(loaded->find("a.txt"));
  EXPECT_EQ(loaded->find("b.txt"), row);
  EXPECT_FALSE(loaded->find("x"));
  StatCacheRow newer = row_for(identity(2, 2), base::Sha256::of("y"), 4);
  ASSERT_TRUE(table.store(context, {{"b.txt", newer}}).ok());
  loaded = table.load(context);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->find("b.txt"), newer);
  auto sibling = table.load(context + "-sibling");
  ASSERT_TRUE(sibling.ok());
  EXPECT_EQ(sibling->size(), 1u);
}

// One changed file of a large directory is one small row, not a rewrite of
// the directory's block; many delta rows are folded back into the block.
TEST_F(StatCacheTest, FewChangesAreDeltaRowsAndManyAreMergedIntoTheBlock) {
  auto db = content::sql::Db::open(tree.root() + "/kiln.db");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(content::migrate(*db).ok());
  StatCacheTable table(*db);
  const std::string dir = "/ctx";
  auto row = [](int i) { return row_for(identity(i, i), base::Sha256::of(std::to_string(i)), i); };
  std::vector<std::pair<std::string, StatCacheRow>> many;
  for (int i = 0; i < static_cast<int>(k_max_delta_rows) + 1; ++i) many.emplace_back("f" + std::to_string(i), row(i));
  ASSERT_TRUE(table.store(dir, many).ok());  // too many for delta rows: the block
  auto block_bytes = [&] {
    auto q = db->prepare("SELECT entries FROM stat_cache WHERE dir = ?1");
    EXPECT_TRUE(q.ok());
    q->bind(1, dir);
    auto has = q->step();
    return has.ok() && *has ? q->blob(0) : std::string();
  };
  auto delta_rows = [&] {
    auto q = db->prepare("SELECT count(*) FROM stat_cache_delta WHERE dir = ?1");
    EXPECT_TRUE(q.ok());
    q->bind(1, dir);
    EXPECT_TRUE(q->step().ok());
    return q->integer(0);
  };
  const std::string block = block_bytes();
  EXPECT_EQ(delta_rows(), 0);

  ASSERT_TRUE(table.store(dir, {{"f3", row(-3)}, {"new", row(-1)}}).ok());
  EXPECT_EQ(block_bytes(), block);  // untouched
  EXPECT_EQ(delta_rows(), 2);
  ASSERT_TRUE(table.store(dir, {{"f3", row(-33)}}).ok());
  EXPECT_EQ(delta_rows(), 2);  // the same path replaces its delta row
  auto loaded = table.load(dir);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->size(), many.size() + 1);
  EXPECT_EQ(loaded->find("f3"), row(-33));
  EXPECT_EQ(loaded->find("new"), row(-1));
  EXPECT_EQ(loaded->find("f4"), row(4));

  // Past the limit the delta rows and the new ones go into the block.
  std::vector<std::pair<std::string, StatCacheRow>> changed;
  for (int i = 0; i < static_cast<int>(k_max_delta_rows) - 1; ++i) changed.emplace_back("g" + std::to_string(i), row(i));
  ASSERT_TRUE(table.store(dir, changed).ok());
  EXPECT_EQ(delta_rows(), 0);
  EXPECT_NE(block_bytes(), block);
  loaded = table.load(dir);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->size(), many.size() + 1 + changed.size());
  EXPECT_EQ(loaded->find("f3"), row(-33));
  EXPECT_EQ(loaded->find("new"), row(-1));
  EXPECT_EQ(loaded->find("g7"), row(7));
}

TEST_F(StatCacheTest, ADamagedDeltaRowOnlyCostsAHash) {
  tree.write("a.txt", "alpha");
  ASSERT_TRUE(select_at(later()).ok());
  plant("a.txt", base::Sha256::of("a lie"), later());  // replaces the delta row
  {
    auto db = content::sql::Db::open(tree.root() + "/kiln.db");
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->exec("UPDATE stat_cache_delta SET entry = x'00'").ok());
  }
  SelectStats stats;
  auto s = select_at(later() + k_s, &stats);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(stats.files_hashed, 1u);
  EXPECT_EQ(s->entries[0].content, base::Sha256::of("alpha"));
}

TEST_F(StatCacheTest, CopiesOfDifferentFilesBelowOneDirectoryKeepEachOthersEntries) {
  // COPY a.txt and COPY b.txt both select below the context root: neither
  // may push the other's entry out, or each build would hash one again.
  tree.write("a.txt", "alpha");
  tree.write("b.txt", "beta");
  base::FixedClock clock(later());
  ContextHasher::Options options;
  options.clock = &clock;
  auto hasher = ContextHasher::open(tree.root(), options);
  ASSERT_TRUE(hasher.ok());
  for (int round = 0; round < 2; ++round) {
    for (const char* source : {"a.txt", "b.txt"}) {
      SelectRequest r;
      r.sources = {source};
      ASSERT_TRUE(hasher->select(tree.context(), r).ok());
      EXPECT_EQ(hasher->last_stats().files_hashed, round == 0 ? 1u : 0u) << source;
    }
  }
}

// One hasher serves the concurrent COPYs of independent steps; each select
// loads only the rows below its sources' common directory and still finds
// its files' rows.
TEST_F(StatCacheTest, ConcurrentSelectsShareOneHasher) {
  auto hasher = four_parts();
  ASSERT_TRUE(hasher.ok());
  auto select_all = [&](std::vector<Selection>& out) {
    std::vector<std::thread> threads;
    std::vector<std::string> errors(4);
    for (int p = 0; p < 4; ++p) {
      threads.emplace_back([&, p] {
        SelectRequest r;
        r.sources = {"part" + std::to_string(p) + "/"};
        auto s = hasher->select(tree.context(), r);
        if (s.ok()) out[static_cast<size_t>(p)] = *s;
        else errors[static_cast<size_t>(p)] = s.error().message;
      });
    }
    for (auto& t : threads) t.join();
    for (const auto& e : errors) EXPECT_EQ(e, "");
  };
  std::vector<Selection> first(4), second(4);
  select_all(first);
  select_all(second);
  for (size_t p = 0; p < 4; ++p) {
    EXPECT_EQ(first[p].entries.size(), 21u);  // the directory and its files
    EXPECT_EQ(second[p], first[p]);
  }
  SelectRequest r;
  r.sources = {"part2/f3"};
  auto one = hasher->select(tree.context(), r);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(hasher->last_stats().files_reused, 1u);
  EXPECT_EQ(hasher->last_stats().files_hashed, 0u);
}

// COPY part0 ... COPY part3 (no trailing slash) all select below the context
// root and share its block: running at once, none may drop the others'
// entries.
TEST_F(StatCacheTest, ConcurrentSelectsSharingOneBlockKeepEachOthersEntries) {
  auto hasher = four_parts();
  ASSERT_TRUE(hasher.ok());
  std::vector<std::thread> threads;
  for (int p = 0; p < 4; ++p) {
    threads.emplace_back([&, p] {
      SelectRequest r;
      r.sources = {"part" + std::to_string(p)};
      EXPECT_TRUE(hasher->select(tree.context(), r).ok());
    });
  }
  for (auto& t : threads) t.join();
  for (int p = 0; p < 4; ++p) {
    SelectRequest r;
    r.sources = {"part" + std::to_string(p)};
    ASSERT_TRUE(hasher->select(tree.context(), r).ok());
    EXPECT_EQ(hasher->last_stats().files_hashed, 0u) << p;
    EXPECT_EQ(hasher->last_stats().files_reused, 20u) << p;
  }
}

TEST(UnchangedFiles, SameContentSizeAndModeByPath) {
  auto file = [](std::string path, char digest, uint32_t mode = 0644, uint64_t size = 1) {
    SelectedEntry e;
    e.path = std::move(path);
    e.mode = mode;
    e.size = size;
    e.content = base::Sha256::of(std::string(1, digest));
    return e;
  };
  SelectedEntry dir;
  dir.path = "d";
  dir.type = base::FileType::directory;
  Selection before{{}, {file("a", 'a'), dir, file("d/b", 'b'), file("d/c", 'c'), file("d/e", 'e'), file("x", 'x')}};
  Selection now{{}, {dir, file("d/b", 'B'), file("d/c", 'c', 0755), file("d/e", 'e'), file("d/f", 'f'), file("x", 'x', 0644, 2)}};
  auto same = unchanged_files(before, now);
  EXPECT_EQ(same, (std::unordered_set<std::string>{"d/e"}));
}

}  // namespace
}  // namespace solver::ops::context
