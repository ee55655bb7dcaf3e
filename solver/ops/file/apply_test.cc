// Mkdir and Mkfile actions (WORKDIR, inline heredoc files) and the op as a
// whole.
#include "solver/ops/file/apply.h"

#include <sys/stat.h>

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

}  // namespace
}  // namespace solver_ops::file
