// Garbage collection and the build-cache checks on a real root with the copy
// snapshotter (no root privileges needed).
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "base/digest.h"
#include "base/unique_fd.h"
#include "content/content_store.h"
#include "content/metadata.h"
#include "snapshotter/layer_records.h"
#include "snapshotter/open.h"
#include "solver/core/cache_index.h"
#include "solver/ops/gc/check.h"
#include "solver/ops/gc/collect.h"
#include "solver/ops/gc/state.h"

namespace solver::ops::gc {
namespace {

namespace fs = std::filesystem;

class GcRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "kiln-gc-test-XXXXXX").string();
    root = ::mkdtemp(tmpl.data());
    blobs = std::make_unique<content::ContentStore>(*content::ContentStore::open(root));
    metadata = std::make_unique<content::MetadataStore>(*content::MetadataStore::open(root, clock));
    snapshots = std::move(*snapshotter::open_snapshotter(root, "copy", clock));
  }
  void TearDown() override {
    snapshots.reset();
    metadata.reset();
    std::error_code ec;
    fs::remove_all(root, ec);
  }

  // A committed snapshot on `parent` holding one file of `bytes` bytes.
  std::string commit(const std::string& parent, const std::string& name, size_t bytes) {
    auto id = snapshots->prepare(parent);
    EXPECT_TRUE(id.ok()) << id.error().message;
    {
      auto mounted = snapshots->mount(*id);
      EXPECT_TRUE(mounted.ok());
      std::ofstream((*mounted)->path() + "/" + name) << std::string(bytes, 'x');
    }
    auto committed = snapshots->commit(*id);
    EXPECT_TRUE(committed.ok());
    return *committed;
  }
  void record(const std::string& key, const std::string& snapshot) {
    ASSERT_TRUE(metadata->put_cache_record(key, solver::serialize_result({snapshot, ""}), {}).ok());
  }
  std::string blob(const std::string& bytes) { return blobs->write_blob(bytes)->digest.str(); }

  CollectServices services() {
    return CollectServices{root, *metadata, *blobs, {{"copy", snapshots.get()}}};
  }
  StoreState state() {
    auto s = load_state(root, *metadata, *blobs, LoadOptions{{"copy"}});
    EXPECT_TRUE(s.ok()) << s.error().message;
    return *s;
  }
  CheckReport check(bool repair) {
    auto r = check_build_cache(root, *metadata, *blobs, clock, CheckOptions{repair});
    EXPECT_TRUE(r.ok()) << r.error().message;
    return *r;
  }

  base::FixedClock clock{1'700'000'000'000'000'000};
  std::string root;
  std::unique_ptr<content::ContentStore> blobs;
  std::unique_ptr<content::MetadataStore> metadata;
  std::unique_ptr<snapshotter::Snapshotter> snapshots;
};

TEST_F(GcRoot, PruneRemovesRecordsSnapshotsAndLayerBlobsButKeepsImages) {
  std::string a = commit("", "a", 1000);
  std::string b = commit(a, "b", 2000);
  std::string orphan = commit("", "o", 500);
  record("step-a", a);
  record("step-b", b);
  auto layers = snapshotter::SqliteLayerRecords::open(root);
  ASSERT_TRUE(layers.ok());
  std::string layer = blob("layer of b");
  snapshotter::layer::LayerBlob lb;
  lb.diff_id = *base::Digest::parse(layer);
  lb.digest = lb.diff_id;
  lb.size = 10;
  ASSERT_TRUE((*layers)->record(b, lb).ok());
  std::string image = blob("image manifest");
  oci::Descriptor target;
  target.media_type = "application/vnd.oci.image.manifest.v1+json";
  target.digest = *base::Digest::parse(image);
  target.size = 14;
  ASSERT_TRUE(metadata->put_image("app", target, {target.digest}).ok());
  std::string stray = blob("stray");

  StoreState s = state();
  EXPECT_EQ(s.snapshots.size(), 3u);
  EXPECT_GE(s.snapshots[0].size, 500);

  // A collection alone drops only the orphan snapshot and the stray blob.
  auto collected = carry_out(plan_collect(s), s, services());
  ASSERT_TRUE(collected.ok()) << collected.error().message;
  EXPECT_EQ(collected->snapshots, std::vector<std::string>{orphan});
  EXPECT_EQ(collected->blobs, std::vector<std::string>{stray});
  EXPECT_TRUE(*blobs->exists(*base::Digest::parse(layer)));

  s = state();
  auto pruned = carry_out(plan_prune(s, {}), s, services());
  ASSERT_TRUE(pruned.ok()) << pruned.error().message;
  EXPECT_EQ(pruned->records.size(), 2u);
  EXPECT_EQ(pruned->snapshots, (std::vector<std::string>{b, a}));
  EXPECT_EQ(pruned->blobs, std::vector<std::string>{layer});
  EXPECT_GE(pruned->reclaimed, 3000);
  EXPECT_TRUE(*blobs->exists(*base::Digest::parse(image)));
  EXPECT_FALSE(fs::exists(root + "/snapshots/" + a));
  EXPECT_TRUE(check(false).problems.empty());
}

TEST_F(GcRoot, CheckFindsAndRepairsBrokenBuildCache) {
  std::string a = commit("", "a", 10);
  std::string b = commit(a, "b", 10);
  std::string c = commit("", "c", 10);
  record("step-a", a);
  record("step-b", b);
  record("step-c", c);
  record("gone", "0123456789ab");
  EXPECT_EQ(check(false).problems.size(), 1u);
  fs::remove_all(root + "/snapshots/" + a);
  fs::create_directories(root + "/snapshots/ffffffffffff/fs");

  CheckReport found = check(false);
  EXPECT_EQ(found.problems.size(), 3u);
  for (const auto& p : found.problems) SCOPED_TRACE(p);

  CheckReport repaired = check(true);
  EXPECT_FALSE(repaired.repairs.empty());
  EXPECT_TRUE(check(false).problems.empty());
  EXPECT_FALSE(*metadata->get_cache_record("step-b"));
  EXPECT_TRUE(*metadata->get_cache_record("step-c"));
  auto left = snapshots->list();
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].id, c);
}

TEST_F(GcRoot, PruneRemovesCacheMountsAndCountsThem) {
  std::string a = commit("", "a", 1000);
  record("step-a", a);
  // Two cache mounts as a RUN step leaves them; a step still holds the second.
  auto make = [&](const std::string& id) {
    std::string home = root + "/cache-mounts/" + base::Sha256::of(id).hex();
    fs::create_directories(home + "/data");
    std::ofstream(home + "/id") << id;
    std::ofstream(home + "/lock").flush();
    std::ofstream(home + "/data/f") << std::string(3000, 'c');
    return home;
  };
  std::string free_home = make("/root/.cache");
  std::string held_home = make("apt");
  base::UniqueFd step(::open((held_home + "/lock").c_str(), O_RDWR | O_CLOEXEC));
  ASSERT_EQ(::flock(step.get(), LOCK_SH), 0);

  LoadOptions options{{"copy"}};
  options.probe_cache_mounts = true;
  auto s = load_state(root, *metadata, *blobs, options);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(s->cache_mounts.size(), 2u);
  GcPlan plan = plan_prune(*s, {});
  ASSERT_EQ(plan.cache_mounts.size(), 1u);
  auto pruned = carry_out(plan, *s, services());
  ASSERT_TRUE(pruned.ok()) << pruned.error().message;
  ASSERT_EQ(pruned->cache_mounts.size(), 1u);
  EXPECT_EQ(pruned->cache_mounts[0].id, "/root/.cache");
  EXPECT_GE(pruned->reclaimed, 4000);
  EXPECT_FALSE(fs::exists(free_home));
  EXPECT_TRUE(fs::exists(held_home + "/data/f"));

  // Had the step taken its lock after the state was read, the removal would
  // still have kept it.
  s = load_state(root, *metadata, *blobs, LoadOptions{{"copy"}});
  ASSERT_TRUE(s.ok());
  plan = plan_prune(*s, {});
  ASSERT_EQ(plan.cache_mounts.size(), 1u);
  pruned = carry_out(plan, *s, services());
  ASSERT_TRUE(pruned.ok());
  EXPECT_TRUE(pruned->cache_mounts.empty());
  EXPECT_EQ(pruned->cache_mounts_in_use.size(), 1u);
  EXPECT_TRUE(fs::exists(held_home + "/data/f"));
  EXPECT_TRUE(check(false).problems.empty());
}

}  // namespace
}  // namespace solver::ops::gc
