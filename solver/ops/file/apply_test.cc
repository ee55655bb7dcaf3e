// Mkdir and Mkfile actions (WORKDIR, inline heredoc files) and the op as a
// whole.
#include "solver/ops/file/apply.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "solver/ops/file/test_util.h"

namespace solver_ops::file {
namespace {

using testing::dump;
using testing::Entry;
using testing::make_symlink;
using testing::TempDir;
using testing::tree;
using testing::write_file;

class ApplyTest : public ::testing::Test {
 protected:
  base::Result<void> run(std::vector<ir::FileAction> actions, FileOpOptions options = {}) {
    ir::File op;
    op.actions = std::move(actions);
    return apply_file_actions(m_dest.path(), op, {{m_dest.path(), {}, SourceKind::snapshot}}, options);
  }
  TempDir m_dest;
};

TEST_F(ApplyTest, MkdirWithParentsModeAndOwner) {
  if (!testing::is_root()) GTEST_SKIP() << "chown needs root";
  write_file(m_dest / "etc/passwd", "app:x:1000:1000::/:/bin/sh\n");
  ASSERT_TRUE(run({ir::Mkdir{"/srv/www/html", 0750, true, "app"}}).ok());
  auto t = tree(m_dest.path());
  EXPECT_EQ(t["srv"], (Entry{'d', 0750, 1000, 1000, ""})) << dump(m_dest.path());
  EXPECT_EQ(t["srv/www/html"], (Entry{'d', 0750, 1000, 1000, ""}));
  // Existing directories are left alone.
  ASSERT_TRUE(run({ir::Mkdir{"/srv", 0700, true, ""}}).ok());
  EXPECT_EQ(tree(m_dest.path())["srv"].mode, 0750u);
}

TEST_F(ApplyTest, MkdirWithoutParents) {
  ASSERT_TRUE(run({ir::Mkdir{"/work", 0755, false, ""}}).ok());
  ASSERT_TRUE(run({ir::Mkdir{"/work", 0700, false, ""}}).ok());  // exists: fine
  EXPECT_EQ(tree(m_dest.path())["work"], (Entry{'d', 0755, 0, 0, ""}));
  auto r = run({ir::Mkdir{"/a/b", 0755, false, ""}});
  EXPECT_FALSE(r.ok());
}

TEST_F(ApplyTest, MkdirThroughASymlinkStaysInside) {
  TempDir outside;
  make_symlink(outside.path(), m_dest / "app");
  ASSERT_TRUE(run({ir::Mkdir{"/app/data", 0755, true, ""}}).ok());
  EXPECT_TRUE(tree(outside.path()).empty());
  EXPECT_EQ(tree(m_dest.path())[outside.path().substr(1) + "/data"].type, 'd') << dump(m_dest.path());
}

TEST_F(ApplyTest, MkfileWritesContentAndMode) {
  ASSERT_TRUE(run({ir::Mkfile{"/hello.sh", 0755, "echo hi\n"}, ir::Mkfile{"/note", 0644, ""}}).ok());
  auto t = tree(m_dest.path());
  EXPECT_EQ(t["hello.sh"], (Entry{'f', 0755, 0, 0, "echo hi\n"}));
  EXPECT_EQ(t["note"], (Entry{'f', 0644, 0, 0, ""}));
  ASSERT_TRUE(run({ir::Mkfile{"/hello.sh", 0644, "x"}}).ok());  // rewritten
  EXPECT_EQ(tree(m_dest.path())["hello.sh"].data, "x");
}

TEST_F(ApplyTest, FixedTimestampForCreatedEntries) {
  FileOpOptions o;
  o.mtime = 42;
  ASSERT_TRUE(run({ir::Mkdir{"/a/b", 0755, true, ""}, ir::Mkfile{"/a/b/f", 0644, "f"}}, o).ok());
  struct stat st {};
  ASSERT_EQ(stat((m_dest / "a/b/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 42);
  ASSERT_EQ(stat((m_dest / "a").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 42);
}

TEST_F(ApplyTest, HeredocFileCopiedFromScratch) {
  // COPY <<EOF /app/run.sh: a Mkfile on scratch, copied like any file.
  TempDir scratch;
  ir::File inline_op;
  inline_op.actions.push_back(ir::Mkfile{"/run.sh", 0644, "#!/bin/sh\n"});
  ASSERT_TRUE(apply_file_actions(scratch.path(), inline_op, {{scratch.path(), {}, SourceKind::snapshot}}).ok());
  ir::Copy c;
  c.src_input = 1;
  c.src = "/run.sh";
  c.dest = "/app/";
  c.chmod = "0755";
  c.create_dest_path = true;
  ir::File op;
  op.actions.push_back(c);
  ASSERT_TRUE(apply_file_actions(m_dest.path(), op,
                                 {{m_dest.path(), {}, SourceKind::snapshot}, {scratch.path(), {}, SourceKind::snapshot}})
                  .ok());
  EXPECT_EQ(tree(m_dest.path())["app/run.sh"], (Entry{'f', 0755, 0, 0, "#!/bin/sh\n"})) << dump(m_dest.path());
}

TEST_F(ApplyTest, CopyFromAMissingInputIsAnError) {
  ir::Copy c;
  c.src_input = 3;
  c.src = "/x";
  c.dest = "/y";
  auto r = run({c});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "copy reads input 3 of 1");
}

// COPY <src> <dest> of input 1 onto a snapshot (input 0): a directory's
// contents, the destination created as needed.
ir::File copy_contents(std::string src, std::string dest) {
  ir::Copy c;
  c.src_input = 1;
  c.src = std::move(src);
  c.dest = std::move(dest);
  c.dir_contents_only = true;
  c.create_dest_path = true;
  ir::File op;
  op.actions = {c};
  return op;
}

// COPY . /app of a context (input 1) onto a snapshot (input 0).
ir::File copy_context_into_app() { return copy_contents("/", "/app"); }

std::vector<SourceTree> dest_and_context(const TempDir& dest, const TempDir& ctx) {
  return {{dest.path(), {}, SourceKind::snapshot}, {ctx.path(), {}, SourceKind::context}};
}

// FileOpOptions::reuse: unchanged context files are hard-linked from the
// previous run's tree when their copy there has the metadata this copy
// gives; the result is the same tree a full copy makes.
TEST(ApplyReuse, LinksUnchangedFilesAndCopiesTheRest) {
  if (!testing::is_root()) GTEST_SKIP() << "context copies chown to 0:0";
  TempDir ctx, prev, next, full;
  write_file(ctx / "a.txt", "alpha");
  write_file(ctx / "dir/b.txt", "bravo");
  write_file(ctx / "dir/c.txt", "charlie");
  const ir::File op = copy_context_into_app();
  auto inputs = [&](const TempDir& dest) { return dest_and_context(dest, ctx); };
  ASSERT_TRUE(apply_file_actions(prev.path(), op, inputs(prev)).ok());
  write_file(ctx / "dir/b.txt", "bravo, changed");
  // Same content, but touched: the previous copy has another mtime.
  struct timespec times[2] = {{0, UTIME_OMIT}, {1000000000, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, (ctx / "a.txt").c_str(), times, 0), 0);

  ReuseTree reuse{prev.path(), {"a.txt", "dir/c.txt"}};
  FileOpOptions options;
  options.reuse = &reuse;
  ASSERT_TRUE(apply_file_actions(next.path(), op, inputs(next), options).ok());
  ASSERT_TRUE(apply_file_actions(full.path(), op, inputs(full)).ok());
  EXPECT_EQ(dump(next.path()), dump(full.path()));
  auto ino = [](const std::string& path) {
    struct stat st {};
    EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
    return std::make_pair(st.st_ino, st.st_mtim.tv_sec);
  };
  EXPECT_EQ(ino(next / "app/dir/c.txt").first, ino(prev / "app/dir/c.txt").first);
  EXPECT_NE(ino(next / "app/a.txt").first, ino(prev / "app/a.txt").first);
  EXPECT_EQ(ino(next / "app/a.txt").second, 1000000000);
  EXPECT_NE(ino(next / "app/dir/b.txt").first, ino(prev / "app/dir/b.txt").first);
  EXPECT_EQ(testing::read_file(next / "app/dir/b.txt"), "bravo, changed");
  EXPECT_EQ(testing::read_file(prev / "app/dir/b.txt"), "bravo");
}

// A directory of the previous tree that is a symlink now leads elsewhere
// (here to a file outside the tree with the very metadata the copy gives):
// nothing is linked through it.
TEST(ApplyReuse, NeverLinksThroughASymlinkOfThePreviousTree) {
  if (!testing::is_root()) GTEST_SKIP() << "context copies chown to 0:0";
  TempDir ctx, prev, next, outside;
  write_file(ctx / "dir/c.txt", "charlie");
  const ir::File op = copy_context_into_app();
  auto inputs = [&](const TempDir& dest) { return dest_and_context(dest, ctx); };
  ASSERT_TRUE(apply_file_actions(prev.path(), op, inputs(prev)).ok());
  // The previous tree's app/dir becomes a symlink to a directory outside
  // holding a look-alike c.txt (same size, mode, owner and mtime).
  write_file(outside / "c.txt", "CHARLIE");
  struct stat real {};
  ASSERT_EQ(lstat((prev / "app/dir/c.txt").c_str(), &real), 0);
  struct timespec times[2] = {{0, UTIME_OMIT}, real.st_mtim};
  ASSERT_EQ(utimensat(AT_FDCWD, (outside / "c.txt").c_str(), times, 0), 0);
  ASSERT_EQ(chmod((outside / "c.txt").c_str(), real.st_mode & 07777), 0);
  std::filesystem::remove_all(prev / "app/dir");
  ASSERT_EQ(symlink(outside.path().c_str(), (prev / "app/dir").c_str()), 0);

  ReuseTree reuse{prev.path(), {"dir/c.txt"}};
  FileOpOptions options;
  options.reuse = &reuse;
  ASSERT_TRUE(apply_file_actions(next.path(), op, inputs(next), options).ok());
  EXPECT_EQ(testing::read_file(next / "app/dir/c.txt"), "charlie");
}

// SourceTree::link_dir: a snapshot's files that a copy would reproduce
// exactly are hard-linked; --chmod (or extended attributes) means a copy.
TEST(ApplyLinkSource, LinksFilesTheCopyWouldReproduce) {
  TempDir src, dest, dest2;
  write_file(src / "part/a.bin", "alpha", 0640);
  write_file(src / "part/sub/b.bin", "bravo");
  write_file(src / "part/x.bin", "xattr");
  bool xattrs = setxattr((src / "part/x.bin").c_str(), "user.k", "v", 1, 0) == 0;
  write_file(src / "part/h1", "hard");
  ASSERT_EQ(link((src / "part/h1").c_str(), (src / "part/h2").c_str()), 0);
  ir::File op = copy_contents("/part/", "/app/part/");
  auto inputs = [&](const TempDir& d) {
    SourceTree from{src.path(), {}, SourceKind::snapshot};
    from.link_dir = src.path();
    return std::vector<SourceTree>{{d.path(), {}, SourceKind::snapshot}, from};
  };
  ASSERT_TRUE(apply_file_actions(dest.path(), op, inputs(dest)).ok());
  auto ino = [](const std::string& path) {
    struct stat st {};
    EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
    return st.st_ino;
  };
  EXPECT_EQ(ino(dest / "app/part/a.bin"), ino(src / "part/a.bin"));
  EXPECT_EQ(ino(dest / "app/part/sub/b.bin"), ino(src / "part/sub/b.bin"));
  if (xattrs) {
    EXPECT_NE(ino(dest / "app/part/x.bin"), ino(src / "part/x.bin"));
    EXPECT_EQ(testing::read_file(dest / "app/part/x.bin"), "xattr");
  }
  EXPECT_EQ(tree(dest.path())["app/part/a.bin"].mode, 0640u);
  EXPECT_EQ(ino(dest / "app/part/h1"), ino(dest / "app/part/h2"));  // still one file

  std::get<ir::Copy>(op.actions[0]).chmod = "600";
  ASSERT_TRUE(apply_file_actions(dest2.path(), op, inputs(dest2)).ok());
  EXPECT_NE(ino(dest2 / "app/part/a.bin"), ino(src / "part/a.bin"));
  EXPECT_EQ(tree(dest2.path())["app/part/a.bin"].mode, 0600u);
  EXPECT_EQ(ino(dest2 / "app/part/h1"), ino(dest2 / "app/part/h2"));
  EXPECT_NE(ino(dest2 / "app/part/h1"), ino(src / "part/h1"));
  EXPECT_EQ(tree(src.path())["part/a.bin"].mode, 0640u);  // the source is untouched
}

// FileOpOptions::dest_upper: a directory the copy finds empty in an overlay
// mount and in its upper dir is filled in the upper dir directly (files
// linked from a snapshot); the mount then shows the same tree as a copy
// through it, and directories that were not empty are written through it.
TEST(ApplyDirectUpper, FillsNewDirectoriesInTheUpperDir) {
  if (!testing::is_root()) GTEST_SKIP() << "overlay mounts need root";
  TempDir src, lower, upper, work, mnt, full;
  write_file(src / "part/a.bin", "alpha");
  write_file(src / "part/sub/b.bin", "bravo");
  write_file(lower / "app/old.txt", "old");
  write_file(lower / "app/part/kept.txt", "kept");
  write_file(full / "app/old.txt", "old");
  write_file(full / "app/part/kept.txt", "kept");
  std::string data = "lowerdir=" + lower.path() + ",upperdir=" + upper.path() + ",workdir=" + work.path();
  if (mount("overlay", mnt.path().c_str(), "overlay", 0, data.c_str()) != 0)
    GTEST_SKIP() << "no overlay mounts here";
  ir::Copy to_new{};
  to_new.src_input = 1;
  to_new.src = "/part/";
  to_new.dest = "/app/new/";
  to_new.dir_contents_only = true;
  to_new.create_dest_path = true;
  ir::Copy to_existing = to_new;
  to_existing.dest = "/app/part/";
  ir::File op;
  op.actions.push_back(to_new);
  op.actions.push_back(to_existing);
  auto inputs = [&](const std::string& root) {
    SourceTree from{src.path(), {}, SourceKind::snapshot};
    from.link_dir = src.path();
    return std::vector<SourceTree>{{root, {}, SourceKind::snapshot}, from};
  };
  FileOpOptions options;
  options.dest_upper = upper.path();
  auto applied = apply_file_actions(mnt.path(), op, inputs(mnt.path()), options);
  std::string through_mount = dump(mnt.path() + "/app");
  umount2(mnt.path().c_str(), MNT_DETACH);
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  ASSERT_TRUE(apply_file_actions(full.path(), op, inputs(full.path())).ok());
  EXPECT_EQ(through_mount, dump(full / "app"));
  auto ino = [](const std::string& path) {
    struct stat st {};
    EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
    return st.st_ino;
  };
  // The new directory was filled in the upper dir, by links.
  EXPECT_EQ(ino(upper / "app/new/a.bin"), ino(src / "part/a.bin"));
  EXPECT_EQ(ino(upper / "app/new/sub/b.bin"), ino(src / "part/sub/b.bin"));
  // The existing one went through the mount: its lower file is still there.
  EXPECT_EQ(testing::read_file(upper / "app/part/a.bin"), "alpha");
  EXPECT_EQ(testing::read_file(lower / "app/part/kept.txt"), "kept");
}

}  // namespace
}  // namespace solver_ops::file
