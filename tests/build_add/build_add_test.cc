// ADD <url>, filesystem outputs and named contexts as a user runs them: a
// context directory, a Dockerfile, a fresh kiln root per test, and for ADD
// a server on 127.0.0.1.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "base/digest.h"
#include "solver/ops/http/testing/test_server.h"
#include "tests/cli/run_kiln.h"
#include "tests/cli/test_files.h"

namespace {

namespace fs = std::filesystem;
using solver::ops::http::testing::Request;
using solver::ops::http::testing::Response;
using solver::ops::http::testing::TestServer;

using tests::read;
using tests::TempDir;
using tests::write;

struct stat stat_of(const std::string& path) {
  struct stat st {};
  ::lstat(path.c_str(), &st);
  return st;
}

class BuildAdd : public ::testing::Test {
 protected:
  void SetUp() override {
    root = store.path() + "/root";
    ctx = work.path() + "/ctx";
    out = work.path() + "/out";
    fs::create_directories(ctx);
  }
  tests::KilnRun build(std::vector<std::string> extra) {
    std::vector<std::string> args{"build", "--progress=plain"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(ctx);
    args.push_back("--root");
    args.push_back(root);
    return tests::run_kiln(args);
  }

  TempDir store, work;
  std::string root, ctx, out;
};

// A server for one file, with an ETag that changes with the body.
struct FileServer {
  std::string body = "downloaded\n";
  std::atomic<int> full_responses{0};
  TestServer server{[this](const Request& req) {
    if (req.path != "/files/tool.txt") return Response{404, {}, "not found"};
    std::string etag = "\"" + base::Sha256::of(body).hex().substr(0, 12) + "\"";
    auto inm = req.headers.find("if-none-match");
    if (inm != req.headers.end() && inm->second == etag) return Response{304, {{"ETag", etag}}, ""};
    ++full_responses;
    return Response{200, {{"ETag", etag}, {"Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"}}, body};
  }};
};

TEST_F(BuildAdd, AddUrlWritesTheFileAsBuildKitDoes) {
  FileServer files;
  std::string url = files.server.url("/files/tool.txt");
  write(ctx + "/Dockerfile", "FROM scratch\nADD " + url + " /x\nADD " + url + " /dir/\n");
  auto r = build({"-o", "type=local,dest=" + out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read(out + "/x"), "downloaded\n");
  EXPECT_EQ(read(out + "/dir/tool.txt"), "downloaded\n");
  struct stat st = stat_of(out + "/x");
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1445412480);

  // Unchanged: the server answers 304 and every step is cached.
  int before = files.full_responses.load();
  auto again = build({"-t", "app"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(files.full_responses.load(), before);
  EXPECT_NE(again.err.find("#2 CACHED"), std::string::npos) << again.err;

  // Changed content: the ADD steps run again and say why.
  files.body = "version two\n";
  auto changed = build({"--explain-cache", "-o", "type=local,dest=" + out});
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_EQ(read(out + "/x"), "version two\n");
  EXPECT_NE(changed.err.find("content of " + url + " changed"), std::string::npos) << changed.err;
}

TEST_F(BuildAdd, AddUrlChecksumMatchAndMismatch) {
  FileServer files;
  std::string url = files.server.url("/files/tool.txt");
  std::string good = base::Sha256::of("downloaded\n").str();
  write(ctx + "/Dockerfile", "FROM scratch\nADD --checksum=" + good + " " + url + " /x\n");
  auto r = build({"-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read(out + "/x"), "downloaded\n");

  std::string bad = base::Sha256::of("other").str();
  write(ctx + "/Dockerfile", "FROM scratch\nADD --checksum=" + bad + " " + url + " /x\n");
  auto failed = build({});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_NE(failed.err.find("checksum mismatch"), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find(bad), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find(good), std::string::npos) << failed.err;
}

TEST_F(BuildAdd, AddUrlNotFoundFailsWithTheStatus) {
  FileServer files;
  write(ctx + "/Dockerfile", "FROM scratch\nADD " + files.server.url("/nope.txt") + " /x\n");
  auto r = build({});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("invalid response status 404"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ADD " + files.server.url("/nope.txt")), std::string::npos) << r.err;
}

TEST_F(BuildAdd, LocalOutputKeepsModesLinksAndMergesIntoTheDirectory) {
  write(ctx + "/Dockerfile",
        "FROM scratch\nCOPY app/ /app/\nCOPY --chmod=750 run.sh /bin/run\n");
  write(ctx + "/app/a.txt", "a\n");
  fs::create_symlink("a.txt", ctx + "/app/link");
  write(ctx + "/run.sh", "#!/bin/sh\n");
  write(out + "/keep.txt", "mine\n");
  write(out + "/app/a.txt", "old\n");
  auto r = build({"-o", "type=local,dest=" + out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read(out + "/app/a.txt"), "a\n");
  EXPECT_EQ(read(out + "/keep.txt"), "mine\n");
  EXPECT_TRUE(fs::is_symlink(out + "/app/link"));
  EXPECT_EQ(fs::read_symlink(out + "/app/link"), "a.txt");
  EXPECT_EQ(stat_of(out + "/bin/run").st_mode & 07777, 0750u);
}

TEST_F(BuildAdd, TarOutputToAFileAndToStandardOutput) {
  write(ctx + "/Dockerfile", "FROM scratch\nCOPY a.txt /d/a.txt\n");
  write(ctx + "/a.txt", "a\n");
  std::string tar = work.path() + "/fs.tar";
  auto r = build({"-o", "type=tar,dest=" + tar});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string listing = work.path() + "/list.txt";
  ASSERT_EQ(std::system(("tar -tf " + tar + " > " + listing).c_str()), 0);
  std::string names = read(listing);
  EXPECT_NE(names.find("d/a.txt"), std::string::npos) << names;

  auto piped = build({"-o", "-"});
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_NE(piped.out.find("d/a.txt"), std::string::npos);
  EXPECT_NE(piped.out.find("a\n"), std::string::npos);
  EXPECT_EQ(piped.out.size() % 512, 0u);
}

TEST_F(BuildAdd, EmptyFilesystemOutputs) {
  write(ctx + "/Dockerfile", "FROM scratch\nENV A=1\n");
  auto r = build({"-o", "type=local,dest=" + out, "-o", "type=tar,dest=" + work.path() + "/e.tar"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::is_directory(out));
  EXPECT_TRUE(fs::is_empty(out));
  EXPECT_TRUE(fs::exists(work.path() + "/e.tar"));
}

TEST_F(BuildAdd, NamedContextForCopyFromAndFrom) {
  std::string assets = work.path() + "/assets";
  write(assets + "/img/logo.svg", "<svg/>\n");
  write(assets + "/img/debug.log", "noise\n");
  write(assets + "/.dockerignore", "**/*.log\n");
  write(ctx + "/Dockerfile",
        "FROM alpine:3.19 AS base\n"
        "FROM base\n"
        "COPY --from=assets /img /site/img\n"
        "COPY local.txt /site/\n");
  write(ctx + "/local.txt", "l\n");
  // `base` is replaced by a directory: alpine is never looked up.
  std::string basedir = work.path() + "/rootfs";
  write(basedir + "/etc/os-release", "kiln-test\n");
  auto r = build({"--build-context", "assets=" + assets, "--build-context", "base=" + basedir, "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read(out + "/site/img/logo.svg"), "<svg/>\n");
  EXPECT_FALSE(fs::exists(out + "/site/img/debug.log"));
  EXPECT_EQ(read(out + "/etc/os-release"), "kiln-test\n");
  EXPECT_EQ(read(out + "/site/local.txt"), "l\n");
}

TEST_F(BuildAdd, NamedContextReplacesAnImage) {
  std::string basedir = work.path() + "/rootfs";
  write(basedir + "/hello", "hi\n");
  write(ctx + "/Dockerfile", "FROM docker.io/library/busybox:latest\nCOPY x /x\n");
  write(ctx + "/x", "x\n");
  auto r = build({"--build-context", "busybox=" + basedir, "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read(out + "/hello"), "hi\n");
  EXPECT_EQ(read(out + "/x"), "x\n");
}

TEST_F(BuildAdd, UnsupportedNamedContextFormsAreUsageErrors) {
  write(ctx + "/Dockerfile", "FROM scratch\n");
  auto image = build({"--build-context", "base=docker-image://alpine:3.19"});
  EXPECT_EQ(image.exit_code, 2);
  EXPECT_NE(image.err.find("docker-image:// contexts are not supported"), std::string::npos) << image.err;
  auto missing = build({"--build-context", "base=" + work.path() + "/nowhere"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("is not a directory"), std::string::npos) << missing.err;
  auto reserved = build({"--build-context", "context=" + ctx});
  EXPECT_EQ(reserved.exit_code, 2);
}

}  // namespace
