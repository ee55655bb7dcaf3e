// `kiln push`, `kiln pull` and `kiln build` (FROM) against a misbehaving
// registry: an in-test registry (FakeServer) that stores what is pushed and
// answers with injected faults. After every failure the store must stay
// consistent (`kiln fsck`) and the half-pulled image must not be listed.
#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/digest.h"
#include "registry/testing/fake_server.h"
#include "registry/testing/test_support.h"
#include "tests/cli/run_kiln.h"
#include "tests/cli/test_files.h"

namespace {

namespace fs = std::filesystem;

using registry::testing::FakeRequest;
using registry::testing::FakeResponse;
using registry::testing::FakeServer;
using registry::testing::http_response;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A minimal distribution API over a map: monolithic uploads, manifests by
// tag or digest, blobs. `fault` may answer a request first; `auth` (a Basic
// header value) makes every request without it a 401.
class MiniRegistry {
 public:
  using Fault = std::function<std::optional<FakeResponse>(const FakeRequest&)>;

  MiniRegistry() : m_server([this](const FakeRequest& r) { return handle(r); }) {}

  std::string domain() const { return m_server.domain(); }
  const FakeServer& server() const { return m_server; }
  void set_fault(Fault fault) {
    std::lock_guard lock(m_mutex);
    m_fault = std::move(fault);
  }
  void require(std::string basic) {
    std::lock_guard lock(m_mutex);
    m_auth = std::move(basic);
  }
  std::string blob(const std::string& digest) {
    std::lock_guard lock(m_mutex);
    return m_blobs[digest];
  }
  // The manifest stored under `tag`, parsed.
  nlohmann::json manifest(const std::string& tag) {
    std::lock_guard lock(m_mutex);
    return nlohmann::json::parse(m_manifests[tag].second, nullptr, false);
  }

 private:
  FakeResponse handle(const FakeRequest& r) {
    std::lock_guard lock(m_mutex);
    if (!m_auth.empty() && r.header("authorization") != m_auth)
      return http_response(401, {{"WWW-Authenticate", "Basic realm=\"mini\""}});
    if (m_fault)
      if (auto answer = m_fault(r)) return *answer;
    const std::string& t = r.target;
    if (t == "/v2/") return http_response(200, {});
    if (size_t at = t.find("/manifests/"); at != std::string::npos) {
      std::string key = t.substr(at + 11);
      if (r.method == "PUT") {
        std::string digest = base::Sha256::of(r.body).str();
        m_manifests[key] = {r.header("content-type"), r.body};
        m_manifests[digest] = m_manifests[key];
        return http_response(201, {{"Docker-Content-Digest", digest}});
      }
      auto it = m_manifests.find(key);
      if (it == m_manifests.end()) return http_response(404, {}, R"({"errors":[{"code":"MANIFEST_UNKNOWN"}]})");
      return http_response(200, {{"Content-Type", it->second.first}}, r.method == "HEAD" ? "" : it->second.second);
    }
    if (t.find("/blobs/uploads/") != std::string::npos || t.starts_with("/upload/")) {
      if (r.method == "POST") return http_response(202, {{"Location", "/upload/" + std::to_string(++m_uploads)}});
      size_t q = t.find("digest=");
      if (r.method == "PUT" && q != std::string::npos) {
        m_blobs[t.substr(q + 7)] = r.body;
        return http_response(201, {});
      }
      return http_response(400, {});
    }
    if (size_t at = t.find("/blobs/"); at != std::string::npos) {
      auto it = m_blobs.find(t.substr(at + 7));
      if (it == m_blobs.end()) return http_response(404, {});
      if (r.method == "HEAD") return http_response(200, {{"Content-Length", std::to_string(it->second.size())}});
      return http_response(200, {}, it->second);
    }
    return http_response(404, {});
  }

  std::mutex m_mutex;
  Fault m_fault;
  std::string m_auth;
  std::map<std::string, std::string> m_blobs;
  std::map<std::string, std::pair<std::string, std::string>> m_manifests;  // type, bytes
  int m_uploads = 0;
  FakeServer m_server;  // last: stops before the state it reads goes away
};

class Misbehaving : public ::testing::Test {
 protected:
  void SetUp() override {
    root = work.path() + "/root";
    ctx = work.path() + "/ctx";
    fs::create_directories(ctx);
    ::setenv("DOCKER_CONFIG", (work.path() + "/docker-config").c_str(), 1);
    ::unsetenv("REGISTRY_AUTH_FILE");
    name = reg.domain() + "/app:1";
    tests::write(ctx + "/hello.txt", "hello\n");
    tests::write(ctx + "/Dockerfile", "FROM scratch\nCOPY hello.txt /app/\n");
    auto b = kiln({"build", "-q", "-t", name, ctx});
    ASSERT_EQ(b.exit_code, 0) << b.err;
  }

  tests::KilnRun kiln(std::vector<std::string> args, const std::string& at_root = {}) {
    args.insert(args.begin() + 1, {"--root", at_root.empty() ? root : at_root});
    return tests::run_kiln(args);
  }
  void push() {
    auto p = kiln({"push", name});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    layer = reg.manifest("1")["layers"][0].value("digest", "");
    ASSERT_FALSE(layer.empty());
  }
  // After a failed pull into `at_root`: a consistent store without the image.
  void expect_clean_failure(const std::string& at_root) {
    auto fsck = kiln({"fsck"}, at_root);
    EXPECT_EQ(fsck.exit_code, 0) << fsck.out << fsck.err;
    EXPECT_TRUE(contains(fsck.out, "no problems")) << fsck.out;
    auto images = kiln({"images"}, at_root);
    EXPECT_FALSE(contains(images.out, reg.domain())) << images.out;
  }

  tests::TempDir work;
  MiniRegistry reg;
  std::string root, ctx, name, layer;
};

TEST_F(Misbehaving, ServerErrorsAreRetriedOnPushAndPull) {
  std::atomic<int> manifest_puts{0}, blob_gets{0};
  reg.set_fault([&](const FakeRequest& r) -> std::optional<FakeResponse> {
    if (r.method == "PUT" && contains(r.target, "/manifests/") && ++manifest_puts == 1)
      return http_response(500, {}, "boom");
    if (r.method == "GET" && contains(r.target, "/blobs/sha256:") && ++blob_gets <= 2)
      return http_response(503, {}, R"({"errors":[{"code":"UNAVAILABLE","message":"busy"}]})");
    return std::nullopt;
  });
  push();
  EXPECT_EQ(manifest_puts.load(), 2);
  std::string fresh = work.path() + "/fresh";
  auto pull = kiln({"pull", name}, fresh);
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  EXPECT_GE(blob_gets.load(), 4);  // two 503s, then the config and the layer
  EXPECT_TRUE(contains(kiln({"images"}, fresh).out, reg.domain() + "/app")) << "pulled image is listed";
}

TEST_F(Misbehaving, TooManyRequestsWaitsForRetryAfter) {
  push();
  std::atomic<int> calls{0};
  reg.set_fault([&](const FakeRequest& r) -> std::optional<FakeResponse> {
    if (contains(r.target, "/manifests/") && ++calls == 1) return http_response(429, {{"Retry-After", "1"}});
    return std::nullopt;
  });
  auto started = std::chrono::steady_clock::now();
  auto pull = kiln({"pull", name}, work.path() + "/fresh");
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(900));
  EXPECT_EQ(calls.load(), 2);
}

TEST_F(Misbehaving, WrongDigestBlobFailsNamingItAndLeavesTheStoreConsistent) {
  push();
  reg.set_fault([&](const FakeRequest& r) -> std::optional<FakeResponse> {
    if (r.method == "GET" && contains(r.target, "/blobs/" + layer)) return http_response(200, {}, "not the layer");
    return std::nullopt;
  });
  std::string fresh = work.path() + "/fresh";
  auto pull = kiln({"pull", name}, fresh);
  EXPECT_NE(pull.exit_code, 0);
  EXPECT_TRUE(contains(pull.err, layer)) << pull.err;
  expect_clean_failure(fresh);

  // A build FROM the same registry fails the same way.
  tests::write(ctx + "/Dockerfile", "FROM " + name + "\nCOPY hello.txt /again/\n");
  std::string builder = work.path() + "/builder";
  auto b = kiln({"build", "--progress=plain", "-t", "derived:1", ctx}, builder);
  EXPECT_NE(b.exit_code, 0);
  EXPECT_TRUE(contains(b.err, layer)) << b.err;
  expect_clean_failure(builder);
  EXPECT_FALSE(contains(kiln({"images"}, builder).out, "derived")) << "nothing was tagged";
}

TEST_F(Misbehaving, TruncatedBlobIsResumedWithRange) {
  push();
  std::atomic<int> calls{0};
  std::string range;
  const std::string bytes = reg.blob(layer);
  reg.set_fault([&](const FakeRequest& r) -> std::optional<FakeResponse> {
    if (r.method != "GET" || !contains(r.target, "/blobs/" + layer)) return std::nullopt;
    if (++calls == 1) {
      FakeResponse cut = http_response(200, {}, bytes);
      cut.cut_after = cut.raw.size() - bytes.size() / 2;
      return cut;
    }
    range = r.header("range");
    size_t from = std::stoul(range.substr(6));
    return http_response(206,
                         {{"Content-Range", "bytes " + std::to_string(from) + "-" + std::to_string(bytes.size() - 1) +
                                                "/" + std::to_string(bytes.size())}},
                         bytes.substr(from));
  });
  auto pull = kiln({"pull", name}, work.path() + "/fresh");
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  EXPECT_EQ(calls.load(), 2);
  EXPECT_TRUE(range.starts_with("bytes=")) << range;
}

TEST_F(Misbehaving, BuildFromRetriesAndBlobRedirectsDropCredentials) {
  push();
  // From now on the registry wants credentials; its blobs live on another host.
  std::string basic = "Basic YWxpY2U6czNjcmV0";  // alice:s3cret
  tests::write(work.path() + "/docker-config/config.json",
               R"({"auths":{")" + reg.domain() + R"(":{"auth":"YWxpY2U6czNjcmV0"}}})");
  std::mutex seen_mutex;
  std::vector<std::string> blob_host_auth;
  FakeServer blob_host([&](const FakeRequest& r) {
    std::lock_guard lock(seen_mutex);
    blob_host_auth.push_back(r.header("authorization"));
    return http_response(200, {}, reg.blob(r.target.substr(1)));
  });
  std::atomic<int> failures{0};
  reg.set_fault([&](const FakeRequest& r) -> std::optional<FakeResponse> {
    if (r.method == "GET" && contains(r.target, "/blobs/sha256:")) {
      if (++failures == 1) return http_response(502, {});
      return http_response(307, {{"Location", blob_host.url() + "/" + r.target.substr(r.target.find("sha256:"))}});
    }
    return std::nullopt;
  });
  reg.require(basic);
  tests::write(ctx + "/Dockerfile", "FROM " + name + "\nCOPY hello.txt /again/\n");
  auto b = kiln({"build", "--progress=plain", "-t", "derived:1", ctx}, work.path() + "/builder");
  ASSERT_EQ(b.exit_code, 0) << b.err;
  std::lock_guard lock(seen_mutex);
  ASSERT_FALSE(blob_host_auth.empty());
  for (const auto& auth : blob_host_auth) EXPECT_EQ(auth, "") << "credentials leaked to the blob host";
}

}  // namespace
