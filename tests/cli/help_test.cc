// `kiln --help` and `kiln <command> --help` read like docker's CLI.
#include <gtest/gtest.h>

#include "tests/cli/run_kiln.h"

namespace tests {
namespace {

TEST(CliHelp, TopLevelListsCommandsLikeDocker) {
  KilnRun r = run_kiln({"--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Usage:  kiln [OPTIONS] COMMAND"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nCommands:\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  debug "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Run 'kiln COMMAND --help' for more information on a command."),
            std::string::npos) << r.out;
}

TEST(CliHelp, SubcommandHelp) {
  KilnRun r = run_kiln({"debug", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Usage:  kiln debug [OPTIONS] COMMAND"), std::string::npos) << r.out;
}

TEST(CliHelp, UnknownCommandFailsWithMessage) {
  KilnRun r = run_kiln({"frobnicate"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("frobnicate"), std::string::npos) << r.err;
}

TEST(CliHelp, VersionFlag) {
  KilnRun r = run_kiln({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("kiln version "), std::string::npos) << r.out;
}

}  // namespace
}  // namespace tests
