// Build checks (`# check=`), stage-less files, error positions and the
// expander settings the lowering borrows from BuildKit.
#include "frontend/lower/lower_test_util.h"

namespace frontend::lower::testing {
namespace {

TEST(Checks, OnlyArgsFailsAtTheFirstArg) {
  auto r = lower_text("\nARG A=1\nARG B\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "dockerfile contains no stages to build");
  ASSERT_TRUE(r.error().pos.has_value());
  EXPECT_EQ(r.error().pos->line, 2);
  EXPECT_EQ(r.error().pos->line_text, "ARG A=1");
  EXPECT_FALSE(r.error().hint.empty());
}

TEST(Checks, ErrorTrueFailsWithTheWarningsListed) {
  auto r = lower_text("# check=error=true\nFROM alpine as Build\nRUN x\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "lint violation found for rules: FromAsCasing, StageNameCasing");
  EXPECT_NE(r.error().hint.find("Dockerfile:2: StageNameCasing: Stage name 'Build' should be lowercase"),
            std::string::npos);
}

TEST(Checks, SkippedRulesDoNotFail) {
  EXPECT_TRUE(lower_text("# check=skip=FromAsCasing,StageNameCasing;error=true\nFROM alpine as Build\n").ok());
  EXPECT_TRUE(lower_text("# check=skip=all;error=true\nFROM alpine as Build\n").ok());
  EXPECT_TRUE(lower_text("# check=error=false\nFROM alpine as Build\n").ok());
  EXPECT_TRUE(lower_text("FROM alpine as Build\n").ok());
  // Rule names match exactly.
  EXPECT_FALSE(lower_text("# check=skip=fromascasing;error=true\nFROM alpine as build\n").ok());
}

TEST(Checks, BuildArgReplacesTheDirective) {
  auto opt = amd64();
  opt.build_args = {{"BUILDKIT_DOCKERFILE_CHECK", "error=true"}};
  auto r = lower_text("# check=skip=all\nFROM alpine as b\n", opt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "lint violation found for rules: FromAsCasing");
  opt.build_args = {{"BUILDKIT_DOCKERFILE_CHECK", "skip=all"}};
  EXPECT_TRUE(lower_text("# check=error=true\nFROM alpine as b\n", opt).ok());
  opt.build_args = {{"BUILDKIT_DOCKERFILE_CHECK", "bogus"}};
  EXPECT_EQ(fails("FROM alpine\n", opt), "failed to parse BUILDKIT_DOCKERFILE_CHECK: invalid check option \"bogus\"");
}

TEST(Checks, EmptyContinuationCounts) {
  auto r = lower_text("# check=error=true\nFROM alpine\nRUN a \\\n\n  b\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "lint violation found for rules: NoEmptyContinuation");
}

TEST(Positions, ErrorsQuoteThePhysicalLine) {
  auto r = lower_text("FROM alpine\nRUN a && \\\n  b\nWORKDIR $NOPE\n");
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.error().pos.has_value());
  EXPECT_EQ(r.error().pos->line, 4);
  EXPECT_EQ(r.error().pos->line_text, "WORKDIR $NOPE");
}

TEST(KeepGitDir, FlagAndUrlMustAgree) {
  EXPECT_EQ(lower_text("FROM alpine\nADD --keep-git-dir=false https://github.com/o/r.git?keep-git-dir=true /x\n")
                .error()
                .message,
            "inconsistent keep-git-dir configuration");
  EXPECT_EQ(lower_text("FROM alpine\nADD --keep-git-dir=true https://github.com/o/r.git?keep-git-dir=false /x\n")
                .error()
                .message,
            "inconsistent keep-git-dir configuration");
  auto def = must("FROM alpine\nADD --keep-git-dir=true https://github.com/o/r.git?keep-git-dir=true /x\n");
  EXPECT_EQ(last<ir::GitSource>(def).keep_git_dir, ir::KeepGitDir::yes);
  auto url_only = must("FROM alpine\nADD https://github.com/o/r.git?keep-git-dir=true /x\n");
  EXPECT_EQ(last<ir::GitSource>(url_only).keep_git_dir, ir::KeepGitDir::yes);
}

TEST(Expansion, HeredocBodyKeepsQuotesAsText) {
  auto def = must("FROM alpine\nARG V=x\nCOPY <<EOF /f\n'$V' \"$V\" \\$V\nEOF\n");
  bool found = false;
  for (const auto* f : all<ir::File>(def))
    for (const auto& a : f->actions)
      if (const auto* mk = std::get_if<ir::Mkfile>(&a)) {
        EXPECT_EQ(mk->data, "'x' \"x\" $V\n");
        found = true;
      }
  EXPECT_TRUE(found);
}

TEST(Expansion, RunDisplayKeepsUnsetReferences) {
  auto def = must("FROM alpine\nARG SET=1\nRUN echo $SET ${UNSET:-d} $UNSET \"q\"\n");
  EXPECT_TRUE(has_name(def, "[2/2] RUN echo 1 ${UNSET:-d} $UNSET \"q\"")) << ::testing::PrintToString(names(def));
}

}  // namespace
}  // namespace frontend::lower::testing
