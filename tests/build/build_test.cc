// `kiln build` as a user runs it: a context directory, a Dockerfile, a fresh
// kiln root per test. Checks images, caching, --explain-cache, exports
// validated by skopeo and umoci, kiln load/save round trips, reproducible
// builds and exit codes.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/run_kiln.h"
#include "tests/cli/test_files.h"

namespace {

namespace fs = std::filesystem;

using tests::have;
using tests::read;
using tests::TempDir;
using tests::write;

int sh(const std::string& command) { return std::system(command.c_str()); }

class Build : public ::testing::Test {
 protected:
  void SetUp() override {
    root = store.path() + "/root";
    ctx = work.path() + "/ctx";
    fs::create_directories(ctx);
  }
  tests::KilnRun kiln(std::vector<std::string> args) {
    args.push_back("--root");
    args.push_back(root);
    return tests::run_kiln(args);
  }
  tests::KilnRun build(std::vector<std::string> extra, const std::string& context = {}) {
    std::vector<std::string> args{"build", "--progress=plain"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(context.empty() ? ctx : context);
    return kiln(args);
  }
  nlohmann::json inspect(const std::string& name) {
    auto r = kiln({"inspect", name});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  }

  TempDir store, work;
  std::string root, ctx;
};

TEST_F(Build, ScratchImageWithCopyAndConfig) {
  write(ctx + "/Dockerfile",
        "FROM scratch\n"
        "COPY hello.txt /app/\n"
        "COPY --chmod=755 run.sh /app/bin/run\n"
        "ENV GREETING=hi\n"
        "LABEL org.example.kind=test\n"
        "WORKDIR /app\n"
        "ENTRYPOINT [\"/app/bin/run\"]\n"
        "CMD [\"--help\"]\n");
  write(ctx + "/hello.txt", "hello\n");
  write(ctx + "/run.sh", "#!/bin/sh\necho run\n");
  auto r = build({"-t", "app:1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("naming to docker.io/library/app:1 done"), std::string::npos) << r.err;

  auto images = kiln({"images"});
  ASSERT_EQ(images.exit_code, 0) << images.err;
  EXPECT_NE(images.out.find("app "), std::string::npos) << images.out;

  auto j = inspect("app:1");
  ASSERT_TRUE(j.is_array() && j.size() == 1) << j;
  const auto& config = j[0]["Config"];
  EXPECT_EQ(config["Entrypoint"], nlohmann::json::array({"/app/bin/run"}));
  EXPECT_EQ(config["Cmd"], nlohmann::json::array({"--help"}));
  EXPECT_EQ(config["WorkingDir"], "/app");
  EXPECT_EQ(config["Labels"]["org.example.kind"], "test");
  bool has_env = false;
  for (const auto& e : config["Env"]) has_env |= e == "GREETING=hi";
  EXPECT_TRUE(has_env) << config;
  EXPECT_EQ(j[0]["RootFS"]["Layers"].size(), 3u);  // two COPYs and WORKDIR's directory
}

TEST_F(Build, NoOpRebuildIsCachedAndChangesAreExplained) {
  write(ctx + "/Dockerfile", "FROM scratch\nCOPY src/ /src/\nCOPY other.txt /\n");
  write(ctx + "/src/a.txt", "a\n");
  write(ctx + "/src/b.txt", "b\n");
  write(ctx + "/other.txt", "o\n");
  ASSERT_EQ(build({"-t", "app"}).exit_code, 0);
  auto again = build({"-t", "app"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("#2 CACHED"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("#3 CACHED"), std::string::npos) << again.err;

  write(ctx + "/src/b.txt", "b changed\n");
  auto changed = build({"-t", "app", "--explain-cache"});
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_NE(changed.err.find("src/b.txt: content changed"), std::string::npos) << changed.err;
  EXPECT_NE(changed.err.find("previous step changed"), std::string::npos) << changed.err;
}

TEST_F(Build, MultiStageCopyFromAStageAndTarget) {
  write(ctx + "/Dockerfile",
        "FROM scratch AS assets\n"
        "COPY site/ /www/\n"
        "FROM scratch AS final\n"
        "COPY --from=assets /www /srv/www\n"
        "FROM scratch AS unused\n"
        "COPY missing.txt /\n");
  write(ctx + "/site/index.html", "<h1>hi</h1>\n");
  auto r = build({"-t", "site", "--target", "final", "-o", "type=oci,dest=" + work.path() + "/site.tar"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(fs::exists(work.path() + "/site.tar"));
  if (!have("umoci") || !have("skopeo")) GTEST_SKIP() << "umoci or skopeo not installed";
  std::string layout = work.path() + "/layout";
  ASSERT_EQ(sh("skopeo copy -q oci-archive:" + work.path() + "/site.tar oci:" + layout + ":site >/dev/null"), 0);
  ASSERT_EQ(sh("umoci unpack --image " + layout + ":site " + work.path() + "/bundle >/dev/null 2>&1"), 0);
  EXPECT_EQ(read(work.path() + "/bundle/rootfs/srv/www/index.html"), "<h1>hi</h1>\n");
  EXPECT_FALSE(fs::exists(work.path() + "/bundle/rootfs/missing.txt"));
}

TEST_F(Build, FromALoadedImageAndDockerArchiveRoundTrip) {
  write(ctx + "/Dockerfile", "FROM scratch\nCOPY etc/ /etc/\nENV BASE=1\nWORKDIR /home\n");
  write(ctx + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
  write(ctx + "/etc/group", "root:x:0:\napp:x:1000:\n");
  ASSERT_EQ(build({"-t", "base:1"}).exit_code, 0);
  std::string archive = work.path() + "/base.tar";
  auto saved = kiln({"save", "-o", archive, "base:1"});
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  if (have("skopeo")) {
    EXPECT_EQ(sh("skopeo inspect docker-archive:" + archive + " >/dev/null"), 0);
  }

  // A second store that only knows the base through the archive.
  root = store.path() + "/root2";
  auto loaded = kiln({"load", "-i", archive});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
  EXPECT_NE(loaded.out.find("Loaded image: base:1"), std::string::npos) << loaded.out;

  std::string app = work.path() + "/app";
  write(app + "/Dockerfile", "FROM base:1\nCOPY --chown=app:app data.txt ./\n");
  write(app + "/data.txt", "data\n");
  auto r = build({"-t", "app:2", "-o", "type=image", "-o", "type=oci,dest=" + work.path() + "/app.tar"}, app);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = inspect("app:2");
  const auto& config = j[0]["Config"];
  EXPECT_EQ(config["WorkingDir"], "/home");
  EXPECT_EQ(j[0]["RootFS"]["Layers"].size(), 3u);
  if (!have("umoci") || !have("skopeo")) GTEST_SKIP() << "umoci or skopeo not installed";
  std::string layout = work.path() + "/app-layout";
  ASSERT_EQ(sh("skopeo copy -q oci-archive:" + work.path() + "/app.tar oci:" + layout + ":app >/dev/null"), 0);
  ASSERT_EQ(sh("umoci unpack --image " + layout + ":app " + work.path() + "/bundle >/dev/null 2>&1"), 0);
  struct stat st {};
  ASSERT_EQ(::lstat((work.path() + "/bundle/rootfs/home/data.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 1000u);
  EXPECT_EQ(read(work.path() + "/bundle/rootfs/etc/group"), "root:x:0:\napp:x:1000:\n");
}

TEST_F(Build, SourceDateEpochGivesBitIdenticalImages) {
  std::string a = work.path() + "/a", b = work.path() + "/b";
  for (const std::string& dir : {a, b}) {
    write(dir + "/Dockerfile", "FROM scratch\nCOPY . /app/\nLABEL v=1\n");
    write(dir + "/x.txt", "x\n");
    write(dir + "/sub/y.txt", "y\n");
  }
  sh("touch -d '2001-01-01' " + b + "/x.txt " + b + "/sub/y.txt");
  ::setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  auto r1 = build({"--metadata-file", work.path() + "/m1.json"}, a);
  ::unsetenv("SOURCE_DATE_EPOCH");
  root = store.path() + "/other-root";  // and as a build arg, as buildx takes it
  auto r2 = build({"--build-arg", "SOURCE_DATE_EPOCH=1700000000", "--metadata-file", work.path() + "/m2.json"}, b);
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  auto m1 = nlohmann::json::parse(read(work.path() + "/m1.json"));
  auto m2 = nlohmann::json::parse(read(work.path() + "/m2.json"));
  EXPECT_EQ(m1["containerimage.digest"], m2["containerimage.digest"]);
}

TEST_F(Build, FailingStepNamesTheLineAndExitsOne) {
  write(ctx + "/Dockerfile", "FROM scratch\nCOPY present.txt /\nCOPY missing.txt /\n");
  write(ctx + "/present.txt", "p\n");
  auto r = build({});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Dockerfile:3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("COPY missing.txt /"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("missing.txt"), std::string::npos) << r.err;
}

TEST_F(Build, UsageErrorsExitTwo) {
  auto r = kiln({"build", "--output", "type=bogus,dest=x", ctx});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("unknown type"), std::string::npos) << r.err;
  auto missing = kiln({"build", work.path() + "/does-not-exist"});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
}

TEST_F(Build, RunOnAnEmptyRootFailsNamingTheMissingShell) {
  write(ctx + "/Dockerfile", "FROM scratch\nRUN echo hi\n");
  auto r = build({});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("[1/1] RUN echo hi"), std::string::npos) << r.err;
  // Without root kiln cannot build a sandbox and says so; as root the step
  // runs and finds no shell in an empty FROM scratch.
  EXPECT_NE(r.err.find(::geteuid() == 0 ? "/bin/sh" : "RUN steps need root"), std::string::npos) << r.err;
}

}  // namespace

namespace {

TEST_F(Build, OnbuildTriggersRunWhenTheImageIsABase) {
  write(ctx + "/Dockerfile", "FROM scratch\nONBUILD COPY app.txt /app/\nLABEL role=base\n");
  ASSERT_EQ(build({"-t", "onbuild-base"}).exit_code, 0);
  auto base = inspect("onbuild-base");
  EXPECT_EQ(base[0]["Config"]["OnBuild"], nlohmann::json::array({"COPY app.txt /app/"})) << base;

  std::string child = work.path() + "/child";
  write(child + "/Dockerfile", "FROM onbuild-base\nLABEL role=child\n");
  write(child + "/app.txt", "from the child context\n");
  auto r = build({"-t", "child", "-o", "type=image", "-o", "type=oci,dest=" + work.path() + "/child.tar"}, child);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = inspect("child");
  EXPECT_TRUE(j[0]["Config"]["OnBuild"].is_null() || j[0]["Config"]["OnBuild"].empty()) << j;
  EXPECT_EQ(j[0]["RootFS"]["Layers"].size(), 1u);  // the trigger's COPY
  if (!have("umoci") || !have("skopeo")) GTEST_SKIP() << "umoci or skopeo not installed";
  std::string layout = work.path() + "/child-layout";
  ASSERT_EQ(sh("skopeo copy -q oci-archive:" + work.path() + "/child.tar oci:" + layout + ":c >/dev/null"), 0);
  ASSERT_EQ(sh("umoci unpack --image " + layout + ":c " + work.path() + "/bundle >/dev/null 2>&1"), 0);
  EXPECT_EQ(read(work.path() + "/bundle/rootfs/app/app.txt"), "from the child context\n");
}

TEST_F(Build, CopySnapshotterBuildsTheSameImage) {
  write(ctx + "/Dockerfile", "FROM scratch\nCOPY . /app/\n");
  write(ctx + "/a/b.txt", "b\n");
  ::symlink("a/b.txt", (ctx + "/link").c_str());
  ::setenv("SOURCE_DATE_EPOCH", "1600000000", 1);
  auto overlay = build({"--metadata-file", work.path() + "/m1.json"});
  root = store.path() + "/copy-root";
  ::setenv("KILN_SNAPSHOTTER", "copy", 1);
  auto copy = build({"--metadata-file", work.path() + "/m2.json"});
  ::unsetenv("KILN_SNAPSHOTTER");
  ::unsetenv("SOURCE_DATE_EPOCH");
  ASSERT_EQ(overlay.exit_code, 0) << overlay.err;
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  auto m1 = nlohmann::json::parse(read(work.path() + "/m1.json"));
  auto m2 = nlohmann::json::parse(read(work.path() + "/m2.json"));
  EXPECT_EQ(m1["containerimage.digest"], m2["containerimage.digest"]);
}

}  // namespace

namespace {

TEST_F(Build, DockerfileFromStdinAndZstdLayers) {
  write(ctx + "/data.txt", "zstd please\n");
  std::string tar = work.path() + "/z.tar";
  auto r = tests::run_kiln({"build", "--root", root, "--progress=plain", "-f", "-", "-o",
                            "type=oci,dest=" + tar + ",compression=zstd,compression-level=5", ctx},
                           "FROM scratch\nCOPY data.txt /\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  if (!have("skopeo")) GTEST_SKIP() << "skopeo not installed";
  std::string out = work.path() + "/inspect.json";
  ASSERT_EQ(sh("skopeo inspect --raw oci-archive:" + tar + " > " + out), 0);
  auto manifest = nlohmann::json::parse(read(out));
  ASSERT_EQ(manifest["layers"].size(), 1u) << manifest;
  EXPECT_EQ(manifest["layers"][0]["mediaType"], "application/vnd.oci.image.layer.v1.tar+zstd");
}

}  // namespace

namespace {

TEST_F(Build, CopyLinkLayerDoesNotDependOnTheBase) {
  write(ctx + "/Dockerfile", "FROM scratch AS base\nCOPY a.txt /\nFROM base\nCOPY --link b.txt /b/\n");
  write(ctx + "/a.txt", "a1\n");
  write(ctx + "/b.txt", "b\n");
  ASSERT_EQ(build({"-t", "linked"}).exit_code, 0);
  auto first = inspect("linked");
  write(ctx + "/a.txt", "a2 changed\n");
  auto r = build({"-t", "linked"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto second = inspect("linked");
  ASSERT_EQ(first[0]["RootFS"]["Layers"].size(), 2u);
  ASSERT_EQ(second[0]["RootFS"]["Layers"].size(), 2u);
  EXPECT_NE(first[0]["RootFS"]["Layers"][0], second[0]["RootFS"]["Layers"][0]);
  EXPECT_EQ(first[0]["RootFS"]["Layers"][1], second[0]["RootFS"]["Layers"][1]);
  if (!have("umoci") || !have("skopeo")) GTEST_SKIP() << "umoci or skopeo not installed";
  std::string tar = work.path() + "/l.tar";
  ASSERT_EQ(kiln({"save", "-o", tar, "linked"}).exit_code, 0);
  std::string layout = work.path() + "/l-layout";
  ASSERT_EQ(sh("skopeo copy -q docker-archive:" + tar + " oci:" + layout + ":l >/dev/null"), 0);
  ASSERT_EQ(sh("umoci unpack --image " + layout + ":l " + work.path() + "/bundle >/dev/null 2>&1"), 0);
  EXPECT_EQ(read(work.path() + "/bundle/rootfs/a.txt"), "a2 changed\n");
  EXPECT_EQ(read(work.path() + "/bundle/rootfs/b/b.txt"), "b\n");
}

// docker's `run $(build -q .)`: an unnamed image stays in the store under
// its ID, and every image command takes the full ID or a unique prefix.
TEST_F(Build, UnnamedImagesAreKeptAndIdsWorkAsReferences) {
  write(ctx + "/Dockerfile", "FROM scratch\nCOPY a.txt /\n");
  write(ctx + "/a.txt", "a\n");
  auto r = build({"-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string id = r.out.substr(0, r.out.find('\n'));
  ASSERT_EQ(id.rfind("sha256:", 0), 0u) << r.out;
  std::string short_id = id.substr(7, 12);
  auto images = kiln({"images"});
  EXPECT_NE(images.out.find("<none>"), std::string::npos) << images.out;
  EXPECT_NE(images.out.find(short_id), std::string::npos) << images.out;
  EXPECT_EQ(inspect(id)[0]["Id"], id);
  EXPECT_EQ(inspect(short_id)[0]["RepoTags"], nlohmann::json::array());

  ASSERT_EQ(kiln({"tag", short_id, "app:1"}).exit_code, 0);
  ASSERT_EQ(kiln({"tag", "app:1", "app:2"}).exit_code, 0);
  EXPECT_EQ(inspect(id)[0]["RepoTags"], nlohmann::json::array({"app:1", "app:2"}));
  images = kiln({"images"});
  EXPECT_EQ(images.out.find("<none>"), std::string::npos) << images.out;  // named now

  auto conflict = kiln({"rmi", short_id});
  EXPECT_NE(conflict.exit_code, 0);
  EXPECT_NE(conflict.err.find("referenced in multiple repositories"), std::string::npos) << conflict.err;
  ASSERT_EQ(kiln({"tag", "app:1", "other:1"}).exit_code, 0);
  auto forced = kiln({"rmi", "-f", short_id});  // docker's -f: the image goes with all its names
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(forced.out.find("Untagged: other:1"), std::string::npos) << forced.out;
  EXPECT_NE(kiln({"inspect", "app:2"}).exit_code, 0);
  ASSERT_EQ(build({"-t", "app:1"}).exit_code, 0);
  auto removed = kiln({"rmi", short_id});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_NE(removed.out.find("Untagged: app:1"), std::string::npos) << removed.out;
  EXPECT_NE(removed.out.find("Deleted: " + id), std::string::npos) << removed.out;
  auto gone = kiln({"inspect", id});
  EXPECT_NE(gone.exit_code, 0);
  EXPECT_NE(gone.err.find("No such image"), std::string::npos) << gone.err;
}

TEST_F(Build, ArchivesGoToStandardOutputWithDestDash) {
  write(ctx + "/Dockerfile", "FROM scratch\nCOPY a.txt /\n");
  write(ctx + "/a.txt", "a\n");
  std::string tar = work.path() + "/oci.tar";
  auto r = build({"-q", "-o", "type=oci,dest=-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  write(tar, r.out);
  EXPECT_EQ(sh("tar tf " + tar + " | grep -qx oci-layout"), 0);  // the archive, and no ID mixed in
  auto docker = build({"-q", "-o", "type=docker,dest=-"});
  ASSERT_EQ(docker.exit_code, 0) << docker.err;
  write(tar, docker.out);
  EXPECT_EQ(sh("tar tf " + tar + " | grep -qx manifest.json"), 0);
  auto local = build({"-o", "type=local,dest=-"});
  EXPECT_EQ(local.exit_code, 2);
  EXPECT_NE(local.err.find("dest must name a directory"), std::string::npos) << local.err;
  auto two = build({"-o", "type=tar,dest=-", "-o", "type=oci"});  // no dest: standard output too
  EXPECT_EQ(two.exit_code, 2);
  EXPECT_NE(two.err.find("only one output can write to standard output"), std::string::npos) << two.err;
  // As buildx loads it into docker: a docker output without dest is the image store.
  auto stored = build({"-o", "type=docker,name=loaded:1"});
  ASSERT_EQ(stored.exit_code, 0) << stored.err;
  EXPECT_EQ(inspect("loaded:1")[0]["RepoTags"], nlohmann::json::array({"loaded:1"}));
}

TEST_F(Build, QuietProgressPrintsTheIdAndJsonProgressOnlyJson) {
  write(ctx + "/Dockerfile", "FROM scratch\nCOPY a.txt /\n");
  write(ctx + "/a.txt", "a\n");
  auto quiet = kiln({"build", "--progress=quiet", ctx});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.out.rfind("sha256:", 0), 0u) << quiet.out;
  EXPECT_EQ(quiet.err, "");
  auto json = kiln({"build", "--progress=json", "--explain-cache", "-t", "j", ctx});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  ASSERT_FALSE(json.err.empty());
  size_t start = 0;
  while (start < json.err.size()) {
    size_t nl = json.err.find('\n', start);
    std::string line = json.err.substr(start, nl - start);
    EXPECT_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded()) << line;
    start = nl == std::string::npos ? json.err.size() : nl + 1;
  }
}

// A single-platform image serves its own platform only: building for
// another one fails naming both, instead of a mislabelled image.
TEST_F(Build, ALocalBaseOfAnotherPlatformIsRefused) {
  write(ctx + "/Dockerfile", "FROM scratch\nCOPY a.txt /\n");
  write(ctx + "/a.txt", "a\n");
  // A registry nobody listens on: the pull kiln tries for the other
  // platform fails at once, offline too.
  ASSERT_EQ(build({"-t", "localhost:1/base:host"}).exit_code, 0);
  std::string other = work.path() + "/other";
  write(other + "/Dockerfile", "FROM localhost:1/base:host\nCOPY b.txt /\n");
  write(other + "/b.txt", "b\n");
  auto host = build({"-t", "fine"}, other);
  ASSERT_EQ(host.exit_code, 0) << host.err;
  const std::string arch = inspect("localhost:1/base:host")[0]["Architecture"];
  const std::string foreign = arch == "arm64" ? "linux/amd64" : "linux/arm64";
  auto r = build({"--platform", foreign, "-t", "wrong"}, other);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("in the local store is linux/" + arch + ", not " + foreign), std::string::npos) << r.err;
}

// As docker: a rebuild that moves a name leaves the old image as <none>,
// naming an unnamed image clears its <none> row, and kiln prune frees them.
TEST_F(Build, RenamedAndReplacedImagesAsDockerKeepsThem) {
  write(ctx + "/Dockerfile", "FROM scratch\nCOPY a.txt /\n");
  write(ctx + "/a.txt", "a\n");
  auto unnamed = build({"-q"});
  ASSERT_EQ(unnamed.exit_code, 0) << unnamed.err;
  ASSERT_EQ(build({"-t", "app"}).exit_code, 0);  // the same image, named now
  auto images = kiln({"images"});
  EXPECT_EQ(images.out.find("<none>"), std::string::npos) << images.out;

  write(ctx + "/a.txt", "a changed\n");
  ASSERT_EQ(build({"-t", "app"}).exit_code, 0);
  images = kiln({"images"});
  EXPECT_NE(images.out.find("<none>"), std::string::npos) << images.out;  // the first app
  std::string old_id = unnamed.out.substr(0, unnamed.out.find('\n'));
  EXPECT_EQ(inspect(old_id)[0]["Id"], old_id);

  auto trimmed = kiln({"prune", "-f", "--keep-storage", "1GB"});
  ASSERT_EQ(trimmed.exit_code, 0) << trimmed.err;
  EXPECT_EQ(kiln({"inspect", old_id}).exit_code, 0);  // a cache trim keeps images
  auto pruned = kiln({"prune", "-f"});
  ASSERT_EQ(pruned.exit_code, 0) << pruned.err;
  EXPECT_NE(pruned.out.find("deleted: " + old_id), std::string::npos) << pruned.out;
  EXPECT_NE(kiln({"inspect", old_id}).exit_code, 0);
  EXPECT_EQ(kiln({"inspect", "app"}).exit_code, 0);
}

}  // namespace
