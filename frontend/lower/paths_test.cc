#include "frontend/lower/paths.h"

#include <gtest/gtest.h>

#include "frontend/lower/git_ref.h"

namespace frontend::lower {
namespace {

TEST(Paths, CleanAndJoinLikeGo) {
  EXPECT_EQ(clean_path(""), ".");
  EXPECT_EQ(clean_path("/a//b/./c/.."), "/a/b");
  EXPECT_EQ(clean_path("/.."), "/");
  EXPECT_EQ(clean_path("a/../../b"), "../b");
  EXPECT_EQ(join_path("/w", "x/y"), "/w/x/y");
  EXPECT_EQ(join_path("/w", "/abs"), "/w/abs");
  EXPECT_EQ(join_path("/w", ""), "/w");
}

TEST(Paths, DestinationsKeepTheirTrailingSlash) {
  EXPECT_EQ(resolve_keep_slash("/app", "."), "/app/");
  EXPECT_EQ(resolve_keep_slash("/app", ""), "/app/");
  EXPECT_EQ(resolve_keep_slash("/app", "bin/"), "/app/bin/");
  EXPECT_EQ(resolve_keep_slash("/app", "bin"), "/app/bin");
  EXPECT_EQ(resolve_keep_slash("/", "/usr//bin/"), "/usr/bin/");
  EXPECT_EQ(resolve_keep_slash("/app", "/x/."), "/x/.");
  EXPECT_EQ(resolve_keep_slash("/", "/"), "/");
}

TEST(GitRefs, RecognizedForms) {
  auto git = [](std::string_view s) { return *parse_git_ref(s); };
  EXPECT_FALSE(git("src/app"));
  EXPECT_FALSE(git("https://example.com/file.tar.gz"));
  EXPECT_FALSE(git("github.com/o/r"));  // indistinguishable from a local path
  auto a = git("https://github.com/o/r.git#v1.2:sub/dir");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->remote, "https://github.com/o/r.git");
  EXPECT_EQ(a->ref, "v1.2");
  EXPECT_EQ(a->subdir, "sub/dir");
  auto b = git("git@github.com:o/r.git#main");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->remote, "git@github.com:o/r.git");
  EXPECT_EQ(b->ref, "main");
  auto c = git("https://github.com/o/r.git?tag=v1&keep-git-dir=true&subdir=x");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ref, "refs/tags/v1");
  EXPECT_EQ(c->subdir, "x");
  EXPECT_EQ(c->keep_git_dir, true);
  EXPECT_FALSE(parse_git_ref("https://github.com/o/r.git?tag=a&branch=b").ok());
  EXPECT_FALSE(parse_git_ref("https://github.com/o/r.git?what=1").ok());
  EXPECT_TRUE(is_http_source("https://example.com/a.tgz"));
  EXPECT_FALSE(is_http_source("https://github.com/o/r.git"));
}

}  // namespace
}  // namespace frontend::lower
