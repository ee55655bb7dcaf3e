// RUN cache mount directories as du, prune and fsck see them, on a temporary
// root laid out the way solver/ops/exec/cache_mounts.cc lays it out. A step
// holding a cache is simulated by an flock from a second open file
// description, which conflicts with ours as another process's would.
#include "solver/ops/gc/cache_mounts.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

#include "base/digest.h"
#include "base/unique_fd.h"

namespace solver::ops::gc {
namespace {

namespace fs = std::filesystem;

constexpr int64_t k_second = 1'000'000'000;

class CacheMountDirs : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "kiln-cache-mounts-test-XXXXXX").string();
    root = ::mkdtemp(tmpl.data());
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root, ec);
  }

  static std::string hex(const std::string& id) { return base::Sha256::of(id).hex(); }
  std::string home(const std::string& id) const { return root + "/cache-mounts/" + hex(id); }

  // What a step leaves: id, lock<suffix>, data<suffix> with one file of
  // `bytes` bytes; lock and data get mtime `seconds`.
  void make(const std::string& id, const std::string& suffix, size_t bytes, int64_t seconds) {
    std::string h = home(id);
    fs::create_directories(h + "/data" + suffix);
    std::ofstream(h + "/id") << id;
    std::ofstream(h + "/lock" + suffix).flush();
    std::ofstream(h + "/data" + suffix + "/file") << std::string(bytes, 'x');
    set_mtime(h + "/lock" + suffix, seconds);
    set_mtime(h + "/data" + suffix, seconds);
  }
  static void set_mtime(const std::string& path, int64_t seconds) {
    struct timespec times[2] = {{static_cast<time_t>(seconds), 0}, {static_cast<time_t>(seconds), 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW), 0) << path;
  }
  // A step's hold on an instance: its own open file description.
  base::UniqueFd hold(const std::string& id, const std::string& suffix, int op = LOCK_SH) const {
    std::string path = home(id) + "/lock" + suffix;
    base::UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    EXPECT_TRUE(fd.valid()) << path;
    EXPECT_EQ(::flock(fd.get(), op | LOCK_NB), 0);
    return fd;
  }
  std::vector<CacheMountEntry> list(bool probe = true) const {
    auto listed = list_cache_mounts(root, ListOptions{probe});
    EXPECT_TRUE(listed.ok()) << listed.error().message;
    return listed.ok() ? *listed : std::vector<CacheMountEntry>{};
  }
  size_t tmp_entries() const {
    size_t n = 0;
    std::error_code ec;
    for (fs::directory_iterator it(root + "/tmp", ec), end; !ec && it != end; it.increment(ec))
      if (it->path().filename() != ".lock") ++n;
    return n;
  }

  std::string root;
};

TEST_F(CacheMountDirs, NoDirectoryMeansNoCacheMounts) {
  EXPECT_TRUE(list().empty());
  CacheMountRemoval removal;
  ASSERT_TRUE(remove_cache_mounts(root, {}, removal).ok());
  auto checked = check_cache_mounts(root, false);
  ASSERT_TRUE(checked.ok());
  EXPECT_EQ(checked->checked, 0);
}

TEST_F(CacheMountDirs, ListsEachInstanceWithItsIdSizeAndLastUse) {
  make("/root/.cache/go-build", "", 1000, 100);
  make("/root/.cache/go-build", "-1", 300, 200);
  make("apt", "", 50, 150);
  // A leftover of a step killed while preparing data-2 counts as space.
  fs::create_directories(home("apt") + "/data-2.new");
  std::ofstream(home("apt") + "/data-2.new/f") << std::string(7, 'y');
  // The newest of lock and data is the last use.
  set_mtime(home("apt") + "/lock", 180);

  std::vector<CacheMountEntry> all = list();
  ASSERT_EQ(all.size(), 4u);
  std::map<std::string, CacheMountEntry> by_name;
  for (const CacheMountEntry& m : all) by_name[m.id + m.suffix] = m;
  const CacheMountEntry& go0 = by_name.at("/root/.cache/go-build");
  EXPECT_EQ(go0.dir, hex("/root/.cache/go-build"));
  EXPECT_EQ(go0.size, 1000);
  EXPECT_EQ(go0.last_used, 100 * k_second);
  EXPECT_FALSE(go0.in_use);
  EXPECT_EQ(go0.short_name(), hex("/root/.cache/go-build").substr(0, 12));
  EXPECT_EQ(by_name.at("/root/.cache/go-build-1").size, 300);
  EXPECT_EQ(by_name.at("/root/.cache/go-build-1").short_name(),
            hex("/root/.cache/go-build").substr(0, 12) + "-1");
  EXPECT_EQ(by_name.at("apt").last_used, 180 * k_second);
  EXPECT_EQ(by_name.at("apt-2").size, 7);
}

TEST_F(CacheMountDirs, HeldLocksAreInUseOnlyWhenProbed) {
  make("shared", "", 10, 1);
  make("locked", "", 10, 1);
  base::UniqueFd shared = hold("shared", "", LOCK_SH);
  base::UniqueFd locked = hold("locked", "", LOCK_EX);
  for (const CacheMountEntry& m : list(true)) EXPECT_TRUE(m.in_use) << m.id;
  for (const CacheMountEntry& m : list(false)) EXPECT_FALSE(m.in_use) << m.id;
  shared.reset();
  for (const CacheMountEntry& m : list(true)) EXPECT_EQ(m.in_use, m.id == "locked");
}

TEST_F(CacheMountDirs, RemovalKeepsHeldInstancesAndTheirDirectory) {
  make("npm", "", 100, 1);
  make("npm", "-1", 200, 2);
  base::UniqueFd step = hold("npm", "", LOCK_EX);

  CacheMountRemoval removal;
  ASSERT_TRUE(remove_cache_mounts(root, list(false), removal).ok());
  ASSERT_EQ(removal.removed.size(), 1u);
  EXPECT_EQ(removal.removed[0].suffix, "-1");
  EXPECT_EQ(removal.reclaimed, 200);
  ASSERT_EQ(removal.in_use.size(), 1u);
  EXPECT_EQ(removal.in_use[0].suffix, "");
  EXPECT_TRUE(removal.dirs.empty());
  EXPECT_TRUE(fs::exists(home("npm") + "/data/file"));
  EXPECT_FALSE(fs::exists(home("npm") + "/data-1"));
  EXPECT_TRUE(fs::exists(home("npm") + "/id"));
  EXPECT_EQ(tmp_entries(), 0u);

  // Once the step is done, the next removal takes the whole directory.
  step.reset();
  CacheMountRemoval second;
  ASSERT_TRUE(remove_cache_mounts(root, list(true), second).ok());
  // Instance 1 is only its lock file now: listed with no size, and removed.
  EXPECT_EQ(second.removed.size(), 2u);
  EXPECT_EQ(second.reclaimed, 100);
  EXPECT_EQ(second.dirs, std::vector<std::string>{hex("npm")});
  EXPECT_FALSE(fs::exists(home("npm")));
  EXPECT_TRUE(fs::exists(root + "/cache-mounts"));
  EXPECT_EQ(tmp_entries(), 0u);
  EXPECT_TRUE(list().empty());
}

TEST_F(CacheMountDirs, AStepOnAnotherInstanceKeepsTheDirectory) {
  make("pip", "", 100, 1);
  make("pip", "-1", 100, 1);
  base::UniqueFd step = hold("pip", "-1", LOCK_EX);
  // Only instance 0 is asked for (as under --keep-storage); lock-1 is held.
  std::vector<CacheMountEntry> all = list(false);
  CacheMountRemoval removal;
  ASSERT_TRUE(remove_cache_mounts(root, {all[0]}, removal).ok());
  EXPECT_EQ(removal.removed.size(), 1u);
  EXPECT_TRUE(removal.dirs.empty());
  EXPECT_TRUE(fs::exists(home("pip") + "/data-1/file"));
  EXPECT_TRUE(fs::exists(home("pip") + "/lock"));
  // Even with no data left, a held lock file keeps the directory.
  step.reset();
  step = hold("pip", "-1", LOCK_SH);
  fs::remove_all(home("pip") + "/data-1");
  CacheMountRemoval again;
  ASSERT_TRUE(remove_cache_mounts(root, list(false), again).ok());
  EXPECT_TRUE(fs::exists(home("pip")));
}

TEST_F(CacheMountDirs, RemovalTakesTheLockSoAStepWaitsForIt) {
  make("cargo", "", 10, 1);
  // A step that locks after the removal finds no data: it makes a fresh one.
  CacheMountRemoval removal;
  ASSERT_TRUE(remove_cache_mounts(root, list(false), removal).ok());
  EXPECT_FALSE(fs::exists(home("cargo") + "/data"));
  EXPECT_FALSE(fs::exists(home("cargo")));
}

TEST_F(CacheMountDirs, LeftoversOfAKilledRemovalAreCleaned) {
  // A removal killed after the rename leaves an unclaimed entry in tmp/ and
  // no data in place: the next open of the store cleans tmp/, and a step
  // makes a fresh data directory.
  make("yarn", "", 10, 1);
  fs::create_directories(root + "/tmp");
  fs::rename(home("yarn") + "/data", root + "/tmp/cache-mount-0123456789abcdef");
  std::vector<CacheMountEntry> all = list();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].size, 0);
  auto checked = check_cache_mounts(root, false);
  ASSERT_TRUE(checked.ok());
  EXPECT_TRUE(checked->problems.empty());
}

TEST_F(CacheMountDirs, CheckFindsAndRepairsBrokenDirectories) {
  make("good", "", 10, 1);
  make("no-id", "", 10, 1);
  fs::remove(home("no-id") + "/id");
  make("wrong-id", "", 10, 1);
  std::ofstream(home("wrong-id") + "/id") << "something else";
  make("file-data", "", 10, 1);
  make("file-data", "-1", 10, 1);
  fs::remove_all(home("file-data") + "/data-1");
  std::ofstream(home("file-data") + "/data-1") << "not a directory";
  std::ofstream(root + "/cache-mounts/stray") << "x";
  make("held", "", 10, 1);
  fs::remove(home("held") + "/id");
  base::UniqueFd step = hold("held", "", LOCK_SH);

  auto found = check_cache_mounts(root, false);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->checked, 5);
  ASSERT_EQ(found->problems.size(), 5u);
  std::string all;
  for (const std::string& p : found->problems) all += p + "\n";
  EXPECT_NE(all.find("cache-mounts/" + hex("no-id") + " has no id file"), std::string::npos) << all;
  EXPECT_NE(all.find("is not named by the SHA-256 of its id"), std::string::npos) << all;
  EXPECT_NE(all.find("data-1 is not a directory"), std::string::npos) << all;
  EXPECT_NE(all.find("cache-mounts/stray is not a directory"), std::string::npos) << all;
  EXPECT_TRUE(fs::exists(home("no-id")));

  auto repaired = check_cache_mounts(root, true);
  ASSERT_TRUE(repaired.ok()) << repaired.error().message;
  EXPECT_EQ(repaired->repairs.size(), 4u);
  EXPECT_FALSE(fs::exists(home("no-id")));
  EXPECT_FALSE(fs::exists(home("wrong-id")));
  EXPECT_FALSE(fs::exists(home("file-data")));
  EXPECT_FALSE(fs::exists(root + "/cache-mounts/stray"));
  EXPECT_TRUE(fs::exists(home("good") + "/data/file"));
  // A directory a step holds is never removed, broken or not.
  EXPECT_TRUE(fs::exists(home("held")));
  auto after = check_cache_mounts(root, false);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->problems.size(), 1u);
  step.reset();
  ASSERT_TRUE(check_cache_mounts(root, true).ok());
  EXPECT_TRUE(check_cache_mounts(root, false)->problems.empty());
  EXPECT_EQ(tmp_entries(), 0u);
}

TEST_F(CacheMountDirs, AStepKilledBeforeItsLockLeavesNothingWrong) {
  // Killed after making the directory, after writing its id, or after
  // creating its lock: no data, so nothing to report, and a prune removes it.
  fs::create_directories(home("bare"));
  fs::create_directories(home("with-id"));
  std::ofstream(home("with-id") + "/id") << "with-id";
  fs::create_directories(home("half-id"));
  std::ofstream(home("half-id") + "/id").flush();
  std::ofstream(home("half-id") + "/lock").flush();
  auto checked = check_cache_mounts(root, false);
  ASSERT_TRUE(checked.ok());
  EXPECT_EQ(checked->checked, 3);
  EXPECT_TRUE(checked->problems.empty()) << checked->problems[0];
  std::vector<CacheMountEntry> all = list();
  ASSERT_EQ(all.size(), 3u);
  for (const CacheMountEntry& m : all) EXPECT_EQ(m.size, 0);
  CacheMountRemoval removal;
  ASSERT_TRUE(remove_cache_mounts(root, all, removal).ok());
  EXPECT_EQ(removal.dirs.size(), 3u);
  EXPECT_TRUE(fs::is_empty(root + "/cache-mounts"));
}

}  // namespace
}  // namespace solver::ops::gc
