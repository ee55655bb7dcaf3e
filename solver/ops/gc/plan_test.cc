#include "solver/ops/gc/plan.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace solver::ops::gc {
namespace {

using Strings = std::vector<std::string>;

SnapshotEntry snap(std::string id, std::string parent, int64_t size, bool active = false) {
  SnapshotEntry s;
  s.id = std::move(id);
  s.parent = std::move(parent);
  s.size = size;
  s.active = active;
  s.backend = "copy";
  return s;
}

CacheEntry record(std::string key, std::string snapshot, int64_t last_used) {
  CacheEntry r;
  r.key = std::move(key);
  r.snapshot = std::move(snapshot);
  r.last_used = last_used;
  return r;
}

// base ← a ← b (a chain of step results) and an unrelated orphan snapshot
// left by a killed build; blobs: one image blob, one layer blob of b, one
// unreferenced.
StoreState sample() {
  StoreState s;
  s.snapshots = {snap("base", "", 100), snap("a", "base", 10), snap("b", "a", 20),
                 snap("orphan", "", 1000)};
  s.records = {record("k-a", "a", 1), record("k-b", "b", 2)};
  s.layers = {{"b", "sha256:layer"}};
  s.blobs = {{"sha256:image", 5}, {"sha256:layer", 7}, {"sha256:stray", 3}};
  s.image_blobs = {"sha256:image"};
  return s;
}

TEST(GcPlan, CollectKeepsRecordedChainsAndRemovesTheRest) {
  GcPlan plan = plan_collect(sample());
  EXPECT_TRUE(plan.records.empty());
  EXPECT_EQ(plan.snapshots, Strings{"orphan"});
  EXPECT_EQ(plan.blobs, Strings{"sha256:stray"});
  EXPECT_EQ(plan.usage_before, 1145);
  EXPECT_EQ(plan.reclaimed, 1003);
}

TEST(GcPlan, PruneRemovesEveryStepRecordChildrenFirstButNeverImageBlobs) {
  GcPlan plan = plan_prune(sample(), {});
  EXPECT_EQ(plan.records, (Strings{"k-a", "k-b"}));
  ASSERT_EQ(plan.snapshots.size(), 4u);
  auto pos = [&](const std::string& id) {
    return std::find(plan.snapshots.begin(), plan.snapshots.end(), id) - plan.snapshots.begin();
  };
  EXPECT_LT(pos("b"), pos("a"));
  EXPECT_LT(pos("a"), pos("base"));
  EXPECT_EQ(plan.blobs, (Strings{"sha256:layer", "sha256:stray"}));
  EXPECT_EQ(plan.usage_after, 5);
}

TEST(GcPlan, ActiveSnapshotsKeepTheirAncestors) {
  StoreState s = sample();
  s.records.clear();
  s.snapshots.push_back(snap("building", "a", 0, true));
  GcPlan plan = plan_collect(s);
  EXPECT_EQ(plan.snapshots, (Strings{"b", "orphan"}));
}

TEST(GcPlan, ForeignSnapshotsAreKept) {
  StoreState s = sample();
  s.records.clear();
  s.snapshots[3].foreign = true;
  GcPlan plan = plan_collect(s);
  EXPECT_EQ(plan.snapshots, (Strings{"b", "a", "base"}));
}

TEST(GcPlan, ImageLayerRecordsNeedAll) {
  StoreState s = sample();
  s.records.push_back(record(std::string(k_layer_chain_prefix) + "sha256:c", "base", 0));
  s.records.back().image_layer = true;
  GcPlan plan = plan_prune(s, {});
  EXPECT_EQ(plan.snapshots, (Strings{"b", "a", "orphan"}));
  PruneOptions all;
  all.all = true;
  plan = plan_prune(s, all);
  EXPECT_EQ(plan.records.size(), 3u);
  EXPECT_EQ(plan.snapshots.size(), 4u);
}

// Two independent cache chains, old (200 bytes, used at 10) and new (300
// bytes, used at 50), beside an image blob of `image_bytes`.
StoreState two_chains_and_an_image(int64_t image_bytes) {
  StoreState s = sample();
  s.snapshots = {snap("old", "", 200), snap("new", "", 300)};
  s.records = {record("k-new", "new", 50), record("k-old", "old", 10)};
  s.layers.clear();
  s.blobs = {{"sha256:image", image_bytes}};
  return s;
}

TEST(GcPlan, KeepStorageRemovesLeastRecentlyUsedUntilUnderTheCap) {
  StoreState s = two_chains_and_an_image(5);
  PruneOptions opts;
  opts.keep_storage = 400;
  GcPlan plan = plan_prune(s, opts);
  EXPECT_EQ(plan.records, Strings{"k-old"});
  EXPECT_EQ(plan.snapshots, Strings{"old"});
  EXPECT_EQ(plan.usage_after, 305);
  opts.keep_storage = 1000;
  EXPECT_TRUE(plan_prune(s, opts).records.empty());
  opts.keep_storage = 0;
  plan = plan_prune(s, opts);
  EXPECT_EQ(plan.records.size(), 2u);
  EXPECT_EQ(plan.usage_after, 5);  // image blobs stay whatever the cap
}

// As docker builder prune's: the cap counts the cache only. A large image
// (which no cache prune frees) does not make the prune take every record.
TEST(GcPlan, KeepStorageCountsOnlyWhatTheCacheAloneKeeps) {
  StoreState s = two_chains_and_an_image(5000);
  PruneOptions opts;
  opts.keep_storage = 400;
  GcPlan plan = plan_prune(s, opts);
  EXPECT_EQ(plan.records, Strings{"k-old"});
  EXPECT_EQ(plan.usage_after, 5300);
}

TEST(GcPlan, SharedSnapshotStaysWhileAnyRecordNamesIt) {
  StoreState s;
  s.snapshots = {snap("x", "", 10)};
  s.records = {record("one", "x", 1), record("two", "x", 2)};
  PruneOptions opts;
  opts.keep_storage = 5;
  GcPlan plan = plan_prune(s, opts);
  EXPECT_EQ(plan.records, (Strings{"one", "two"}));
  EXPECT_EQ(plan.snapshots, Strings{"x"});
}

CacheMountEntry mount(std::string dir, std::string suffix, int64_t size, int64_t last_used,
                      bool in_use = false) {
  CacheMountEntry m;
  m.dir = std::move(dir);
  m.suffix = std::move(suffix);
  m.id = "id-" + m.dir;
  m.size = size;
  m.last_used = last_used;
  m.in_use = in_use;
  return m;
}

TEST(GcPlan, PruneRemovesCacheMountsWithoutAllButNotHeldOnes) {
  StoreState s = sample();
  s.cache_mounts = {mount("aa", "", 400, 1), mount("aa", "-1", 30, 2), mount("bb", "", 60, 3, true)};
  GcPlan plan = plan_prune(s, {});
  ASSERT_EQ(plan.cache_mounts.size(), 2u);
  EXPECT_EQ(plan.cache_mounts[0].short_name(), "aa");
  EXPECT_EQ(plan.cache_mounts[1].short_name(), "aa-1");
  EXPECT_EQ(plan.cache_mounts_reclaimed, 430);
  EXPECT_EQ(plan.usage_before, 1145 + 490);
  EXPECT_EQ(plan.usage_after, 5 + 60);  // image blobs and the held cache mount
  // A plain collection never removes a cache mount.
  plan = plan_collect(s);
  EXPECT_TRUE(plan.cache_mounts.empty());
  EXPECT_EQ(plan.reclaimed, 1003);
}

TEST(GcPlan, KeepStorageOrdersCacheMountsWithRecordsByLastUse) {
  StoreState s;
  s.snapshots = {snap("old", "", 200), snap("new", "", 300)};
  s.records = {record("k-new", "new", 50), record("k-old", "old", 10)};
  // Used between the two records, and newest of all.
  s.cache_mounts = {mount("mid", "", 100, 30), mount("top", "", 100, 90)};
  PruneOptions opts;
  opts.keep_storage = 450;  // 700 in all: the oldest record and the middle mount go
  GcPlan plan = plan_prune(s, opts);
  EXPECT_EQ(plan.records, Strings{"k-old"});
  ASSERT_EQ(plan.cache_mounts.size(), 1u);
  EXPECT_EQ(plan.cache_mounts[0].dir, "mid");
  EXPECT_EQ(plan.usage_after, 400);
  opts.keep_storage = 600;  // the oldest record alone is enough
  plan = plan_prune(s, opts);
  EXPECT_EQ(plan.records, Strings{"k-old"});
  EXPECT_TRUE(plan.cache_mounts.empty());
  opts.keep_storage = 0;  // everything but a held mount
  s.cache_mounts[1].in_use = true;
  plan = plan_prune(s, opts);
  EXPECT_EQ(plan.cache_mounts.size(), 1u);
  EXPECT_EQ(plan.usage_after, 100);
}

}  // namespace
}  // namespace solver::ops::gc
