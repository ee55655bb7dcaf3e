// COPY semantics: each test builds a source tree, runs one file op and
// compares the whole destination tree.
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "solver/ops/file/apply.h"
#include "solver/ops/file/test_util.h"

namespace solver_ops::file {
namespace {

using testing::dump;
using testing::Entry;
using testing::make_dir;
using testing::make_symlink;
using testing::TempDir;
using testing::tree;
using testing::write_file;

// A COPY from the build context as the Dockerfile frontend lowers it.
ir::Copy context_copy(std::string src, std::string dest) {
  ir::Copy c;
  c.src_input = 1;
  c.src = std::move(src);
  c.dest = std::move(dest);
  c.follow_symlinks = true;
  c.dir_contents_only = true;
  c.allow_wildcard = true;
  c.allow_empty_wildcard = true;
  c.create_dest_path = true;
  return c;
}

class CopyTest : public ::testing::Test {
 protected:
  base::Result<void> run(std::vector<ir::FileAction> actions, FileOpOptions options = {}) {
    ir::File op;
    op.actions = std::move(actions);
    std::vector<SourceTree> inputs{{m_dest.path(), {}, SourceKind::snapshot},
                                   {m_ctx.path(), m_ignore, SourceKind::context},
                                   {m_stage.path(), {}, SourceKind::snapshot}};
    return apply_file_actions(m_dest.path(), op, inputs, options);
  }
  void ok(std::vector<ir::FileAction> actions, FileOpOptions options = {}) {
    auto r = run(std::move(actions), options);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  std::string error(std::vector<ir::FileAction> actions) {
    auto r = run(std::move(actions));
    EXPECT_FALSE(r.ok());
    return r.ok() ? "" : r.error().message;
  }
  std::map<std::string, Entry> dest() { return tree(m_dest.path()); }
  static Entry file(std::string content, unsigned mode = 0644, unsigned uid = 0, unsigned gid = 0) {
    return {'f', mode, uid, gid, std::move(content)};
  }
  static Entry dir(unsigned mode = 0755, unsigned uid = 0, unsigned gid = 0) { return {'d', mode, uid, gid, ""}; }
  static Entry link(std::string target, unsigned uid = 0, unsigned gid = 0) {
    return {'l', 0, uid, gid, std::move(target)};
  }

  TempDir m_ctx;    // input 1: the build context
  TempDir m_dest;   // input 0 and the destination
  TempDir m_stage;  // input 2: another stage's snapshot
  std::vector<std::string> m_ignore;
};

TEST_F(CopyTest, SingleFileToANewNameKeepsModeAndIsOwnedByRoot) {
  write_file(m_ctx / "run.sh", "#!/bin/sh\n", 0751);
  ok({context_copy("/run.sh", "/usr/bin/start")});
  EXPECT_EQ(dest(), (std::map<std::string, Entry>{{"usr", dir()},
                                                  {"usr/bin", dir()},
                                                  {"usr/bin/start", file("#!/bin/sh\n", 0751)}}))
      << dump(m_dest.path());
}

TEST_F(CopyTest, TrailingSlashMakesTheDestinationADirectory) {
  write_file(m_ctx / "a.txt", "a");
  ok({context_copy("/a.txt", "/app/")});
  EXPECT_EQ(dest(), (std::map<std::string, Entry>{{"app", dir()}, {"app/a.txt", file("a")}})) << dump(m_dest.path());
}

TEST_F(CopyTest, ExistingDirectoryWithoutSlashReceivesTheFile) {
  write_file(m_ctx / "a.txt", "a");
  make_dir(m_dest / "app", 0700);
  ok({context_copy("/a.txt", "/app")});
  EXPECT_EQ(dest(), (std::map<std::string, Entry>{{"app", dir(0700)}, {"app/a.txt", file("a")}}))
      << dump(m_dest.path());
}

TEST_F(CopyTest, ExistingFileIsReplaced) {
  write_file(m_ctx / "a.txt", "new");
  write_file(m_dest / "a.txt", "old", 0600);
  ok({context_copy("/a.txt", "/a.txt")});
  EXPECT_EQ(dest(), (std::map<std::string, Entry>{{"a.txt", file("new")}}));
}

TEST_F(CopyTest, DirectorySourceCopiesItsContentsNotItself) {
  write_file(m_ctx / "src/main.c", "int main;");
  write_file(m_ctx / "src/lib/util.c", "u", 0600);
  chmod((m_ctx / "src").c_str(), 0700);
  chmod((m_ctx / "src/lib").c_str(), 0750);
  ok({context_copy("/src", "/code")});
  // The destination directory is created like a parent (0755), the source
  // directory's own mode is not copied; subdirectories keep theirs.
  EXPECT_EQ(dest(), (std::map<std::string, Entry>{{"code", dir()},
                                                  {"code/main.c", file("int main;")},
                                                  {"code/lib", dir(0750)},
                                                  {"code/lib/util.c", file("u", 0600)}}))
      << dump(m_dest.path());
}

TEST_F(CopyTest, DirectoryContentsMergeIntoAnExistingDirectory) {
  write_file(m_ctx / "src/new.txt", "n");
  write_file(m_dest / "app/old.txt", "o");
  chmod((m_dest / "app").c_str(), 0711);
  ok({context_copy("/src", "/app/")});
  EXPECT_EQ(dest(), (std::map<std::string, Entry>{{"app", dir(0711)},
                                                  {"app/old.txt", file("o")},
                                                  {"app/new.txt", file("n")}}))
      << dump(m_dest.path());
}

TEST_F(CopyTest, FileOntoAnExistingDirectoryPathInsideACopiedTreeFails) {
  write_file(m_ctx / "src/x", "file");
  make_dir(m_dest / "app/x");
  EXPECT_EQ(error({context_copy("/src", "/app")}), "cannot replace to directory /app/x with file");
}

TEST_F(CopyTest, DirectoryOntoAnExistingFileFails) {
  write_file(m_ctx / "src/a", "a");
  write_file(m_dest / "app", "file");
  EXPECT_EQ(error({context_copy("/src", "/app")}), "cannot copy to non-directory: /app");
}

TEST_F(CopyTest, WithoutCreateDestPathTheParentMustExist) {
  write_file(m_ctx / "a", "a");
  ir::Copy c = context_copy("/a", "/missing/a");
  c.create_dest_path = false;
  EXPECT_EQ(error({c}), "failed to stat /missing/a: no such file or directory");
  make_dir(m_dest / "missing");
  ok({c});
  EXPECT_EQ(dest()["missing/a"], file("a"));
}

TEST_F(CopyTest, DirectoryItselfIsCopiedWhenNotContentsOnly) {
  // Git and other whole-tree sources: the source root becomes the
  // destination when it does not exist yet, with the source's mode.
  make_dir(m_stage / "tree", 0700);
  write_file(m_stage / "tree/f", "f");
  ir::Copy c = context_copy("/tree", "/new");
  c.src_input = 2;
  c.dir_contents_only = false;
  ir::Copy into = c;
  into.dest = "/existing";
  make_dir(m_dest / "existing");
  ok({c, into});
  EXPECT_EQ(dest(), (std::map<std::string, Entry>{{"new", dir(0700)},
                                                  {"new/f", file("f")},
                                                  {"existing", dir()},
                                                  {"existing/tree", dir(0700)},
                                                  {"existing/tree/f", file("f")}}))
      << dump(m_dest.path());
}

TEST_F(CopyTest, SeveralSourcesGoIntoTheDirectory) {
  write_file(m_ctx / "a.txt", "a");
  write_file(m_ctx / "b/c.txt", "c");
  ok({context_copy("/a.txt", "/dst/"), context_copy("/b", "/dst/")});
  EXPECT_EQ(dest(), (std::map<std::string, Entry>{{"dst", dir()}, {"dst/a.txt", file("a")}, {"dst/c.txt", file("c")}}))
      << dump(m_dest.path());
}

TEST_F(CopyTest, SeveralFilesToANonDirectoryDestinationOverwriteEachOther) {
  // BuildKit (unlike the classic builder) does not reject this: each source
  // is copied to the same file name in turn (moby/buildkit#1853).
  write_file(m_ctx / "one", "1");
  write_file(m_ctx / "two", "2");
  ok({context_copy("/one", "/dest"), context_copy("/two", "/dest")});
  EXPECT_EQ(dest(), (std::map<std::string, Entry>{{"dest", file("2")}}));
}

TEST_F(CopyTest, WildcardInTheLastSegment) {
  write_file(m_ctx / "a.txt", "a");
  write_file(m_ctx / "b.txt", "b");
  write_file(m_ctx / "c.md", "c");
  write_file(m_ctx / "sub/d.txt", "d");  // '*' does not cross '/'
  ok({context_copy("/*.txt", "/out/")});
  EXPECT_EQ(dest(), (std::map<std::string, Entry>{{"out", dir()}, {"out/a.txt", file("a")}, {"out/b.txt", file("b")}}))
      << dump(m_dest.path());
}

TEST_F(CopyTest, WildcardInAnIntermediateSegment) {
  write_file(m_ctx / "pkg1/go.mod", "1");
  write_file(m_ctx / "pkg2/go.mod", "2");
  write_file(m_ctx / "other/go.mod", "x");
  ok({context_copy("/pkg?/go.mod", "/mods/")});
  // Each match is a file copied into the directory under its base name; the
  // second overwrites the first.
  EXPECT_EQ(dest(), (std::map<std::string, Entry>{{"mods", dir()}, {"mods/go.mod", file("2")}}))
      << dump(m_dest.path());
}

TEST_F(CopyTest, WildcardMatchingADirectoryCopiesItsContents) {
  write_file(m_ctx / "conf.d/x.conf", "x");
  ok({context_copy("/conf*", "/etc/app/")});
  EXPECT_EQ(dest(), (std::map<std::string, Entry>{{"etc", dir()}, {"etc/app", dir()}, {"etc/app/x.conf", file("x")}}))
      << dump(m_dest.path());
}

TEST_F(CopyTest, WildcardMatchingNothing) {
  write_file(m_ctx / "a.txt", "a");
  ok({context_copy("/*.none", "/out/")});
  EXPECT_TRUE(dest().empty()) << dump(m_dest.path());
  ir::Copy strict = context_copy("/*.none", "/out/");
  strict.allow_empty_wildcard = false;
  EXPECT_EQ(error({strict}),
            "file not found in build context or excluded by .dockerignore: stat *.none: file does not exist");
}

TEST_F(CopyTest, MissingSourceNamesIt) {
  EXPECT_EQ(error({context_copy("/missing.txt", "/app/")}),
            "file not found in build context or excluded by .dockerignore: stat missing.txt: file does not exist");
  ir::Copy from_stage = context_copy("/missing.txt", "/app/");
  from_stage.src_input = 2;
  EXPECT_EQ(error({from_stage}), "\"/missing.txt\": not found");
}

TEST_F(CopyTest, DockerignoreHidesFilesFromDirectoryCopies) {
  write_file(m_ctx / "app/main.go", "m");
  write_file(m_ctx / "app/debug.log", "l");
  write_file(m_ctx / "app/keep.log", "k");
  write_file(m_ctx / "node_modules/x/index.js", "i");
  m_ignore = {"**/*.log", "!app/keep.log", "node_modules"};
  ok({context_copy("/", "/src/")});
  EXPECT_EQ(dest(), (std::map<std::string, Entry>{{"src", dir()},
                                                  {"src/app", dir()},
                                                  {"src/app/main.go", file("m")},
                                                  {"src/app/keep.log", file("k")}}))
      << dump(m_dest.path());
}

TEST_F(CopyTest, DockerignoredFileNamedExplicitlyIsNotFound) {
  write_file(m_ctx / "secret.env", "s");
  m_ignore = {"*.env"};
  EXPECT_EQ(error({context_copy("/secret.env", "/app/")}),
            "file not found in build context or excluded by .dockerignore: stat secret.env: file does not exist");
  // A symlink pointing at it does not reach it either.
  make_symlink("secret.env", m_ctx / "link");
  EXPECT_NE(error({context_copy("/link", "/app/")}).find("file not found in build context"), std::string::npos);
}

TEST_F(CopyTest, DockerignoreExceptionKeepsAnIgnoredDirectoryVisible) {
  write_file(m_ctx / "docs/a.md", "a");
  write_file(m_ctx / "docs/keep/b.md", "b");
  m_ignore = {"docs", "!docs/keep"};
  ok({context_copy("/docs", "/d/")});
  EXPECT_EQ(dest(), (std::map<std::string, Entry>{{"d", dir()}, {"d/keep", dir()}, {"d/keep/b.md", file("b")}}))
      << dump(m_dest.path());
}

TEST_F(CopyTest, DockerignoredFilesNeverMatchWildcards) {
  write_file(m_ctx / "a.txt", "a");
  write_file(m_ctx / "b.txt", "b");
  write_file(m_ctx / "Dockerfile", "FROM x");
  m_ignore = {"b.txt", "Dockerfile"};
  ok({context_copy("/*", "/all/")});
  EXPECT_EQ(dest(), (std::map<std::string, Entry>{{"all", dir()}, {"all/a.txt", file("a")}})) << dump(m_dest.path());
}

TEST_F(CopyTest, InvalidDockerignorePatternIsAnError) {
  write_file(m_ctx / "a.txt", "a");
  m_ignore = {"[z-"};
  EXPECT_NE(error({context_copy("/a.txt", "/a")}).find("invalid .dockerignore"), std::string::npos);
}

TEST_F(CopyTest, ChownNamesResolveInTheDestinationAndApplyToCreatedParents) {
  if (!testing::is_root()) GTEST_SKIP() << "chown needs root";
  write_file(m_dest / "etc/passwd", "root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n");
  write_file(m_dest / "etc/group", "root:x:0:\napp:x:1001:\nweb:x:33:\n");
  write_file(m_ctx / "src/a.txt", "a");
  ir::Copy c = context_copy("/src", "/home/app/code/");
  c.chown = "app";
  ir::Copy g = context_copy("/src/a.txt", "/srv/a.txt");
  g.chown = "1234:web";
  ok({c, g});
  auto t = dest();
  EXPECT_EQ(t["home"], dir(0755, 1000, 1001));
  EXPECT_EQ(t["home/app"], dir(0755, 1000, 1001));
  EXPECT_EQ(t["home/app/code"], dir(0755, 1000, 1001));
  EXPECT_EQ(t["home/app/code/a.txt"], file("a", 0644, 1000, 1001));
  EXPECT_EQ(t["srv"], dir(0755, 1234, 33));
  EXPECT_EQ(t["srv/a.txt"], file("a", 0644, 1234, 33));
  ir::Copy unknown = context_copy("/src/a.txt", "/x/a.txt");
  unknown.chown = "ghost";  // as BuildKit: a user the image lacks is 0:0
  ok({unknown});
  EXPECT_EQ(dest()["x/a.txt"], file("a", 0644, 0, 0));
}

TEST_F(CopyTest, ChmodAppliesToCopiedFilesAndDirectoriesButNotCreatedParents) {
  write_file(m_ctx / "src/run", "r", 0700);
  write_file(m_ctx / "src/data", "d", 0600);
  make_dir(m_ctx / "src/sub", 0700);
  ir::Copy octal = context_copy("/src", "/o/");
  octal.chmod = "0640";
  ir::Copy symbolic = context_copy("/src", "/s/");
  symbolic.chmod = "u=rwX,go=rX";
  ok({octal, symbolic});
  auto t = dest();
  EXPECT_EQ(t["o"], dir(0755));
  EXPECT_EQ(t["o/run"], file("r", 0640));
  EXPECT_EQ(t["o/data"], file("d", 0640));
  EXPECT_EQ(t["o/sub"], dir(0640));
  EXPECT_EQ(t["s/run"], file("r", 0755));
  EXPECT_EQ(t["s/data"], file("d", 0644));
  EXPECT_EQ(t["s/sub"], dir(0755));
}

TEST_F(CopyTest, ExcludePatternsSkipMatchesRelativeToTheSource) {
  write_file(m_ctx / "src/a.go", "a");
  write_file(m_ctx / "src/a_test.go", "t");
  write_file(m_ctx / "src/internal/b_test.go", "t");
  write_file(m_ctx / "src/vendor/v.go", "v");
  ir::Copy c = context_copy("/src", "/app/");
  c.exclude_patterns = {"**/*_test.go", "vendor"};
  ok({c});
  EXPECT_EQ(dest(), (std::map<std::string, Entry>{{"app", dir()},
                                                  {"app/a.go", file("a")},
                                                  {"app/internal", dir()}}))
      << dump(m_dest.path());
}

TEST_F(CopyTest, ParentsKeepTheSourcePathBelowTheContextOrPivot) {
  write_file(m_ctx / "x/y/a.txt", "a");
  write_file(m_ctx / "x/y/b.md", "b");
  write_file(m_ctx / "x/z/c.txt", "c");
  chmod((m_ctx / "x/y").c_str(), 0750);
  // COPY --parents x/*/*.txt /out/  (no pivot: paths kept from the root)
  ir::Copy all = context_copy("/", "/out/");
  all.include_patterns = {"x/*/*.txt"};
  // COPY --parents x/./y/a.txt /piv/  (pivot: kept from below "x")
  ir::Copy pivot = context_copy("/x", "/piv/");
  pivot.include_patterns = {"y/a.txt"};
  pivot.required_paths = {"/x/y/a.txt"};
  ok({all, pivot});
  EXPECT_EQ(dest(), (std::map<std::string, Entry>{{"out", dir()},
                                                  {"out/x", dir()},
                                                  {"out/x/y", dir(0750)},
                                                  {"out/x/y/a.txt", file("a")},
                                                  {"out/x/z", dir()},
                                                  {"out/x/z/c.txt", file("c")},
                                                  {"piv", dir()},
                                                  {"piv/y", dir(0750)},
                                                  {"piv/y/a.txt", file("a")}}))
      << dump(m_dest.path());
  ir::Copy missing = context_copy("/", "/out/");
  missing.include_patterns = {"nope.txt"};
  missing.required_paths = {"/nope.txt"};
  EXPECT_NE(error({missing}).find("stat nope.txt"), std::string::npos);
}

TEST_F(CopyTest, SymlinksAreCopiedAsSymlinks) {
  write_file(m_ctx / "dir/real.txt", "r");
  make_symlink("real.txt", m_ctx / "dir/rel");
  make_symlink("/etc/passwd", m_ctx / "dir/abs");
  make_symlink("../../../outside", m_ctx / "dir/up");
  ok({context_copy("/dir", "/d/")});
  EXPECT_EQ(dest(), (std::map<std::string, Entry>{{"d", dir()},
                                                  {"d/real.txt", file("r")},
                                                  {"d/rel", link("real.txt")},
                                                  {"d/abs", link("/etc/passwd")},
                                                  {"d/up", link("../../../outside")}}))
      << dump(m_dest.path());
}

TEST_F(CopyTest, SourceSymlinkIsFollowedInsideTheSourceRoot) {
  write_file(m_ctx / "real/f.txt", "f");
  make_symlink("/real", m_ctx / "abs");     // absolute: the context root, not the host's
  make_symlink("../../real", m_ctx / "up");  // ".." stops at the context root
  make_symlink("/etc", m_ctx / "hostetc");   // no /etc in the context
  ok({context_copy("/abs", "/a/"), context_copy("/up/f.txt", "/b.txt")});
  EXPECT_EQ(dest(), (std::map<std::string, Entry>{{"a", dir()}, {"a/f.txt", file("f")}, {"b.txt", file("f")}}))
      << dump(m_dest.path());
  EXPECT_NE(error({context_copy("/hostetc/passwd", "/p")}).find("not found"), std::string::npos);
}

TEST_F(CopyTest, SourceSymlinkIsKeptWhenNotFollowing) {
  make_symlink("target", m_stage / "l");
  ir::Copy c = context_copy("/l", "/copied");
  c.src_input = 2;
  c.follow_symlinks = false;
  ok({c});
  EXPECT_EQ(dest()["copied"].type, 'l');
  EXPECT_EQ(dest()["copied"].data, "target");
}

TEST_F(CopyTest, HardlinksBetweenCopiedFilesArePreserved) {
  write_file(m_ctx / "d/a", "same");
  ASSERT_EQ(::link((m_ctx / "d/a").c_str(), (m_ctx / "d/b").c_str()), 0);
  ok({context_copy("/d", "/h/")});
  struct stat a {}, b {};
  ASSERT_EQ(stat((m_dest / "h/a").c_str(), &a), 0);
  ASSERT_EQ(stat((m_dest / "h/b").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(a.st_nlink, 2u);
}

TEST_F(CopyTest, MtimesArePreservedUnlessFixed) {
  write_file(m_ctx / "d/f", "f");
  timespec ts[2] = {{1000000, 0}, {1500000000, 123}};
  ASSERT_EQ(utimensat(AT_FDCWD, (m_ctx / "d/f").c_str(), ts, 0), 0);
  ok({context_copy("/d", "/keep/")});
  struct stat st {};
  ASSERT_EQ(stat((m_dest / "keep/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 1500000000);
  EXPECT_EQ(st.st_mtim.tv_nsec, 123);
  FileOpOptions fixed;
  fixed.mtime = 86400;
  ok({context_copy("/d", "/fixed/sub/")}, fixed);
  for (const char* p : {"fixed", "fixed/sub", "fixed/sub/f"}) {
    ASSERT_EQ(lstat((m_dest / p).c_str(), &st), 0) << p;
    EXPECT_EQ(st.st_mtim.tv_sec, 86400) << p;
  }
}

TEST_F(CopyTest, SnapshotSourcesKeepOwnersAndXattrs) {
  if (!testing::is_root()) GTEST_SKIP() << "chown needs root";
  write_file(m_stage / "bin/tool", "t", 0755);
  ASSERT_EQ(chown((m_stage / "bin/tool").c_str(), 1000, 2000), 0);
  bool xattrs = setxattr((m_stage / "bin/tool").c_str(), "user.kiln", "v", 1, 0) == 0;
  write_file(m_ctx / "ctx", "c");
  ASSERT_EQ(chown((m_ctx / "ctx").c_str(), 1000, 2000), 0);
  if (xattrs) {
    ASSERT_EQ(setxattr((m_ctx / "ctx").c_str(), "user.kiln", "v", 1, 0), 0);
  }
  ir::Copy from_stage = context_copy("/bin/tool", "/usr/local/bin/");
  from_stage.src_input = 2;
  ok({from_stage, context_copy("/ctx", "/ctx")});
  auto t = dest();
  EXPECT_EQ(t["usr/local/bin/tool"], file("t", 0755, 1000, 2000));
  EXPECT_EQ(t["ctx"], file("c", 0644, 0, 0));  // context files belong to root
  if (xattrs) {
    char buf[8];
    EXPECT_EQ(getxattr((m_dest / "usr/local/bin/tool").c_str(), "user.kiln", buf, sizeof buf), 1);
    EXPECT_LT(getxattr((m_dest / "ctx").c_str(), "user.kiln", buf, sizeof buf), 0);
  }
}

TEST_F(CopyTest, DestinationSymlinkCannotLeadOutsideTheRoot) {
  TempDir outside;
  write_file(m_ctx / "evil.txt", "evil");
  write_file(m_ctx / "d/f.txt", "f");
  make_symlink("/", m_dest / "app");                  // resolves to the destination root
  make_symlink(outside.path(), m_dest / "abs");       // a host path: stays inside
  make_symlink("../../../../../..", m_dest / "up");   // ".." stops at the root
  ok({context_copy("/evil.txt", "/app/x.txt"), context_copy("/d", "/abs/"), context_copy("/evil.txt", "/up/y.txt")});
  EXPECT_TRUE(tree(outside.path()).empty()) << dump(outside.path());
  auto t = dest();
  EXPECT_EQ(t["x.txt"], file("evil"));
  EXPECT_EQ(t["y.txt"], file("evil"));
  EXPECT_EQ(t[outside.path().substr(1) + "/f.txt"], file("f")) << dump(m_dest.path());
}

TEST_F(CopyTest, SymlinkBelowTheDestinationIsNeverWrittenThrough) {
  TempDir outside;
  write_file(m_ctx / "src/conf/x", "x");
  write_file(m_ctx / "src/f", "new");
  make_dir(m_dest / "app");
  make_symlink(outside.path(), m_dest / "app/conf");
  make_symlink(outside.path() + "/f", m_dest / "app/f");
  EXPECT_EQ(error({context_copy("/src", "/app/")}), "cannot copy to non-directory: /app/conf");
  EXPECT_TRUE(tree(outside.path()).empty()) << dump(outside.path());
  // A destination path that is a symlink is resolved inside the root, as
  // BuildKit's fs.RootPath does: the file lands at the link's target there.
  ok({context_copy("/src/f", "/app/f")});
  EXPECT_EQ(dest()["app/f"], link(outside.path() + "/f"));
  EXPECT_EQ(dest()[outside.path().substr(1) + "/f"], file("new")) << dump(m_dest.path());
  EXPECT_TRUE(tree(outside.path()).empty()) << dump(outside.path());
}

}  // namespace
}  // namespace solver_ops::file
