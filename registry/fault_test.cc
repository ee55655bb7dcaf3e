// Client behaviour under faults, against an in-test HTTP server.
#include <gtest/gtest.h>

#include <atomic>

#include "base/base64.h"
#include "oci/manifest.h"
#include "oci/media_types.h"
#include "registry/client.h"
#include "registry/testing/fake_server.h"
#include "registry/testing/test_support.h"

namespace registry {
namespace {

using testing::FakeRequest;
using testing::FakeResponse;
using testing::FakeServer;
using testing::http_response;
using testing::TempDir;

const std::string k_manifest =
    R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
    R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:)" +
    std::string(64, 'a') + R"(","size":2},"layers":[]})";

FakeResponse manifest_response(const std::string& body = k_manifest,
                               std::string type = "application/vnd.oci.image.manifest.v1+json") {
  return http_response(200, {{"Content-Type", type}}, body);
}

bool is_ping(const FakeRequest& r) { return r.target == "/v2/"; }

struct Harness {
  TempDir dir;
  content::ContentStore store = *content::ContentStore::open(dir.path() + "/root");
  CurlTransport transport;
  std::vector<std::chrono::milliseconds> sleeps;
  std::unique_ptr<AuthConfigPaths> paths;
  SpawnHelperRunner runner{"/nonexistent"};
  std::unique_ptr<CredentialStore> credentials;
  std::unique_ptr<Client> client;

  explicit Harness(std::string basic_user = {}, std::string basic_pass = {}, std::string domain = {}) {
    ClientOptions options;
    options.transport = &transport;
    options.sleep = [this](std::chrono::milliseconds d) { sleeps.push_back(d); };
    if (!basic_user.empty()) {
      paths = std::make_unique<AuthConfigPaths>();
      paths->docker_config_dir = dir.path() + "/docker";
      credentials = std::make_unique<CredentialStore>(*paths, runner);
      EXPECT_TRUE(credentials->store(domain, Credentials{basic_user, basic_pass, ""}).ok());
      options.credentials = credentials.get();
    }
    client = std::make_unique<Client>(options);
  }
};

Reference ref(const FakeServer& server, const std::string& rest) {
  return *parse_reference(server.domain() + "/" + rest);
}

TEST(Faults, ServerErrorThenSuccessIsRetried) {
  std::atomic<int> calls{0};
  FakeServer server([&](const FakeRequest& r) {
    if (is_ping(r)) return http_response(200, {});
    return ++calls == 1 ? http_response(500, {}, "boom") : manifest_response();
  });
  Harness h;
  auto m = h.client->get_manifest(ref(server, "app:1"));
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(server.count("GET", "/v2/app/manifests/1"), 2);
  ASSERT_EQ(h.sleeps.size(), 1u);
  EXPECT_EQ(h.sleeps[0], RetryPolicy{}.initial_backoff);
}

TEST(Faults, PersistentServerErrorGivesUpAfterMaxAttempts) {
  FakeServer server([&](const FakeRequest& r) {
    if (is_ping(r)) return http_response(200, {});
    return http_response(503, {}, R"({"errors":[{"code":"UNAVAILABLE","message":"try later"}]})");
  });
  Harness h;
  auto m = h.client->get_manifest(ref(server, "app:1"));
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("HTTP 503: UNAVAILABLE: try later"), std::string::npos) << m.error().message;
  EXPECT_EQ(server.count("GET", "/v2/app/manifests/1"), RetryPolicy{}.max_attempts);
}

TEST(Faults, TooManyRequestsHonoursRetryAfter) {
  std::atomic<int> calls{0};
  FakeServer server([&](const FakeRequest& r) {
    if (is_ping(r)) return http_response(200, {});
    return ++calls == 1 ? http_response(429, {{"Retry-After", "3"}}) : manifest_response();
  });
  Harness h;
  auto m = h.client->get_manifest(ref(server, "app:1"));
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_EQ(h.sleeps.size(), 1u);
  EXPECT_EQ(h.sleeps[0], std::chrono::milliseconds(3000));
}

TEST(Faults, NotFoundIsNotRetried) {
  FakeServer server([&](const FakeRequest& r) {
    if (is_ping(r)) return http_response(200, {});
    return http_response(404, {}, R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})");
  });
  Harness h;
  auto m = h.client->get_manifest(ref(server, "app:1"));
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("MANIFEST_UNKNOWN"), std::string::npos) << m.error().message;
  EXPECT_EQ(server.count("GET", "/v2/app/manifests/1"), 1);
  EXPECT_TRUE(h.sleeps.empty());
}

TEST(Faults, TruncatedBlobResumesWithRange) {
  std::string blob(50000, 'x');
  for (size_t i = 0; i < blob.size(); ++i) blob[i] = static_cast<char>('a' + i % 26);
  oci::Descriptor desc = oci::describe(std::string(oci::k_media_oci_layer_tar), blob);
  const size_t cut = 20000;
  std::atomic<int> calls{0};
  FakeServer server([&](const FakeRequest& r) {
    if (is_ping(r)) return http_response(200, {});
    if (++calls == 1) {
      FakeResponse full = http_response(200, {}, blob);
      full.cut_after = full.raw.size() - blob.size() + cut;  // headers and the first 20000 bytes
      return full;
    }
    std::string range = r.header("range");
    if (range != "bytes=" + std::to_string(cut) + "-") return http_response(400, {}, "bad range " + range);
    return http_response(206, {{"Content-Range", "bytes " + std::to_string(cut) + "-49999/50000"}}, blob.substr(cut));
  });
  Harness h;
  auto info = h.client->fetch_blob(ref(server, "app:1"), desc, h.store);
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(*h.store.read(desc.digest), blob);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[2].header("range"), "bytes=20000-");
}

TEST(Faults, IgnoredRangeRestartsTheDownload) {
  std::string blob(30000, 'r');
  oci::Descriptor desc = oci::describe(std::string(oci::k_media_oci_layer_tar), blob);
  std::atomic<int> calls{0};
  FakeServer server([&](const FakeRequest& r) {
    if (is_ping(r)) return http_response(200, {});
    FakeResponse full = http_response(200, {}, blob);
    if (++calls == 1) full.cut_after = full.raw.size() - 10000;
    return full;
  });
  Harness h;
  auto info = h.client->fetch_blob(ref(server, "app:1"), desc, h.store);
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(*h.store.read(desc.digest), blob);
  EXPECT_EQ(server.count("GET", "/v2/app/blobs/"), 3);  // cut, ignored range, full
}

TEST(Faults, WrongBlobBytesNeverEnterTheStore) {
  std::string blob = "the real content";
  oci::Descriptor desc = oci::describe(std::string(oci::k_media_oci_layer_tar), blob);
  std::string served = "the fake content";
  FakeServer server([&](const FakeRequest& r) {
    if (is_ping(r)) return http_response(200, {});
    return http_response(200, {}, served);
  });
  Harness h;
  auto info = h.client->fetch_blob(ref(server, "app:1"), desc, h.store);
  ASSERT_FALSE(info.ok());
  EXPECT_NE(info.error().message.find(desc.digest.str()), std::string::npos) << info.error().message;
  EXPECT_NE(info.error().message.find(base::Sha256::of(served).str()), std::string::npos) << info.error().message;
  EXPECT_FALSE(*h.store.exists(desc.digest));
}

TEST(Faults, PinnedManifestDigestIsVerified) {
  FakeServer server([&](const FakeRequest& r) {
    if (is_ping(r)) return http_response(200, {});
    return manifest_response();
  });
  Harness h;
  std::string want = "sha256:" + std::string(64, 'b');
  auto m = h.client->get_manifest(ref(server, "app@" + want));
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find(want), std::string::npos);
  EXPECT_NE(m.error().message.find(base::Sha256::of(k_manifest).str()), std::string::npos);
}

TEST(Faults, SchemaOneIsRefused) {
  FakeServer server([&](const FakeRequest& r) {
    if (is_ping(r)) return http_response(200, {});
    return manifest_response(R"({"schemaVersion":1,"name":"app","tag":"1","fsLayers":[]})",
                             "application/vnd.docker.distribution.manifest.v1+prettyjws");
  });
  Harness h;
  auto m = h.client->get_manifest(ref(server, "app:1"));
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("schema 1"), std::string::npos) << m.error().message;
}

TEST(Faults, AcceptHeaderListsOciAndDockerTypes) {
  FakeServer server([&](const FakeRequest& r) {
    if (is_ping(r)) return http_response(200, {});
    return manifest_response();
  });
  Harness h;
  ASSERT_TRUE(h.client->get_manifest(ref(server, "app:1")).ok());
  std::string accept = server.requests().back().header("accept");
  for (auto type : {oci::k_media_oci_manifest, oci::k_media_oci_index, oci::k_media_docker_manifest,
                    oci::k_media_docker_manifest_list})
    EXPECT_NE(accept.find(type), std::string::npos) << type;
}

// A registry with bearer auth whose token realm is on the same server.
struct TokenRegistry {
  std::atomic<int> token_requests{0};
  std::atomic<int> issued{0};
  std::atomic<bool> revoke_first{false};
  std::string last_token_auth;
  std::string last_token_target;
  std::unique_ptr<FakeServer> server;

  TokenRegistry() {
    server = std::make_unique<FakeServer>([this](const FakeRequest& r) { return handle(r); });
  }
  FakeResponse challenge() {
    return http_response(401, {{"WWW-Authenticate", "Bearer realm=\"" + server->url() +
                                                        "/token\",service=\"fake-registry\""}});
  }
  FakeResponse handle(const FakeRequest& r) {
    if (r.target.starts_with("/token")) {
      ++token_requests;
      last_token_auth = r.header("authorization");
      last_token_target = r.target;
      return http_response(200, {}, R"({"token":"tok)" + std::to_string(++issued) + R"(","expires_in":300})");
    }
    std::string auth = r.header("authorization");
    std::string good = "Bearer tok" + std::to_string(issued.load());
    if (is_ping(r)) return auth.empty() ? challenge() : http_response(200, {});
    if (auth != good || (revoke_first && issued == 1)) return challenge();
    return manifest_response();
  }
};

TEST(Faults, BearerTokensAreFetchedOncePerScopeAndSendCredentialsToTheRealm) {
  TokenRegistry reg;
  Harness h("alice", "pw", reg.server->domain());
  ASSERT_TRUE(h.client->get_manifest(ref(*reg.server, "team/app:1")).ok());
  ASSERT_TRUE(h.client->get_manifest(ref(*reg.server, "team/app:2")).ok());
  EXPECT_EQ(reg.token_requests, 1);
  EXPECT_EQ(reg.last_token_auth, "Basic " + base::base64_encode("alice:pw"));
  EXPECT_NE(reg.last_token_target.find("service=fake-registry"), std::string::npos);
  EXPECT_NE(reg.last_token_target.find("scope=repository%3Ateam%2Fapp%3Apull"), std::string::npos);
  // Another repository is another scope: a new token.
  ASSERT_TRUE(h.client->get_manifest(ref(*reg.server, "team/other:1")).ok());
  EXPECT_EQ(reg.token_requests, 2);
}

TEST(Faults, CachedTokensExpire) {
  TokenRegistry reg;
  CurlTransport transport;
  auto now = std::chrono::steady_clock::now();
  Authenticator auth("http://" + reg.server->domain(), std::nullopt, transport, [&now] { return now; });
  HttpResponse unauthorized;
  unauthorized.status = 401;
  unauthorized.headers.emplace_back("www-authenticate",
                                    "Bearer realm=\"" + reg.server->url() + "/token\",service=\"fake-registry\"");
  ASSERT_TRUE(auth.on_unauthorized(unauthorized, {"repository:a:pull"}).ok());
  auto first = auth.authorization({"repository:a:pull"});
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(**first, "Bearer tok1");
  now += std::chrono::seconds(200);
  EXPECT_EQ(**auth.authorization({"repository:a:pull"}), "Bearer tok1");
  now += std::chrono::seconds(100);  // 300 s issued, renewed 10 s early
  EXPECT_EQ(**auth.authorization({"repository:a:pull"}), "Bearer tok2");
  EXPECT_EQ(auth.tokens_fetched(), 2);
}

TEST(Faults, RejectedTokenIsRefreshedOnce) {
  TokenRegistry reg;
  reg.revoke_first = true;
  Harness h;
  auto m = h.client->get_manifest(ref(*reg.server, "app:1"));
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(reg.token_requests, 2);
  EXPECT_TRUE(reg.last_token_auth.empty()) << "anonymous: no credentials to send";
}

TEST(Faults, RedirectToAnotherHostDropsCredentials) {
  std::string blob = "blob behind a redirect";
  oci::Descriptor desc = oci::describe(std::string(oci::k_media_oci_layer_tar), blob);
  FakeServer storage([&](const FakeRequest&) { return http_response(200, {}, blob); });
  std::string expected_auth = "Basic " + base::base64_encode("bob:pw");
  FakeServer registry([&](const FakeRequest& r) {
    if (r.header("authorization") != expected_auth)
      return http_response(401, {{"WWW-Authenticate", "Basic realm=\"fake\""}});
    if (is_ping(r)) return http_response(200, {});
    return http_response(307, {{"Location", storage.url() + "/bucket/blob?sig=x"}});
  });
  Harness h("bob", "pw", registry.domain());
  auto info = h.client->fetch_blob(ref(registry, "app:1"), desc, h.store);
  ASSERT_TRUE(info.ok()) << info.error().message;
  auto at_storage = storage.requests();
  ASSERT_EQ(at_storage.size(), 1u);
  EXPECT_EQ(at_storage[0].target, "/bucket/blob?sig=x");
  EXPECT_TRUE(at_storage[0].header("authorization").empty());
}

TEST(Faults, CredentialsAreNotSentToAPlainHttpRealmOnAnotherHost) {
  FakeServer tokens([&](const FakeRequest&) { return http_response(200, {}, R"({"token":"t"})"); });
  // Another (non-loopback) host: TEST-NET-1, never contacted.
  std::atomic<bool> remote_realm{true};
  FakeServer registry([&](const FakeRequest& r) {
    if (r.header("authorization") == "Bearer t") return is_ping(r) ? http_response(200, {}) : manifest_response();
    std::string realm = remote_realm ? std::string("http://192.0.2.1:1/token") : tokens.url() + "/token";
    return http_response(401, {{"WWW-Authenticate", "Bearer realm=\"" + realm + "\""}});
  });
  Harness with_creds("carol", "pw", registry.domain());
  auto refused = with_creds.client->get_manifest(ref(registry, "app:1"));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("refusing to send credentials"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(tokens.requests().size(), 0u);
  // A loopback realm beside a loopback registry may have them.
  remote_realm = false;
  Harness local("carol", "pw", registry.domain());
  auto allowed = local.client->get_manifest(ref(registry, "app:1"));
  ASSERT_TRUE(allowed.ok()) << allowed.error().message;
  ASSERT_EQ(tokens.requests().size(), 1u);
  EXPECT_TRUE(tokens.requests()[0].header("authorization").starts_with("Basic "));
  // Anonymous token requests may go anywhere the registry says.
  Harness anonymous;
  auto m = anonymous.client->get_manifest(ref(registry, "app:1"));
  ASSERT_TRUE(m.ok()) << m.error().message;
}

}  // namespace
}  // namespace registry
