// --cache-to / --cache-from as a CI fleet uses them: one machine builds and
// exports its cache, another starts from an empty store and imports it. The
// "machines" are two kiln roots and two copies of the context at different
// paths; the cache goes through a directory or a real registry.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "registry/testing/local_registry.h"
#include "tests/cli/run_kiln.h"
#include "tests/cli/test_files.h"

namespace {

namespace fs = std::filesystem;

using tests::read;
using tests::write;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// How many steps the plain progress output reports as cached.
int cached_steps(const std::string& log) {
  std::regex cached(R"((^|\n)#\d+ CACHED)");
  return static_cast<int>(std::distance(std::sregex_iterator(log.begin(), log.end(), cached), std::sregex_iterator()));
}

// "imported cache: N steps, M layers fetched" → {N, M}; {-1, -1} when absent.
std::pair<int, int> imported(const std::string& log) {
  std::smatch m;
  if (!std::regex_search(log, m, std::regex(R"(imported cache: (\d+) steps, (\d+) layers fetched)"))) return {-1, -1};
  return {std::stoi(m[1]), std::stoi(m[2])};
}

// A deps stage, and a final stage with its own files and the deps'.
constexpr const char* k_dockerfile =
    "FROM scratch AS deps\n"
    "COPY deps/ /deps/\n"
    "FROM scratch AS final\n"
    "COPY app/ /app/\n"
    "COPY --from=deps /deps/ /vendor/\n";

class Cache : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const std::string& ctx : {ctx_a, ctx_b}) {
      write(ctx + "/Dockerfile", k_dockerfile);
      write(ctx + "/deps/lib.txt", "a library\n");
      write(ctx + "/app/main.txt", "the app\n");
    }
  }

  tests::KilnRun build(const std::string& root, const std::string& ctx, std::vector<std::string> extra) {
    std::vector<std::string> args{"build", "--root", root, "--progress=plain"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(ctx);
    return tests::run_kiln(args);
  }

  std::string image_digest(const std::string& root, const std::string& ctx, std::vector<std::string> extra) {
    std::string meta = work.path() + "/meta.json";
    extra.insert(extra.end(), {"--metadata-file", meta});
    auto r = build(root, ctx, extra);
    last = r;
    if (r.exit_code != 0) return "failed: " + r.err;
    auto j = nlohmann::json::parse(read(meta), nullptr, false);
    return j.is_object() ? j.value("containerimage.digest", "") : "";
  }

  tests::TempDir work;
  std::string root_a = work.path() + "/machine-a";
  std::string root_b = work.path() + "/machine-b";
  std::string ctx_a = work.path() + "/checkout-a";
  std::string ctx_b = work.path() + "/elsewhere/checkout-b";
  std::string dir = work.path() + "/cache";
  tests::KilnRun last;
};

TEST_F(Cache, LocalMaxCacheServesEveryStepOnAnEmptyStore) {
  std::string made = image_digest(root_a, ctx_a, {"--cache-to", "type=local,dest=" + dir + ",mode=max"});
  ASSERT_EQ(made.rfind("sha256:", 0), 0u) << made;
  EXPECT_TRUE(contains(last.err, "exporting cache to " + dir + ": 3 steps")) << last.err;
  EXPECT_TRUE(fs::exists(dir + "/index.json"));
  EXPECT_TRUE(fs::exists(dir + "/oci-layout"));

  std::string again = image_digest(root_b, ctx_b, {"--cache-from", "type=local,src=" + dir});
  EXPECT_EQ(again, made) << last.err;
  EXPECT_EQ(cached_steps(last.err), 3) << last.err;
  EXPECT_EQ(imported(last.err), std::make_pair(3, 3)) << last.err;
}

TEST_F(Cache, MinCacheHoldsTheFinalStageOnly) {
  std::string made = image_digest(root_a, ctx_a, {"--cache-to", "type=local,dest=" + dir});
  ASSERT_EQ(made.rfind("sha256:", 0), 0u) << made;
  EXPECT_TRUE(contains(last.err, ": 2 steps")) << last.err;
  // The deps stage runs again; the final stage's steps, keyed by what they
  // read and not by where it came from, are still hits.
  std::string again = image_digest(root_b, ctx_b, {"--cache-from", "type=local,src=" + dir});
  EXPECT_EQ(again, made) << last.err;
  EXPECT_EQ(cached_steps(last.err), 2) << last.err;
  EXPECT_EQ(imported(last.err).first, 2) << last.err;
}

TEST_F(Cache, OnlyTheLayersOfHitsAreFetched) {
  ASSERT_EQ(build(root_a, ctx_a, {"--cache-to", "type=local,dest=" + dir + ",mode=max"}).exit_code, 0);
  auto r = build(root_b, ctx_b, {"--target", "deps", "--cache-from", "type=local,src=" + dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(imported(r.err), std::make_pair(1, 1)) << r.err;
}

TEST_F(Cache, AChangedFileRunsItsStepAndTheRestComesFromTheCache) {
  ASSERT_EQ(build(root_a, ctx_a, {"--cache-to", "type=local,dest=" + dir + ",mode=max"}).exit_code, 0);
  write(ctx_b + "/app/main.txt", "the app, changed\n");
  auto r = build(root_b, ctx_b, {"--cache-from", "type=local,src=" + dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(imported(r.err).first, 1) << r.err;  // the deps stage
  EXPECT_EQ(cached_steps(r.err), 1) << r.err;
  std::string out = work.path() + "/out";
  ASSERT_EQ(build(root_b, ctx_b, {"--cache-from", "type=local,src=" + dir, "-o", out}).exit_code, 0);
  EXPECT_EQ(read(out + "/app/main.txt"), "the app, changed\n");
  EXPECT_EQ(read(out + "/vendor/lib.txt"), "a library\n");
}

TEST_F(Cache, AMissingOrUnreachableCacheOnlyWarns) {
  auto r = build(root_b, ctx_b, {"--cache-from", "type=local,src=" + work.path() + "/nothing-here",
                                 "--cache-from", "127.0.0.1:9/nobody/cache:latest"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "warning: cache " + work.path() + "/nothing-here not imported")) << r.err;
  EXPECT_TRUE(contains(r.err, "warning: cache 127.0.0.1:9/nobody/cache:latest not imported")) << r.err;
  EXPECT_EQ(cached_steps(r.err), 0);
}

TEST_F(Cache, ACorruptLayerIsRefusedTheStepRunsAndTheStoreStaysConsistent) {
  ASSERT_EQ(build(root_a, ctx_a, {"--cache-to", "type=local,dest=" + dir + ",mode=max"}).exit_code, 0);
  // Every layer blob in the cache gets other bytes of the same size.
  auto index = nlohmann::json::parse(read(dir + "/index.json"));
  std::string manifest_hex = index["manifests"][0]["digest"].get<std::string>().substr(7);
  auto manifest = nlohmann::json::parse(read(dir + "/blobs/sha256/" + manifest_hex));
  for (const auto& layer : manifest["layers"]) {
    std::string path = dir + "/blobs/sha256/" + layer["digest"].get<std::string>().substr(7);
    std::string bytes = read(path);
    for (char& c : bytes) c = static_cast<char>(c ^ 0x5a);
    write(path, bytes);
  }
  std::string out = work.path() + "/out";
  auto r = build(root_b, ctx_b, {"--cache-from", "type=local,src=" + dir, "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "warning: cannot use local cache " + dir)) << r.err;
  EXPECT_EQ(cached_steps(r.err), 0) << r.err;
  EXPECT_EQ(read(out + "/vendor/lib.txt"), "a library\n");
  auto fsck = tests::run_kiln({"fsck", "--root", root_b});
  EXPECT_EQ(fsck.exit_code, 0) << fsck.out << fsck.err;
}

TEST_F(Cache, AnExportThatCannotBeWrittenFailsUnlessIgnored) {
  write(work.path() + "/a-file", "not a directory\n");
  std::string bad = work.path() + "/a-file/cache";
  auto r = build(root_a, ctx_a, {"--cache-to", "type=local,dest=" + bad});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(contains(r.err, "error: exporting cache to " + bad)) << r.err;
  auto ignored = build(root_a, ctx_a, {"--cache-to", "type=local,dest=" + bad + ",ignore-error=true"});
  EXPECT_EQ(ignored.exit_code, 0) << ignored.err;
  EXPECT_TRUE(contains(ignored.err, "warning: exporting cache to " + bad)) << ignored.err;
}

TEST_F(Cache, TagsShareOneDirectory) {
  ASSERT_EQ(build(root_a, ctx_a, {"--cache-to", "type=local,dest=" + dir + ",tag=main"}).exit_code, 0);
  ASSERT_EQ(build(root_a, ctx_a, {"--cache-to", "type=local,dest=" + dir + ",tag=main,mode=max"}).exit_code, 0);
  write(ctx_a + "/app/main.txt", "branch\n");
  ASSERT_EQ(build(root_a, ctx_a, {"--cache-to", "type=local,dest=" + dir + ",tag=branch"}).exit_code, 0);
  auto index = nlohmann::json::parse(read(dir + "/index.json"));
  ASSERT_EQ(index["manifests"].size(), 2u) << index;
  auto r = build(root_b, ctx_b, {"--cache-from", "type=local,src=" + dir + ",tag=main"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(cached_steps(r.err), 3) << r.err;
}

TEST_F(Cache, FlagsAreCheckedBeforeBuilding) {
  struct Case {
    std::string flag, value, message;
  };
  for (const Case& c : std::vector<Case>{
           {"--cache-to", "type=inline", "cache type \"inline\" is not supported"},
           {"--cache-from", "type=gha", "cache type \"gha\" is not supported"},
           {"--cache-to", "type=local", "needs dest="},
           {"--cache-from", "type=local,dest=x", "needs src="},
           {"--cache-to", "type=registry,ref=r/x,mode=all", "mode must be min or max"},
           {"--cache-to", "type=local,dest=x,color=red", "unknown option \"color\""},
       }) {
    auto r = build(root_a, ctx_a, {c.flag, c.value});
    EXPECT_EQ(r.exit_code, 2) << c.value << "\n" << r.err;
    EXPECT_TRUE(contains(r.err, c.message)) << c.value << "\n" << r.err;
  }
}

TEST_F(Cache, RunStepsInTheCacheDoNotRunAgain) {
  if (::geteuid() != 0) GTEST_SKIP() << "RUN steps need root (namespaces, overlay mounts)";
  if (!fs::exists("/bin/busybox")) GTEST_SKIP() << "busybox-static is not installed";
  for (const std::string& ctx : {ctx_a, ctx_b}) {
    ASSERT_EQ(std::system((tests::source_path("examples/busybox/prepare-context") + " " + ctx + " >/dev/null").c_str()), 0);
    // A stamp no second run could reproduce.
    write(ctx + "/Dockerfile",
          "FROM scratch AS tools\n"
          "COPY rootfs/ /\n"
          "RUN head -c 16 /dev/urandom | od -An -tx1 > /stamp && echo ran the \"build step\"\n"
          "FROM tools\n"
          "RUN cp /stamp /final-stamp\n");
  }
  std::string out_a = work.path() + "/out-a";
  std::string out_b = work.path() + "/out-b";
  auto first = build(root_a, ctx_a, {"--cache-to", "type=local,dest=" + dir + ",mode=max", "-o", out_a});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_TRUE(contains(first.err, "ran the build step")) << first.err;
  auto second = build(root_b, ctx_b, {"--cache-from", "type=local,src=" + dir, "-o", out_b});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_FALSE(contains(second.err, "ran the build step")) << second.err;
  EXPECT_EQ(cached_steps(second.err), 3) << second.err;
  EXPECT_EQ(read(out_b + "/final-stamp"), read(out_a + "/final-stamp"));
  EXPECT_FALSE(read(out_b + "/final-stamp").empty());
}

TEST_F(Cache, RegistryCacheRoundTrip) {
  if (std::string why = registry::testing::LocalRegistry::unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
  registry::testing::LocalRegistry reg;
  std::string failed = reg.start();
  ASSERT_TRUE(failed.empty()) << failed;
  ::setenv("DOCKER_CONFIG", (work.path() + "/docker-config").c_str(), 1);
  std::string ref = reg.domain() + "/team/app:buildcache";
  std::string made = image_digest(root_a, ctx_a, {"--cache-to", "type=registry,ref=" + ref + ",mode=max"});
  ASSERT_EQ(made.rfind("sha256:", 0), 0u) << made;
  // A second export of the same cache uploads nothing new.
  ASSERT_EQ(build(root_a, ctx_a, {"--cache-to", "type=registry,ref=" + ref + ",mode=max"}).exit_code, 0);

  std::string again = image_digest(root_b, ctx_b, {"--cache-from", ref});
  EXPECT_EQ(again, made) << last.err;
  EXPECT_EQ(cached_steps(last.err), 3) << last.err;
  EXPECT_EQ(imported(last.err), std::make_pair(3, 3)) << last.err;
  // Not a cache: an image pushed to the registry.
  std::string image = reg.domain() + "/team/app:1";
  ASSERT_EQ(build(root_a, ctx_a, {"-t", image, "--push"}).exit_code, 0);
  auto r = build(root_b, ctx_b, {"--cache-from", "type=registry,ref=" + image});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, image + " is not a kiln build cache")) << r.err;
}

}  // namespace
