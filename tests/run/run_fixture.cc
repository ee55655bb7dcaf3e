#include "tests/run/run_fixture.h"

#include <cstdlib>

namespace tests {

namespace fs = std::filesystem;

std::string& RunTest::root() {
  static std::string value;
  return value;
}

std::string& RunTest::skip_reason() {
  static std::string value;
  return value;
}

void RunTest::SetUpTestSuite() {
  if (::geteuid() != 0) {
    skip_reason() = "RUN needs root (namespaces, overlay mounts)";
    return;
  }
  if (::access("/bin/busybox", X_OK) != 0) {
    skip_reason() = "/bin/busybox missing (apt-get install busybox-static)";
    return;
  }
  char tmpl[] = "/tmp/kiln-run-test-XXXXXX";
  std::string base = ::mkdtemp(tmpl);
  root() = base + "/root";
  std::string prepare = source_path("examples/busybox/prepare-context") + " " + base + "/busybox";
  ASSERT_EQ(std::system(prepare.c_str()), 0) << prepare;
  KilnRun made = run_kiln({"build", "-q", "-t", "busybox:latest", "--root", root(), base + "/busybox"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
}

void RunTest::TearDownTestSuite() {
  if (root().empty()) return;
  std::error_code ec;
  fs::remove_all(fs::path(root()).parent_path(), ec);
  root().clear();
}

void RunTest::SetUp() {
  if (!skip_reason().empty()) GTEST_SKIP() << skip_reason();
  ctx = work.path() + "/ctx";
  fs::create_directories(ctx);
}

KilnRun RunTest::kiln(std::vector<std::string> args, const std::string& stdin_data) {
  // Right after the command name: everything after IMAGE in `kiln run` is
  // the image's command.
  args.insert(args.begin() + 1, {"--root", root()});
  return run_kiln(args, stdin_data);
}

KilnRun RunTest::build(const std::string& dockerfile, std::vector<std::string> extra) {
  write(ctx + "/Dockerfile", dockerfile);
  std::vector<std::string> args{"build", "--progress=plain"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(ctx);
  return kiln(args);
}

std::string RunTest::build_to_dir(const std::string& dockerfile, std::vector<std::string> extra) {
  std::string out = work.path() + "/out";
  std::error_code ec;
  fs::remove_all(out, ec);
  extra.push_back("-o");
  extra.push_back("type=local,dest=" + out);
  KilnRun r = build(dockerfile, extra);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return out;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace tests
