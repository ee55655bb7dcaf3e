// What a COPY selects from the context, and what its digest depends on.

#include <gtest/gtest.h>

#include <tbb/global_control.h>

#include <algorithm>
#include <thread>

#include "solver/ops/context/selection.h"
#include "solver/ops/context/copy_request.h"
#include "solver/ops/context/test_tree.h"
#include "solver/ops/context/walker.h"

namespace solver::ops::context {
namespace {

using base::FileType;
using testing::TestTree;

class SelectionTest : public ::testing::Test {
 protected:
  Selection select(SelectRequest request) {
    auto hasher = ContextHasher::open(tree.root());
    EXPECT_TRUE(hasher.ok()) << (hasher.ok() ? "" : hasher.error().message);
    auto s = hasher->select(tree.context(), request);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? *s : Selection{};
  }
  Selection select(std::vector<std::string> sources) {
    SelectRequest r;
    r.sources = std::move(sources);
    return select(r);
  }
  base::Error select_error(SelectRequest request) {
    auto hasher = ContextHasher::open(tree.root());
    EXPECT_TRUE(hasher.ok());
    auto s = hasher->select(tree.context(), request);
    EXPECT_FALSE(s.ok());
    return s.ok() ? base::Error{} : s.error();
  }
  static std::vector<std::string> paths(const Selection& s) {
    std::vector<std::string> out;
    for (const auto& e : s.entries) out.push_back(e.path);
    return out;
  }

  TestTree tree;
};

TEST_F(SelectionTest, FileSourceRecordsTypeModeSizeAndContent) {
  tree.write("a.txt", "hello", 0640);
  Selection s = select({"a.txt"});
  ASSERT_EQ(s.entries.size(), 1u);
  const SelectedEntry& e = s.entries[0];
  EXPECT_EQ(e.path, "a.txt");
  EXPECT_EQ(e.type, FileType::regular);
  EXPECT_EQ(e.mode, 0640u);
  EXPECT_EQ(e.size, 5u);
  EXPECT_EQ(e.content, base::Sha256::of("hello"));
  EXPECT_EQ(s.digest, selection_digest(s.entries));
  EXPECT_EQ(s.digest.algorithm(), "sha256");
}

TEST_F(SelectionTest, SourceSpellingsNameTheSameFile) {
  tree.write("dir/a.txt", "x");
  EXPECT_EQ(select({"dir/a.txt"}), select({"/dir/a.txt"}));
  EXPECT_EQ(select({"dir/a.txt"}), select({"./dir/../dir/a.txt"}));
  EXPECT_EQ(select({"dir"}), select({"dir/"}));
}

TEST_F(SelectionTest, FileOutsideTheSelectionDoesNotChangeTheDigest) {
  tree.write("src/main.c", "int main;");
  tree.write("README.md", "one");
  Selection before = select({"src"});
  tree.write("README.md", "two, longer");
  tree.write("other/new.txt", "new");
  EXPECT_EQ(select({"src"}).digest, before.digest);
}

TEST_F(SelectionTest, MtimeAloneDoesNotChangeTheDigest) {
  tree.write("src/main.c", "int main;");
  Selection before = select({"src"});
  tree.set_mtime("src/main.c", 1'000'000'000);
  tree.set_mtime("src", 1'000'000'000);
  EXPECT_EQ(select({"src"}).digest, before.digest);
}

TEST_F(SelectionTest, ContentModeAndLinkTargetChangeTheDigest) {
  tree.write("src/main.c", "int main;");
  tree.write("src/run.sh", "echo", 0644);
  tree.symlink("src/link", "main.c");
  Selection s0 = select({"src"});

  tree.write("src/main.c", "int mainX");  // same size
  Selection s1 = select({"src"});
  EXPECT_NE(s1.digest, s0.digest);

  tree.chmod("src/run.sh", 0755);
  Selection s2 = select({"src"});
  EXPECT_NE(s2.digest, s1.digest);

  tree.symlink("src/link", "run.sh");
  Selection s3 = select({"src"});
  EXPECT_NE(s3.digest, s2.digest);

  tree.chmod("src", 0700);
  EXPECT_NE(select({"src"}).digest, s3.digest);
}

TEST_F(SelectionTest, DirectorySourceIsWalkedDepthFirstByName) {
  tree.write("src/a.b", "1");
  tree.write("src/a/x", "2");
  tree.write("src/a/y/z", "3");
  tree.write("src/b", "4");
  Selection s = select({"src"});
  EXPECT_EQ(paths(s), (std::vector<std::string>{"src", "src/a", "src/a/x", "src/a/y",
                                                "src/a/y/z", "src/a.b", "src/b"}));
  EXPECT_EQ(s.entries[0].type, FileType::directory);
  EXPECT_EQ(s.entries[0].size, 0u);
  EXPECT_TRUE(s.entries[0].content.empty());
}

TEST_F(SelectionTest, ContextRootHasNoEntryOfItsOwn) {
  tree.write("a", "1");
  tree.write("d/b", "2");
  EXPECT_EQ(paths(select({"."})), (std::vector<std::string>{"a", "d", "d/b"}));
  EXPECT_EQ(select({"."}), select({"/"}));
}

TEST_F(SelectionTest, SeveralSourcesAreMergedWithoutDuplicates) {
  tree.write("b.txt", "b");
  tree.write("a.txt", "a");
  tree.write("d/c.txt", "c");
  Selection s = select({"b.txt", "d", "a.txt", "d/c.txt"});
  EXPECT_EQ(paths(s), (std::vector<std::string>{"a.txt", "b.txt", "d", "d/c.txt"}));
}

TEST_F(SelectionTest, DockerignoreExcludesWithExceptions) {
  tree.write("src/a.c", "a");
  tree.write("src/b.log", "b");
  tree.write("src/keep.log", "k");
  tree.write("top.log", "t");
  SelectRequest r;
  r.sources = {"."};
  r.ignore_patterns = {"**/*.log", "!src/keep.log"};
  EXPECT_EQ(paths(select(r)), (std::vector<std::string>{"src", "src/a.c", "src/keep.log"}));
}

TEST_F(SelectionTest, IgnoredDirectoryReappearsForAReincludedChild) {
  tree.write("build/out.txt", "o");
  tree.write("build/tmp.o", "t");
  tree.write("build/deep/x.o", "x");
  tree.write("main.c", "m");
  SelectRequest r;
  r.sources = {"."};
  r.ignore_patterns = {"build", "!build/out.txt"};
  EXPECT_EQ(paths(select(r)), (std::vector<std::string>{"build", "build/out.txt", "main.c"}));

  r.ignore_patterns = {"build"};
  EXPECT_EQ(paths(select(r)), (std::vector<std::string>{"main.c"}));
}

// Subdirectories are walked as parallel tasks; the result must still be
// the depth-first walk, with a left-out directory kept exactly when
// something below it is selected, however deep.
TEST_F(SelectionTest, WideAndDeepTreeIsWalkedInPathOrder) {
  std::vector<std::string> expected;
  for (int d = 0; d < 24; ++d) {
    const std::string dir = "d" + std::to_string(d);
    expected.push_back(dir);
    for (int s = 0; s < 3; ++s) {
      const std::string sub = dir + "/s" + std::to_string(s);
      expected.push_back(sub);
      for (int f = 0; f < 4; ++f) {
        tree.write(sub + "/f" + std::to_string(f), sub);
        expected.push_back(sub + "/f" + std::to_string(f));
      }
    }
  }
  tree.write("skip/a/b/c/keep.txt", "k");
  tree.write("skip/a/b/c/drop.txt", "d");
  tree.write("skip/a/other/x", "x");
  tree.mkdir("skip/empty/deeper");
  tree.write("zz", "z");
  std::sort(expected.begin(), expected.end(), path_less);
  for (const char* p : {"skip", "skip/a", "skip/a/b", "skip/a/b/c", "skip/a/b/c/keep.txt", "zz"})
    expected.push_back(p);
  SelectRequest r;
  r.sources = {"."};
  r.ignore_patterns = {"skip", "!skip/a/b/c/keep.txt"};
  EXPECT_EQ(paths(select(r)), expected);
}

TEST_F(SelectionTest, IgnoredFilesDoNotAffectTheDigest) {
  tree.write("src/a.c", "a");
  tree.write("src/cache.tmp", "1");
  SelectRequest r;
  r.sources = {"src"};
  r.ignore_patterns = {"*/*.tmp"};
  Selection before = select(r);
  tree.write("src/cache.tmp", "2, changed");
  tree.write("src/more.tmp", "3");
  EXPECT_EQ(select(r).digest, before.digest);
}

TEST_F(SelectionTest, IgnoredSourceIsNotFound) {
  tree.write("secret.txt", "s");
  SelectRequest r;
  r.sources = {"secret.txt"};
  r.ignore_patterns = {"secret.txt"};
  base::Error e = select_error(r);
  EXPECT_NE(e.message.find("\"secret.txt\": not found"), std::string::npos) << e.message;
  EXPECT_NE(e.hint.find(".dockerignore"), std::string::npos);
}

TEST_F(SelectionTest, ExcludePatternsAreRelativeToTheSource) {
  tree.write("src/README.md", "r");
  tree.write("src/main.c", "m");
  tree.write("src/docs/guide.md", "g");
  tree.write("src/gen/out.c", "o");
  SelectRequest r;
  r.sources = {"src"};
  r.exclude_patterns = {"*.md", "gen"};
  EXPECT_EQ(paths(select(r)),
            (std::vector<std::string>{"src", "src/docs", "src/docs/guide.md", "src/main.c"}));

  r.exclude_patterns = {"**/*.md"};
  EXPECT_EQ(paths(select(r)),
            (std::vector<std::string>{"src", "src/docs", "src/gen", "src/gen/out.c", "src/main.c"}));
}

TEST_F(SelectionTest, ExcludeWithExceptionKeepsTheParentDirectory) {
  tree.write("src/gen/keep.c", "k");
  tree.write("src/gen/drop.c", "d");
  SelectRequest r;
  r.sources = {"src"};
  r.exclude_patterns = {"gen", "!gen/keep.c"};
  EXPECT_EQ(paths(select(r)), (std::vector<std::string>{"src", "src/gen", "src/gen/keep.c"}));
}

TEST_F(SelectionTest, ExcludedFileChangesDoNotAffectTheDigest) {
  tree.write("src/main.c", "m");
  tree.write("src/notes.md", "1");
  SelectRequest r;
  r.sources = {"src"};
  r.exclude_patterns = {"*.md"};
  Selection before = select(r);
  tree.write("src/notes.md", "2 changed");
  EXPECT_EQ(select(r).digest, before.digest);
}

TEST_F(SelectionTest, WildcardsFollowGoFilepathMatch) {
  tree.write("src/a.c", "a");
  tree.write("src/b.c", "b");
  tree.write("src/c.h", "c");
  tree.write("src/sub/d.c", "d");
  tree.write("lib/e.c", "e");
  EXPECT_EQ(paths(select({"src/*.c"})), (std::vector<std::string>{"src/a.c", "src/b.c"}));
  EXPECT_EQ(paths(select({"*/*.c"})), (std::vector<std::string>{"lib/e.c", "src/a.c", "src/b.c"}));
  EXPECT_EQ(paths(select({"src/[ab].?"})), (std::vector<std::string>{"src/a.c", "src/b.c"}));
  EXPECT_EQ(paths(select({"s*"})), (std::vector<std::string>{"src", "src/a.c", "src/b.c", "src/c.h",
                                                              "src/sub", "src/sub/d.c"}));
}

TEST_F(SelectionTest, WildcardMatchesChangeWithTheContext) {
  tree.write("a.txt", "a");
  Selection before = select({"*.txt"});
  tree.write("b.txt", "b");
  Selection after = select({"*.txt"});
  EXPECT_NE(after.digest, before.digest);
  tree.write("c.md", "c");
  EXPECT_EQ(select({"*.txt"}).digest, after.digest);
}

TEST_F(SelectionTest, WildcardMatchingNothing) {
  tree.write("a.txt", "a");
  EXPECT_TRUE(select({"*.none"}).entries.empty());
  SelectRequest r;
  r.sources = {"*.none"};
  r.allow_empty_wildcard = false;
  EXPECT_NE(select_error(r).message.find("*.none"), std::string::npos);
}

TEST_F(SelectionTest, WildcardsRespectDockerignore) {
  tree.write("a.txt", "a");
  tree.write("b.txt", "b");
  SelectRequest r;
  r.sources = {"*.txt"};
  r.ignore_patterns = {"b.txt"};
  EXPECT_EQ(paths(select(r)), (std::vector<std::string>{"a.txt"}));
}

TEST_F(SelectionTest, WildcardDisabledTakesTheNameLiterally) {
  tree.write("a*.txt", "literal");
  tree.write("ab.txt", "b");
  SelectRequest r;
  r.sources = {"a*.txt"};
  r.allow_wildcard = false;
  EXPECT_EQ(paths(select(r)), (std::vector<std::string>{"a*.txt"}));
}

TEST_F(SelectionTest, MissingSourceIsAnErrorNamingIt) {
  tree.write("a.txt", "a");
  SelectRequest r;
  r.sources = {"a.txt", "missing/file.c"};
  base::Error e = select_error(r);
  EXPECT_NE(e.message.find("missing/file.c"), std::string::npos) << e.message;
}

TEST_F(SelectionTest, SymlinkPointingOutsideIsRecordedNotFollowed) {
  tree.write("src/a.c", "a");
  tree.symlink("src/passwd", "/etc/passwd");
  tree.symlink("src/up", "../../../../outside");
  Selection s = select({"src"});
  ASSERT_EQ(paths(s), (std::vector<std::string>{"src", "src/a.c", "src/passwd", "src/up"}));
  const SelectedEntry& link = s.entries[2];
  EXPECT_EQ(link.type, FileType::symlink);
  EXPECT_EQ(link.link_target, "/etc/passwd");
  EXPECT_EQ(link.size, std::string("/etc/passwd").size());
  EXPECT_TRUE(link.content.empty());
  EXPECT_EQ(s.entries[3].link_target, "../../../../outside");

  // As a source it is the link itself, unless links are followed.
  Selection as_source = select({"src/passwd"});
  ASSERT_EQ(as_source.entries.size(), 1u);
  EXPECT_EQ(as_source.entries[0].type, FileType::symlink);
}

TEST_F(SelectionTest, FollowedSourceLinkResolvesInsideTheContext) {
  tree.write("etc/passwd", "inside");
  tree.symlink("link", "/etc/passwd");
  tree.symlink("dangling", "/nowhere/at/all");
  SelectRequest r;
  r.sources = {"link"};
  r.follow_symlinks = true;
  Selection s = select(r);
  ASSERT_EQ(s.entries.size(), 1u);
  EXPECT_EQ(s.entries[0].path, "etc/passwd");
  EXPECT_EQ(s.entries[0].content, base::Sha256::of("inside"));

  r.sources = {"dangling"};
  EXPECT_NE(select_error(r).message.find("dangling"), std::string::npos);
}

TEST_F(SelectionTest, SymlinkedDirectoryInASourcePathIsResolvedInRoot) {
  tree.write("real/f.txt", "f");
  tree.symlink("alias", "real");
  Selection s = select({"alias/f.txt"});
  ASSERT_EQ(s.entries.size(), 1u);
  EXPECT_EQ(s.entries[0].path, "real/f.txt");
}

TEST_F(SelectionTest, InvalidPatternsAreErrors) {
  tree.write("a", "a");
  SelectRequest r;
  r.sources = {"a"};
  r.exclude_patterns = {"["};
  EXPECT_NE(select_error(r).message.find("--exclude"), std::string::npos);
}

TEST_F(SelectionTest, MissingContextIsAnError) {
  auto hasher = ContextHasher::open(tree.root());
  ASSERT_TRUE(hasher.ok());
  SelectRequest r;
  r.sources = {"."};
  auto s = hasher->select(tree.context() + "/nope", r);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("nope"), std::string::npos);
}

TEST_F(SelectionTest, ExplainsRealChanges) {
  tree.write("src/main.c", "one");
  tree.write("src/run.sh", "echo", 0644);
  tree.write("src/old.txt", "old");
  tree.symlink("src/link", "a");
  Selection before = select({"src"});
  tree.write("src/main.c", "two");
  tree.chmod("src/run.sh", 0755);
  tree.remove("src/old.txt");
  tree.write("src/new.c", "new");
  tree.symlink("src/link", "b");
  tree.set_mtime("src/main.c", 1'500'000'000);
  Selection after = select({"src"});
  EXPECT_EQ(explain_selection_change(before, after),
            (std::vector<std::string>{"src/link: target changed a -> b", "src/main.c: content changed",
                                      "src/new.c: added", "src/old.txt: removed",
                                      "src/run.sh: mode changed 0644 -> 0755"}));
}

TEST_F(SelectionTest, FileReplacedByDirectory) {
  tree.write("src/x", "file");
  Selection before = select({"src"});
  tree.remove("src/x");
  tree.write("src/x/inner", "i");
  Selection after = select({"src"});
  EXPECT_NE(after.digest, before.digest);
  EXPECT_EQ(paths(after), (std::vector<std::string>{"src", "src/x", "src/x/inner"}));
  EXPECT_EQ(after.entries[1].type, FileType::directory);
}

// The digest is cut into blocks by position: the same entries give the same
// digest on one thread or many, and a change in any block, or an entry moving
// across a block boundary, changes it.
TEST(SelectionDigest, BlockwiseDigestIsPositionalAndThreadIndependent) {
  std::vector<SelectedEntry> entries;
  for (size_t i = 0; i < 3 * k_selection_block + 7; ++i) {
    SelectedEntry e;
    e.path = "f" + std::to_string(100000 + i);
    e.mode = 0644;
    e.size = i;
    e.content = base::Sha256::of(e.path);
    entries.push_back(e);
  }
  const base::Digest parallel = selection_digest(entries);
  {
    tbb::global_control one(tbb::global_control::max_allowed_parallelism, 1);
    EXPECT_EQ(selection_digest(entries), parallel);
  }
  auto changed = entries;
  changed[2 * k_selection_block + 3].mode = 0755;
  EXPECT_NE(selection_digest(changed), parallel);
  // Two blocks' worth of entries in one list, and the same entries split
  // differently across lists, never collide.
  auto shorter = entries;
  shorter.pop_back();
  EXPECT_NE(selection_digest(shorter), parallel);
  std::vector<SelectedEntry> empty;
  EXPECT_NE(selection_digest(empty), selection_digest({entries.front()}));
}

TEST_F(SelectionTest, ConcurrentHashersAgree) {
  for (int i = 0; i < 200; ++i) {
    tree.write("d" + std::to_string(i % 7) + "/f" + std::to_string(i), std::to_string(i));
  }
  SelectRequest r;
  r.sources = {"."};
  std::vector<Selection> results(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      auto hasher = ContextHasher::open(tree.root());
      if (!hasher.ok()) return;
      auto s = hasher->select(tree.context(), r);
      if (s.ok()) results[t] = *s;
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& s : results) {
    EXPECT_EQ(s.entries.size(), 207u);
    EXPECT_EQ(s, results[0]);
  }
}

TEST_F(SelectionTest, IncludePatternsSelectBelowTheSource) {
  tree.write("x/a.txt", "xa");
  tree.write("y/a.txt", "ya");
  tree.write("y/b.md", "yb");
  tree.write("z/c.txt", "zc");
  SelectRequest r;
  r.sources = {"."};
  r.include_patterns = {"*/a.txt"};
  EXPECT_EQ(paths(select(r)), (std::vector<std::string>{"x", "x/a.txt", "y", "y/a.txt"}));
  r.include_patterns = {"**/*.txt"};
  EXPECT_EQ(paths(select(r)),
            (std::vector<std::string>{"x", "x/a.txt", "y", "y/a.txt", "z", "z/c.txt"}));
  r.include_patterns = {"y"};
  EXPECT_EQ(paths(select(r)), (std::vector<std::string>{"y", "y/a.txt", "y/b.md"}));
}

TEST_F(SelectionTest, RequiredPathsMustExist) {
  tree.write("x/a.txt", "xa");
  SelectRequest r;
  r.sources = {"."};
  r.include_patterns = {"x/a.txt"};
  r.required_paths = {"x/a.txt"};
  EXPECT_EQ(paths(select(r)), (std::vector<std::string>{"x", "x/a.txt"}));
  r.required_paths = {"x/missing.txt"};
  EXPECT_NE(select_error(r).message.find("x/missing.txt"), std::string::npos);
}

TEST(IncludeMayMatchBelow, PrunesOnlyHopelessDirectories) {
  auto m = frontend::ignore::PatternMatcher::create({"src/*/a.c", "!src/skip"});
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(include_may_match_below(*m, "src"));
  EXPECT_TRUE(include_may_match_below(*m, "src/x"));
  EXPECT_FALSE(include_may_match_below(*m, "src/x/deeper"));
  EXPECT_TRUE(include_may_match_below(*m, "src/x/a.c/below"));  // matched as a directory
  EXPECT_FALSE(include_may_match_below(*m, "lib"));
  auto any = frontend::ignore::PatternMatcher::create({"**/a.c"});
  ASSERT_TRUE(any.ok());
  EXPECT_TRUE(include_may_match_below(*any, "lib/deep"));
}

TEST_F(SelectionTest, RequestForCopyCarriesTheCopyOptions) {
  tree.write("src/a.c", "a");
  tree.write("src/a.md", "m");
  ir::Copy copy;
  copy.src = "/src";
  copy.exclude_patterns = {"*.md"};
  copy.follow_symlinks = true;
  copy.allow_wildcard = true;
  copy.allow_empty_wildcard = true;
  SelectRequest r = request_for_copy(copy, {"x"});
  EXPECT_EQ(r.sources, (std::vector<std::string>{"/src"}));
  EXPECT_EQ(r.ignore_patterns, (std::vector<std::string>{"x"}));
  EXPECT_TRUE(r.follow_symlinks);
  EXPECT_EQ(paths(select(r)), (std::vector<std::string>{"src", "src/a.c"}));
}

TEST(PathOrder, DepthFirstByName) {
  std::vector<std::string> v = {"a.b", "a/x", "a", "b", ".", "a/x/y", "a-"};
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return path_less(a, b); });
  EXPECT_EQ(v, (std::vector<std::string>{".", "a", "a/x", "a/x/y", "a-", "a.b", "b"}));
}

}  // namespace
}  // namespace solver::ops::context
