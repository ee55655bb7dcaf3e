// RUN --mount=type=cache directories in `kiln du`, `kiln prune` and
// `kiln fsck`: once laid out the way solver/ops/exec/cache_mounts.cc lays
// them out (runs anywhere), once made by real RUN steps (as root with
// /bin/busybox, else skipped).
#include <fcntl.h>
#include <sys/file.h>

#include <cstdlib>

#include "base/digest.h"
#include "tests/storage/storage_fixture.h"

namespace storage_test {
namespace {

class CacheMounts : public StorageTest {
 protected:
  std::string home(const std::string& id) const {
    return root + "/cache-mounts/" + base::Sha256::of(id).hex();
  }
  // What a finished step leaves for `id`: id, lock<suffix>, data<suffix>.
  void make(const std::string& id, const std::string& suffix, size_t bytes, uint32_t seed) {
    std::string h = home(id);
    write(h + "/id", id);
    write(h + "/lock" + suffix, "");
    write(h + "/data" + suffix + "/blob", random_bytes(bytes, seed));
  }
  // A running step's hold: the lock on its own open file description.
  int hold(const std::string& id, const std::string& suffix = "") const {
    std::string path = home(id) + "/lock" + suffix;
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    EXPECT_GE(fd, 0) << path;
    EXPECT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0) << path;
    return fd;
  }
};

TEST_P(CacheMounts, DuListsThemAndPruneRemovesAllButHeldOnes) {
  ASSERT_EQ(kiln({"du"}).exit_code, 0);  // creates the root
  make("/root/.cache/go-build", "", 200000, 1);
  make("/root/.cache/go-build", "-1", 50000, 2);
  make("apt-lists", "", 100000, 3);
  make("npm", "", 30000, 4);

  auto du = kiln({"du"});
  ASSERT_EQ(du.exit_code, 0) << du.err;
  EXPECT_NE(du.out.find("Cache Mounts  3           380kB       380kB"), std::string::npos) << du.out;
  EXPECT_NE(du.out.find("CACHE MOUNT"), std::string::npos) << du.out;
  std::string go = base::Sha256::of("/root/.cache/go-build").hex().substr(0, 12);
  EXPECT_NE(du.out.find(go + "    250kB"), std::string::npos) << du.out;
  EXPECT_NE(du.out.find("/root/.cache/go-build\n"), std::string::npos) << du.out;
  EXPECT_NE(du.out.find("apt-lists\n"), std::string::npos) << du.out;
  EXPECT_NE(du.out.find("Total: 380kB, reclaimable with kiln prune -a: 380kB"), std::string::npos) << du.out;
  auto verbose = kiln({"du", "-v"});
  EXPECT_NE(verbose.out.find("INSTANCES"), std::string::npos) << verbose.out;
  expect_fsck_clean();

  // A step still holds npm (say, a build of another kiln without the store
  // lock): the prune keeps it and frees the rest.
  int step = hold("npm");
  auto pruned = kiln({"prune", "-f"});
  ASSERT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_NE(pruned.out.find("Deleted build cache objects:\n"), std::string::npos) << pruned.out;
  EXPECT_NE(pruned.out.find(go + "\n"), std::string::npos) << pruned.out;
  EXPECT_NE(pruned.out.find(go + "-1\n"), std::string::npos) << pruned.out;
  EXPECT_NE(pruned.out.find("Total reclaimed space: 350kB"), std::string::npos) << pruned.out;
  EXPECT_NE(pruned.err.find("kept cache mount npm: a running step uses it"), std::string::npos) << pruned.err;
  EXPECT_FALSE(fs::exists(home("/root/.cache/go-build")));
  EXPECT_FALSE(fs::exists(home("apt-lists")));
  EXPECT_TRUE(fs::exists(home("npm") + "/data/blob"));
  du = kiln({"du"});
  EXPECT_NE(du.out.find("Cache Mounts  1           30kB"), std::string::npos) << du.out;
  expect_fsck_clean();

  ::close(step);
  pruned = kiln({"prune", "-f"});
  EXPECT_NE(pruned.out.find("Total reclaimed space: 30kB"), std::string::npos) << pruned.out;
  EXPECT_FALSE(fs::exists(home("npm")));
  du = kiln({"du"});
  EXPECT_NE(du.out.find("Cache Mounts  0"), std::string::npos) << du.out;
  EXPECT_EQ(du.out.find("CACHE MOUNT "), std::string::npos) << du.out;
}

TEST_P(CacheMounts, KeepStorageRemovesTheLeastRecentlyUsedFirst) {
  ASSERT_EQ(kiln({"du"}).exit_code, 0);
  make("old", "", 100000, 1);
  make("new", "", 100000, 2);
  // Last use is the newest mtime of the lock and data.
  for (const char* part : {"/lock", "/data"}) {
    fs::last_write_time(home("old") + part, fs::file_time_type::clock::now() - std::chrono::hours(48));
    fs::last_write_time(home("new") + part, fs::file_time_type::clock::now() - std::chrono::hours(1));
  }
  auto pruned = kiln({"prune", "-f", "--keep-storage", "150KB"});
  ASSERT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_FALSE(fs::exists(home("old")));
  EXPECT_TRUE(fs::exists(home("new") + "/data/blob"));
  auto du = kiln({"du"});
  EXPECT_NE(du.out.find("1 hours ago       new\n"), std::string::npos) << du.out;
  ASSERT_EQ(kiln({"prune", "-f", "--keep-storage", "150KB"}).exit_code, 0);
  EXPECT_TRUE(fs::exists(home("new") + "/data/blob"));
}

TEST_P(CacheMounts, FsckFindsAndRepairsBrokenOnes) {
  ASSERT_EQ(kiln({"du"}).exit_code, 0);
  make("fine", "", 10, 1);
  make("lost-id", "", 10, 2);
  fs::remove(home("lost-id") + "/id");
  make("flat", "", 10, 3);
  fs::remove_all(home("flat") + "/data");
  write(home("flat") + "/data", "a file where the directory should be");
  auto found = kiln({"fsck"});
  EXPECT_EQ(found.exit_code, 1) << found.out;
  EXPECT_NE(found.out.find("has no id file"), std::string::npos) << found.out;
  EXPECT_NE(found.out.find("data is not a directory"), std::string::npos) << found.out;
  EXPECT_NE(found.out.find("3 cache mounts: 2 problems"), std::string::npos) << found.out;
  auto repaired = kiln({"fsck", "--repair"});
  EXPECT_EQ(repaired.exit_code, 0) << repaired.out << repaired.err;
  EXPECT_NE(repaired.out.find("no problems remain"), std::string::npos) << repaired.out;
  EXPECT_FALSE(fs::exists(home("lost-id")));
  EXPECT_FALSE(fs::exists(home("flat")));
  EXPECT_TRUE(fs::exists(home("fine") + "/data/blob"));
  expect_fsck_clean();
}

// Real RUN steps: the cache outlives builds until a prune removes it.
TEST_P(CacheMounts, RunStepsKeepTheirCacheUntilPruned) {
  if (::geteuid() != 0) GTEST_SKIP() << "RUN needs root";
  if (::access("/bin/busybox", X_OK) != 0) GTEST_SKIP() << "/bin/busybox missing";
  std::string busybox = work.path() + "/busybox";
  std::string prepare = tests::source_path("examples/busybox/prepare-context") + " " + busybox + " >/dev/null";
  ASSERT_EQ(std::system(prepare.c_str()), 0) << prepare;
  ASSERT_EQ(build(busybox, {"-q", "-t", "busybox:latest"}).exit_code, 0);

  // Each build adds a line to the cache and prints how many it found.
  auto step = [&](const std::string& tag) {
    write(ctx + "/Dockerfile",
          "FROM busybox\n"
          "RUN --mount=type=cache,target=/var/cache/app,id=app-cache "
          "echo " + tag + " >> /var/cache/app/runs && echo \"runs=$(wc -l < /var/cache/app/runs)\"\n");
    auto r = build(ctx);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.err;
  };
  EXPECT_NE(step("one").find("runs=1"), std::string::npos);
  EXPECT_NE(step("two").find("runs=2"), std::string::npos);
  auto du = kiln({"du"});
  EXPECT_NE(du.out.find("Cache Mounts  1"), std::string::npos) << du.out;
  EXPECT_NE(du.out.find("app-cache\n"), std::string::npos) << du.out;
  expect_fsck_clean();

  auto pruned = kiln({"prune", "-f"});
  ASSERT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_NE(pruned.out.find(base::Sha256::of("app-cache").hex().substr(0, 12) + "\n"), std::string::npos)
      << pruned.out;
  EXPECT_FALSE(fs::exists(home("app-cache")));
  expect_fsck_clean();
  // The next step starts from an empty cache, and the image still builds on.
  EXPECT_NE(step("three").find("runs=1"), std::string::npos);
  EXPECT_EQ(kiln({"inspect", "busybox:latest"}).exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(Snapshotters, CacheMounts, ::testing::Values("copy", ""), snapshotter_name);

}  // namespace
}  // namespace storage_test
