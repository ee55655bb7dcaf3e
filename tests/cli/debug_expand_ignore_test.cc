// `kiln debug expand`, `ignore-match`, `ignore-file` and `parse` as a user
// runs them: output shape, exit codes, errors on stderr.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>

#include "tests/cli/run_kiln.h"

namespace tests {
namespace {

using nlohmann::json;

TEST(DebugExpand, ResultMatchedUnmatched) {
  KilnRun r = run_kiln({"debug", "expand", "--env", "NAME=old", "--env", "NAME=kiln", "--env", "EMPTY=",
                        "--", "${NAME:-x}-${MISSING:-default}-${EMPTY-unset}"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json out = json::parse(r.out);
  EXPECT_EQ(out["result"], "kiln-default-");
  EXPECT_EQ(out["matched"], json({"EMPTY", "NAME"}));
  EXPECT_EQ(out["unmatched"], json({"MISSING"}));
}

TEST(DebugExpand, WordsSplitAfterExpansionAndDropEmptyWords) {
  KilnRun r = run_kiln({"debug", "expand", "--words", "--env", "A=a  b", "--env", "E=", "--",
                        "$A \"c d\" $E"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["words"], json({"a", "b", "c d"}));
}

TEST(DebugExpand, BacktickEscape) {
  KilnRun r = run_kiln({"debug", "expand", "--escape", "`", "--env", "V=x", "--", "`$V$V"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["result"], "$Vx");
}

TEST(DebugExpand, UnsupportedModifierIsAnError) {
  KilnRun r = run_kiln({"debug", "expand", "--", "${a:=x}"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("unsupported modifier (:=)"), std::string::npos) << r.err;
}

TEST(DebugIgnoreMatch, ParentRuleAndExceptions) {
  KilnRun excluded = run_kiln({"debug", "ignore-match", "--pattern", "docs", "--", "docs/a/b"});
  ASSERT_EQ(excluded.exit_code, 0) << excluded.err;
  EXPECT_EQ(excluded.out, "true\n");
  KilnRun kept = run_kiln({"debug", "ignore-match", "--pattern", "**/*.log", "--pattern", "!keep/*.log",
                           "--", "keep/x.log"});
  ASSERT_EQ(kept.exit_code, 0) << kept.err;
  EXPECT_EQ(kept.out, "false\n");
}

TEST(DebugIgnoreMatch, InvalidPatternFails) {
  KilnRun r = run_kiln({"debug", "ignore-match", "--pattern", "[", "--", "a"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("error:"), std::string::npos) << r.err;
}

TEST(DebugIgnoreFile, PrintsCleanedPatterns) {
  char path[] = "/tmp/kiln-ignore-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << "# comment\n\n/a/../b\n  c/./d/  \n!x\n";
  KilnRun r = run_kiln({"debug", "ignore-file", path});
  std::remove(path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out), json({"b", "c/d", "!x"}));
}

TEST(DebugParse, ReadsStdinAndReportsErrorsWithPosition) {
  KilnRun ok = run_kiln({"debug", "parse", "-f", "-"}, "FROM scratch\nCOPY a \\\n  b /\n");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  json doc = json::parse(ok.out);
  EXPECT_EQ(doc["kiln_parse_version"], 1);
  ASSERT_EQ(doc["instructions"].size(), 2u);
  EXPECT_EQ(doc["instructions"][1]["args"], json({"a", "b", "/"}));
  EXPECT_EQ(doc["instructions"][1]["end_line"], 3);

  KilnRun bad = run_kiln({"debug", "parse", "-f", "-"}, "FROM scratch\nRUN <<EOF\necho\n");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find(":2:"), std::string::npos) << bad.err;
}

TEST(DebugParse, RefusesAnOversizedDockerfileWithoutReadingItAll) {
  std::string huge = "FROM scratch\n";
  while (huge.size() < 40u * 1024 * 1024) huge += "RUN echo a line of a generated Dockerfile\n";
  KilnRun run = run_kiln({"debug", "parse", "-f", "-"}, huge);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("<stdin>:1:1: dockerfile is larger than the 8 MiB kiln reads"), std::string::npos)
      << run.err;
  EXPECT_TRUE(run.out.empty());
}

}  // namespace
}  // namespace tests
