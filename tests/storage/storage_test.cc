// kiln prune, du and fsck as a user runs them.
#include "tests/storage/storage_fixture.h"

namespace storage_test {
namespace {

class Housekeeping : public StorageTest {};

TEST_P(Housekeeping, PruneRemovesBuildCacheButKeepsImages) {
  write(ctx + "/Dockerfile", "FROM scratch\nCOPY a.bin /a.bin\nCOPY b.txt /b.txt\n");
  write(ctx + "/a.bin", random_bytes(100000, 1));
  write(ctx + "/b.txt", "b\n");
  auto first = build(ctx, {"-t", "app:1"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  expect_fsck_clean();

  auto before = kiln({"du"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_NE(before.out.find("Build Cache"), std::string::npos) << before.out;

  auto pruned = kiln({"prune", "-f"});
  ASSERT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_NE(pruned.out.find("Deleted build cache objects:"), std::string::npos) << pruned.out;
  EXPECT_NE(pruned.out.find("Total reclaimed space: "), std::string::npos) << pruned.out;
  EXPECT_EQ(pruned.out.find("Total reclaimed space: 0B"), std::string::npos) << pruned.out;
  expect_fsck_clean();

  // The image is whole: listed, inspectable, and every blob can be saved.
  auto images = kiln({"images"});
  EXPECT_NE(images.out.find("app "), std::string::npos) << images.out;
  EXPECT_EQ(kiln({"inspect", "app:1"}).exit_code, 0);
  auto saved = kiln({"save", "-o", work.path() + "/app.tar", "app:1"});
  EXPECT_EQ(saved.exit_code, 0) << saved.err;

  // Nothing is cached any more; the rebuild makes the same image.
  auto again = build(ctx, {"-t", "app:1"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err.find("CACHED"), std::string::npos) << again.err;
  auto third = build(ctx, {"-t", "app:1"});
  EXPECT_NE(third.err.find("CACHED"), std::string::npos) << third.err;

  // A second prune finds only what the rebuilds made.
  auto empty = kiln({"prune", "-f"});
  EXPECT_EQ(empty.exit_code, 0) << empty.err;
  auto nothing = kiln({"prune", "-f"});
  EXPECT_NE(nothing.out.find("Total reclaimed space: 0B"), std::string::npos) << nothing.out;
  expect_fsck_clean();
}

TEST_P(Housekeeping, PruneWithoutForceAsks) {
  write(ctx + "/Dockerfile", "FROM scratch\nCOPY a.txt /\n");
  write(ctx + "/a.txt", "a\n");
  ASSERT_EQ(build(ctx).exit_code, 0);
  auto declined = tests::run_kiln(with_root({"prune"}), "n\n");
  EXPECT_EQ(declined.exit_code, 0);
  EXPECT_NE(declined.err.find("Are you sure you want to continue? [y/N]"), std::string::npos);
  EXPECT_EQ(declined.out.find("Total reclaimed space"), std::string::npos) << declined.out;
  EXPECT_NE(build(ctx).err.find("CACHED"), std::string::npos);
  auto accepted = tests::run_kiln(with_root({"prune"}), "y\n");
  EXPECT_NE(accepted.out.find("Total reclaimed space"), std::string::npos) << accepted.out;
  EXPECT_EQ(build(ctx).err.find("CACHED"), std::string::npos);
}

TEST_P(Housekeeping, KeepStorageKeepsTheMostRecentlyUsed) {
  // Three projects of about 300 kB each on disk (a 150 kB file in the
  // snapshot and as much in its layer blob), built oldest first.
  std::vector<std::string> contexts;
  for (uint32_t i = 0; i < 3; ++i) {
    std::string dir = work.path() + "/p" + std::to_string(i);
    write(dir + "/Dockerfile", "FROM scratch\nCOPY data.bin /\n");
    write(dir + "/data.bin", random_bytes(150000, 10 + i));
    auto r = build(dir);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    contexts.push_back(dir);
  }
  auto bad = kiln({"prune", "-f", "--keep-storage", "lots"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("invalid size"), std::string::npos) << bad.err;

  auto pruned = kiln({"prune", "-f", "--keep-storage", "400KB"});
  ASSERT_EQ(pruned.exit_code, 0) << pruned.err;
  auto du = kiln({"du"});
  ASSERT_EQ(du.exit_code, 0) << du.err;
  // Only the newest project's cache is left.
  EXPECT_NE(build(contexts[2]).err.find("CACHED"), std::string::npos);
  EXPECT_EQ(build(contexts[0]).err.find("CACHED"), std::string::npos);
  expect_fsck_clean();

  // Rebuilding the oldest made it the most recently used: it stays now.
  ASSERT_EQ(kiln({"prune", "-f", "--keep-storage", "400KB"}).exit_code, 0);
  EXPECT_NE(build(contexts[0]).err.find("CACHED"), std::string::npos);
  EXPECT_EQ(build(contexts[1]).err.find("CACHED"), std::string::npos);
}

TEST_P(Housekeeping, AllAlsoDropsUnpackedBaseLayers) {
  write(ctx + "/Dockerfile", "FROM scratch\nCOPY a.txt /\n");
  write(ctx + "/a.txt", "a\n");
  ASSERT_EQ(build(ctx, {"-t", "base:1"}).exit_code, 0);
  std::string child = work.path() + "/child";
  write(child + "/Dockerfile", "FROM base:1\nCOPY b.txt /\n");
  write(child + "/b.txt", "b\n");
  ASSERT_EQ(build(child, {"-t", "child:1"}).exit_code, 0);

  ASSERT_EQ(kiln({"prune", "-f"}).exit_code, 0);
  auto du = kiln({"du", "-v"});
  ASSERT_EQ(du.exit_code, 0) << du.err;
  EXPECT_NE(du.out.find("image layer"), std::string::npos) << du.out;
  EXPECT_EQ(du.out.find("build step"), std::string::npos) << du.out;

  ASSERT_EQ(kiln({"prune", "-a", "-f"}).exit_code, 0);
  du = kiln({"du", "-v"});
  EXPECT_EQ(du.out.find("image layer"), std::string::npos) << du.out;
  EXPECT_NE(du.out.find("Snapshots     0"), std::string::npos) << du.out;
  expect_fsck_clean();
  // Both images still build on.
  auto rebuilt = build(child, {"-t", "child:2"});
  EXPECT_EQ(rebuilt.exit_code, 0) << rebuilt.err;
  EXPECT_EQ(kiln({"inspect", "base:1"}).exit_code, 0);
}

TEST_P(Housekeeping, FsckFindsAndRepairsDamage) {
  write(ctx + "/Dockerfile", "FROM scratch\nCOPY a.txt /\nCOPY b.txt /\n");
  write(ctx + "/a.txt", "a\n");
  write(ctx + "/b.txt", "b\n");
  ASSERT_EQ(build(ctx, {"-t", "app:1"}).exit_code, 0);
  expect_fsck_clean();

  // A snapshot directory disappears, and a stray one appears.
  std::vector<std::string> ids;
  for (const auto& e : fs::directory_iterator(root + "/snapshots")) ids.push_back(e.path().filename());
  ASSERT_FALSE(ids.empty());
  fs::remove_all(root + "/snapshots/" + ids.front());
  fs::create_directories(root + "/snapshots/0123456789ab/fs");
  auto found = kiln({"fsck"});
  EXPECT_EQ(found.exit_code, 1) << found.out;
  EXPECT_NE(found.out.find("has no directory"), std::string::npos) << found.out;
  // A directory without row is a removal a crash interrupted: the cleanup
  // every command does on open finishes it.
  EXPECT_FALSE(fs::exists(root + "/snapshots/0123456789ab"));

  auto repaired = kiln({"fsck", "--repair"});
  EXPECT_EQ(repaired.exit_code, 0) << repaired.out << repaired.err;
  EXPECT_NE(repaired.out.find("no problems remain"), std::string::npos) << repaired.out;
  expect_fsck_clean();
  EXPECT_EQ(kiln({"inspect", "app:1"}).exit_code, 0);
  EXPECT_EQ(build(ctx, {"-t", "app:1"}).exit_code, 0);

  // Something that is no blob in the blob directory: reported, then removed.
  write(root + "/blobs/sha256/leftover.partial", "x");
  auto stray = kiln({"fsck"});
  EXPECT_EQ(stray.exit_code, 1) << stray.out;
  EXPECT_NE(stray.out.find("problem: unexpected entry blobs/sha256/leftover.partial"), std::string::npos)
      << stray.out;
  auto cleaned = kiln({"fsck", "--repair"});
  EXPECT_EQ(cleaned.exit_code, 0) << cleaned.out << cleaned.err;
  EXPECT_NE(cleaned.out.find("repaired: removed unexpected entry blobs/sha256/leftover.partial"),
            std::string::npos)
      << cleaned.out;
  EXPECT_FALSE(fs::exists(root + "/blobs/sha256/leftover.partial"));
  expect_fsck_clean();

  // A damaged image blob is reported and never removed.
  auto inspected = kiln({"inspect", "app:1"});
  size_t id = inspected.out.find("sha256:");
  ASSERT_NE(id, std::string::npos) << inspected.out;
  std::string victim = root + "/blobs/sha256/" + inspected.out.substr(id + 7, 64);
  ASSERT_TRUE(fs::exists(victim)) << victim;
  fs::permissions(victim, fs::perms::owner_write, fs::perm_options::add);
  write(victim, "garbage");
  auto corrupt = kiln({"fsck", "--repair"});
  EXPECT_EQ(corrupt.exit_code, 1) << corrupt.out;
  EXPECT_NE(corrupt.out.find("problem: "), std::string::npos) << corrupt.out;
}

INSTANTIATE_TEST_SUITE_P(Snapshotters, Housekeeping, ::testing::Values("copy", ""), snapshotter_name);

}  // namespace
}  // namespace storage_test
