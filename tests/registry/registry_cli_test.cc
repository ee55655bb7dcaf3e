// `kiln push`, `kiln pull`, `kiln login`/`logout`, `kiln build --pull/--push`
// as a user runs them against a real registry on 127.0.0.1 (plain HTTP, as
// docker allows for loopback). Each test gets a fresh registry, fresh kiln
// roots and its own $DOCKER_CONFIG.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "registry/testing/local_registry.h"
#include "registry/testing/token_server.h"
#include "tests/cli/run_kiln.h"
#include "tests/cli/test_files.h"

namespace {

namespace fs = std::filesystem;

using tests::have;
using tests::read;
using tests::write;

int sh(const std::string& command) { return std::system(command.c_str()); }

// Standard output of a shell command.
std::string capture(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The digest in a `kiln push` line "TAG: digest: sha256:… size: N".
std::string pushed_digest(const std::string& out) {
  size_t at = out.find(": digest: ");
  if (at == std::string::npos) return {};
  size_t start = at + 10;
  return out.substr(start, out.find(' ', start) - start);
}

class Registry : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }

  void start(const registry::testing::LocalRegistryOptions& options) {
    if (std::string why = registry::testing::LocalRegistry::unavailable_reason(options); !why.empty())
      GTEST_SKIP() << why;
    reg = std::make_unique<registry::testing::LocalRegistry>();
    std::string failed = reg->start(options);
    ASSERT_TRUE(failed.empty()) << failed;
    domain = reg->domain();
    root = work.path() + "/root";
    ctx = work.path() + "/ctx";
    fs::create_directories(ctx);
    docker_config = work.path() + "/docker-config";
    ::setenv("DOCKER_CONFIG", docker_config.c_str(), 1);
    ::unsetenv("REGISTRY_AUTH_FILE");
  }

  tests::KilnRun kiln(std::vector<std::string> args, const std::string& at_root = {},
                      const std::string& stdin_data = {}) {
    args.insert(args.begin() + 1, {"--root", at_root.empty() ? root : at_root});
    return tests::run_kiln(args, stdin_data);
  }
  tests::KilnRun build(const std::string& dockerfile, std::vector<std::string> extra,
                       const std::string& at_root = {}) {
    write(ctx + "/Dockerfile", dockerfile);
    std::vector<std::string> args{"build", "--progress=plain"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(ctx);
    return kiln(args, at_root);
  }
  // A FROM scratch image with one file, stored as `name`.
  void build_app(const std::string& name, const std::string& text = "hello\n") {
    write(ctx + "/hello.txt", text);
    auto r = build("FROM scratch\nCOPY hello.txt /app/\nCMD [\"/app/run\"]\n", {"-t", name});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string skopeo_digest(const std::string& ref) {
    auto j = nlohmann::json::parse(capture("skopeo inspect --tls-verify=false docker://" + ref), nullptr, false);
    return j.is_object() ? j.value("Digest", "") : "";
  }

  tests::TempDir work;
  std::unique_ptr<registry::testing::LocalRegistry> reg;
  std::string domain, root, ctx, docker_config;
};

TEST_F(Registry, PushIsSeenBySkopeoAndUnpacksWithUmoci) {
  if (!have("skopeo") || !have("umoci")) GTEST_SKIP() << "skopeo or umoci not installed";
  std::string name = domain + "/app:1";
  build_app(name);
  auto push = kiln({"push", name});
  ASSERT_EQ(push.exit_code, 0) << push.err;
  EXPECT_TRUE(contains(push.out, "The push refers to repository [" + domain + "/app]")) << push.out;
  EXPECT_TRUE(contains(push.out, ": Pushed")) << push.out;
  std::string digest = pushed_digest(push.out);
  ASSERT_EQ(digest.rfind("sha256:", 0), 0u) << push.out;
  auto inspect = nlohmann::json::parse(kiln({"inspect", name}).out, nullptr, false);
  ASSERT_TRUE(inspect.is_array()) << inspect;
  EXPECT_EQ(inspect[0]["Digest"], digest);
  EXPECT_EQ(skopeo_digest(name), digest);

  std::string layout = work.path() + "/layout";
  ASSERT_EQ(sh("skopeo copy -q --src-tls-verify=false docker://" + name + " oci:" + layout + ":app >/dev/null"), 0);
  ASSERT_EQ(sh("umoci unpack --image " + layout + ":app " + work.path() + "/bundle >/dev/null 2>&1"), 0);
  EXPECT_EQ(read(work.path() + "/bundle/rootfs/app/hello.txt"), "hello\n");
}

TEST_F(Registry, RepushUploadsNothingAndOtherRepositoriesMount) {
  std::string name = domain + "/app:1";
  build_app(name);
  auto first = kiln({"push", name});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto again = kiln({"push", name});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_FALSE(contains(again.out, ": Pushed")) << again.out;
  EXPECT_TRUE(contains(again.out, ": Layer already exists")) << again.out;
  EXPECT_EQ(pushed_digest(again.out), pushed_digest(first.out));

  // DEST on the same registry: the blobs come from the app repository.
  auto other = kiln({"push", name, domain + "/team/copy:2"});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_TRUE(contains(other.out, ": Mounted from app")) << other.out;
  EXPECT_FALSE(contains(other.out, ": Pushed")) << other.out;
  EXPECT_TRUE(contains(other.out, "2: digest: " + pushed_digest(first.out))) << other.out;
  if (have("skopeo")) {
    EXPECT_EQ(skopeo_digest(domain + "/team/copy:2"), pushed_digest(first.out));
  }
  // The destination names the image locally too.
  EXPECT_TRUE(contains(kiln({"images"}).out, domain + "/team/copy")) << kiln({"images"}).out;
}

// `kiln build -t app .` keeps layers uncompressed (as docker's store does);
// `kiln push` sends them gzip-compressed, as docker push does, and a re-push
// neither compresses nor uploads again.
TEST_F(Registry, PushCompressesLayersTheStoreKeepsUncompressed) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i % 100) + " of a compressible file\n";
  write(ctx + "/hello.txt", text);
  auto built = build("FROM scratch\nCOPY hello.txt /app/\n", {"-t", "app"});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  std::string dest = domain + "/app:1";

  auto first = kiln({"push", "app", dest});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(contains(first.out, ": Pushed")) << first.out;
  std::string digest = pushed_digest(first.out);
  ASSERT_EQ(digest.rfind("sha256:", 0), 0u) << first.out;

  if (have("skopeo")) {
    auto manifest = nlohmann::json::parse(capture("skopeo inspect --raw --tls-verify=false docker://" + dest),
                                          nullptr, false);
    ASSERT_TRUE(manifest.is_object()) << manifest;
    ASSERT_EQ(manifest["layers"].size(), 1u) << manifest;
    EXPECT_EQ(manifest["layers"][0]["mediaType"], "application/vnd.oci.image.layer.v1.tar+gzip");
    EXPECT_LT(manifest["layers"][0]["size"].get<int64_t>(), static_cast<int64_t>(text.size()) / 4) << manifest;
    EXPECT_EQ(skopeo_digest(dest), digest);
  }

  auto again = kiln({"push", "app", dest});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_FALSE(contains(again.out, ": Pushed")) << again.out;
  EXPECT_EQ(pushed_digest(again.out), digest);

  // The pulled image holds the file as built.
  std::string other = work.path() + "/other";
  auto pulled = kiln({"pull", dest}, other);
  ASSERT_EQ(pulled.exit_code, 0) << pulled.err;
  auto out = kiln({"build", "--progress=plain", "-o", "type=local,dest=" + work.path() + "/out", "-f", "-", ctx},
                  other, "FROM " + dest + "\n");
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_EQ(read(work.path() + "/out/app/hello.txt"), text);
}

// `kiln build -t REG/app:1 . && kiln push REG/app:1`, twice: the second build
// names the uncompressed image again, and the push still finds the
// compressed form the first one made (under its repo digest).
TEST_F(Registry, RebuildAndPushUnderTheSameNameDoesNotCompressAgain) {
  std::string name = domain + "/app:1";
  build_app(name);
  auto first = kiln({"push", name});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::string digest = pushed_digest(first.out);
  EXPECT_TRUE(contains(kiln({"images"}).out, domain + "/app")) << kiln({"images"}).out;

  build_app(name);
  auto again = kiln({"push", name});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_FALSE(contains(again.out, ": Pushed")) << again.out;
  EXPECT_EQ(pushed_digest(again.out), digest);

  // A destination pinned by digest gets the manifest stored under that
  // digest, as it is: here the compressed one.
  auto pinned = kiln({"push", name, domain + "/pinned@" + digest});
  ASSERT_EQ(pinned.exit_code, 0) << pinned.err;
  auto fetched = kiln({"pull", domain + "/pinned@" + digest}, work.path() + "/other");
  ASSERT_EQ(fetched.exit_code, 0) << fetched.err;
  EXPECT_TRUE(contains(fetched.out, "Digest: " + digest)) << fetched.out;
}

TEST_F(Registry, PullIntoEmptyRootThenBuildFromIt) {
  std::string name = domain + "/base:1";
  build_app(name, "from the registry\n");
  auto push = kiln({"push", name});
  ASSERT_EQ(push.exit_code, 0) << push.err;

  std::string fresh = work.path() + "/fresh";
  auto pull = kiln({"pull", name}, fresh);
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  EXPECT_TRUE(contains(pull.out, "1: Pulling from base")) << pull.out;
  EXPECT_TRUE(contains(pull.out, ": Pull complete")) << pull.out;
  EXPECT_TRUE(contains(pull.out, "Digest: " + pushed_digest(push.out))) << pull.out;
  EXPECT_TRUE(contains(pull.out, "Status: Downloaded newer image for " + name)) << pull.out;
  auto images = kiln({"images"}, fresh);
  EXPECT_TRUE(contains(images.out, domain + "/base ")) << images.out;

  auto again = kiln({"pull", name}, fresh);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(contains(again.out, "Status: Image is up to date for " + name)) << again.out;
  EXPECT_FALSE(contains(again.out, "Pull complete")) << again.out;

  std::string out = work.path() + "/out";
  write(ctx + "/extra.txt", "x\n");
  auto b = build("FROM " + name + "\nCOPY extra.txt /app/\n", {"-o", "type=local,dest=" + out}, fresh);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(read(out + "/app/hello.txt"), "from the registry\n");
  EXPECT_FALSE(contains(b.err, "Pulling from")) << b.err;  // the local copy wins

  auto missing = kiln({"pull", domain + "/no-such:1"}, fresh);
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_TRUE(contains(missing.err, "MANIFEST_UNKNOWN")) << missing.err;
}

TEST_F(Registry, BuildPullsMissingImagesAndPullFlagRefreshes) {
  std::string name = domain + "/base:1";
  build_app(name, "v1\n");
  ASSERT_EQ(kiln({"push", name}).exit_code, 0);

  std::string fresh = work.path() + "/fresh";
  std::string out = work.path() + "/out";
  write(ctx + "/extra.txt", "x\n");
  std::string dockerfile = "FROM " + name + "\nCOPY extra.txt /app/\nFROM scratch\nCOPY --from=0 /app/ /\n";
  auto b = build(dockerfile, {"-o", "type=local,dest=" + out}, fresh);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_TRUE(contains(b.err, "1: Pulling from base")) << b.err;
  EXPECT_EQ(read(out + "/hello.txt"), "v1\n");
  EXPECT_TRUE(contains(kiln({"images"}, fresh).out, domain + "/base ")) << "pulled images are tagged";

  // A new v2 under the same tag: the local copy wins until --pull.
  build_app(name, "v2\n");
  ASSERT_EQ(kiln({"push", name}).exit_code, 0);
  write(ctx + "/extra.txt", "x\n");
  fs::remove_all(out);
  b = build(dockerfile, {"-o", "type=local,dest=" + out}, fresh);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_FALSE(contains(b.err, "Pulling from")) << b.err;
  EXPECT_EQ(read(out + "/hello.txt"), "v1\n");
  fs::remove_all(out);
  b = build(dockerfile, {"--pull", "-o", "type=local,dest=" + out}, fresh);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_TRUE(contains(b.err, "Pulling from base")) << b.err;
  EXPECT_EQ(read(out + "/hello.txt"), "v2\n");

  // COPY --from an image that is nowhere locally.
  std::string other = work.path() + "/other";
  fs::remove_all(out);
  b = build("FROM scratch\nCOPY --from=" + name + " /app/hello.txt /got.txt\n", {"-o", "type=local,dest=" + out},
            other);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(read(out + "/got.txt"), "v2\n");

  auto missing = build("FROM " + domain + "/absent:1\n", {}, other);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(contains(missing.err, "MANIFEST_UNKNOWN")) << missing.err;
}

TEST_F(Registry, BuildPushAndOutputPushTrue) {
  write(ctx + "/hello.txt", "pushed by build\n");
  std::string name = domain + "/built:1";
  std::string meta = work.path() + "/meta.json";
  auto b = build("FROM scratch\nCOPY hello.txt /\n", {"-t", name, "--push", "--metadata-file", meta});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto j = nlohmann::json::parse(read(meta), nullptr, false);
  ASSERT_TRUE(j.is_object()) << read(meta);
  std::string digest = j.value("containerimage.digest", "");
  EXPECT_TRUE(contains(b.err, "pushed " + name + "@" + digest)) << b.err;
  EXPECT_TRUE(contains(b.err, "1: digest: " + digest)) << b.err;
  if (have("skopeo")) {
    EXPECT_EQ(skopeo_digest(name), digest);
  }
  // Stored locally as well.
  EXPECT_TRUE(contains(kiln({"images"}).out, domain + "/built ")) << kiln({"images"}).out;

  std::string named = domain + "/named:2";
  b = build("FROM scratch\nCOPY hello.txt /\n", {"-o", "type=image,name=" + named + ",push=true"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_TRUE(contains(b.err, "pushed " + named + "@")) << b.err;
  EXPECT_TRUE(contains(b.err, "Mounted from built")) << b.err;
  if (have("skopeo")) {
    EXPECT_EQ(skopeo_digest(named), digest);
  }

  auto nameless = build("FROM scratch\nCOPY hello.txt /\n", {"--push"});
  EXPECT_EQ(nameless.exit_code, 2) << nameless.err;
  EXPECT_TRUE(contains(nameless.err, "push needs a name")) << nameless.err;
}

class AuthRegistry : public Registry {
 protected:
  void SetUp() override {
    registry::testing::LocalRegistryOptions options;
    options.username = "alice";
    options.password = "s3cret-pw";
    start(options);
  }
};

TEST_F(AuthRegistry, LoginPushLogout) {
  std::string name = domain + "/private:1";
  build_app(name);
  auto anonymous = kiln({"push", name});
  EXPECT_NE(anonymous.exit_code, 0);
  EXPECT_TRUE(contains(anonymous.err, "kiln login")) << anonymous.err;

  auto wrong = tests::run_kiln({"login", domain, "-u", "alice", "--password-stdin"}, "nope\n");
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_TRUE(contains(wrong.err, "incorrect username or password")) << wrong.err;
  EXPECT_FALSE(fs::exists(docker_config + "/config.json"));

  auto login = tests::run_kiln({"login", domain, "-u", "alice", "--password-stdin"}, "s3cret-pw\n");
  ASSERT_EQ(login.exit_code, 0) << login.err;
  EXPECT_TRUE(contains(login.out, "Login Succeeded")) << login.out;
  struct stat st{};
  ASSERT_EQ(::stat((docker_config + "/config.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto config = nlohmann::json::parse(read(docker_config + "/config.json"), nullptr, false);
  ASSERT_TRUE(config.is_object());
  EXPECT_TRUE(config["auths"].contains(domain)) << config;
  EXPECT_FALSE(contains(read(docker_config + "/config.json"), "s3cret-pw")) << "stored base64, as docker does";

  auto push = kiln({"push", name});
  ASSERT_EQ(push.exit_code, 0) << push.err;
  if (have("skopeo")) {
    EXPECT_EQ(capture("skopeo inspect --tls-verify=false --creds alice:s3cret-pw docker://" + name +
                      " | grep -c '\"Digest\": \"" + pushed_digest(push.out) + "\"'"),
              "1\n");
  }
  std::string fresh = work.path() + "/fresh";
  EXPECT_EQ(kiln({"pull", name}, fresh).exit_code, 0);

  auto logout = tests::run_kiln({"logout", domain});
  ASSERT_EQ(logout.exit_code, 0) << logout.err;
  EXPECT_TRUE(contains(logout.out, "Removing login credentials for " + domain)) << logout.out;
  config = nlohmann::json::parse(read(docker_config + "/config.json"), nullptr, false);
  EXPECT_FALSE(config["auths"].contains(domain)) << config;
  auto twice = tests::run_kiln({"logout", domain});
  EXPECT_EQ(twice.exit_code, 0);
  EXPECT_TRUE(contains(twice.out, "Not logged in to " + domain)) << twice.out;
  EXPECT_NE(kiln({"pull", name}, work.path() + "/again").exit_code, 0);
}

// The multistage example on a busybox base that travels through the
// registry: built from a pulled base in a fresh root, pushed, pulled into
// another fresh root and run there.
TEST_F(Registry, MultistageExampleRoundTripRuns) {
  if (::geteuid() != 0) GTEST_SKIP() << "RUN needs root";
  if (::access("/bin/busybox", X_OK) != 0) GTEST_SKIP() << "/bin/busybox missing";
  std::string busybox_ctx = work.path() + "/busybox";
  ASSERT_EQ(sh(tests::source_path("examples/busybox/prepare-context") + " " + busybox_ctx + " >/dev/null"), 0);
  std::string base = domain + "/busybox:latest";
  auto made = tests::run_kiln({"build", "-q", "-t", base, "--push", "--root", root, busybox_ctx});
  ASSERT_EQ(made.exit_code, 0) << made.err;

  std::string builder = work.path() + "/builder";
  std::string app = domain + "/wordcount:1";
  auto b = tests::run_kiln({"build", "--progress=plain", "--root", builder, "--build-arg", "BUSYBOX=" + base, "-t",
                            app, "--push", tests::source_path("examples/multistage")});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_TRUE(contains(b.err, "Pulling from busybox")) << b.err;
  EXPECT_TRUE(contains(b.err, "pushed " + app + "@")) << b.err;

  std::string runner = work.path() + "/runner";
  ASSERT_EQ(kiln({"pull", app}, runner).exit_code, 0);
  auto r = tests::run_kiln({"run", "--root", runner, "--rm", app});  // CMD ["--help"]
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "usage: wordcount")) << r.out << r.err;
  auto count = tests::run_kiln({"run", "--root", runner, "--rm", "--entrypoint", "/bin/sh", app, "-c",
                                "echo b a b | /usr/local/bin/wordcount -n 1"});
  EXPECT_EQ(count.exit_code, 0) << count.err;
  EXPECT_TRUE(contains(count.out, "b")) << count.out << count.err;
}

// `auth: token`: the registry sends kiln to a token server (TokenServer) that
// checks the login and signs tokens for the requested scopes.
class TokenRegistry : public Registry {
 protected:
  void SetUp() override {
    tokens = std::make_unique<registry::testing::TokenServer>(
        token_dir.path(), registry::testing::TokenServerOptions{"alice", "s3cret-pw", "kiln-test-registry",
                                                                "kiln-test-issuer"});
    ASSERT_EQ(tokens->error(), "");
    registry::testing::LocalRegistryOptions options;
    options.token_realm = tokens->realm();
    options.token_service = tokens->service();
    options.token_issuer = tokens->issuer();
    options.token_rootcertbundle = tokens->certificate_path();
    start(options);
  }

  tests::TempDir token_dir;
  std::unique_ptr<registry::testing::TokenServer> tokens;
};

TEST_F(TokenRegistry, LoginPushPullThroughTheTokenServer) {
  std::string name = domain + "/tokens/app:1";
  build_app(name);
  auto anonymous = kiln({"push", name});
  EXPECT_NE(anonymous.exit_code, 0);
  EXPECT_TRUE(contains(anonymous.err, "401")) << anonymous.err;

  auto wrong = tests::run_kiln({"login", domain, "-u", "alice", "--password-stdin"}, "nope\n");
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_TRUE(contains(wrong.err, "401")) << wrong.err;
  EXPECT_FALSE(contains(wrong.err, "nope")) << wrong.err;

  auto login = tests::run_kiln({"login", domain, "-u", "alice", "--password-stdin"}, "s3cret-pw\n");
  ASSERT_EQ(login.exit_code, 0) << login.err;
  int before = tokens->issued();
  auto push = kiln({"push", name});
  ASSERT_EQ(push.exit_code, 0) << push.err;
  // One kiln process: one token to read and one to write, however many blobs.
  EXPECT_EQ(tokens->issued_for("repository:tokens/app:pull"), 1);
  EXPECT_EQ(tokens->issued_for("repository:tokens/app:pull,push"), 1);
  EXPECT_EQ(tokens->issued() - before, 2);
  std::string fresh = work.path() + "/fresh";
  auto pull = kiln({"pull", name}, fresh);
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  EXPECT_TRUE(contains(kiln({"images"}, fresh).out, domain + "/tokens/app")) << "pulled image is listed";
}

}  // namespace
