#include "registry/auth.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "registry/retry.h"
#include "registry/testing/test_support.h"

namespace registry {
namespace {

TEST(WwwAuthenticate, BearerWithQuotedParams) {
  auto c = parse_www_authenticate(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull")");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].scheme, "bearer");
  EXPECT_EQ(c[0].params["realm"], "https://auth.docker.io/token");
  EXPECT_EQ(c[0].params["service"], "registry.docker.io");
  EXPECT_EQ(c[0].params["scope"], "repository:library/alpine:pull");
}

TEST(WwwAuthenticate, BasicAndSeveralChallenges) {
  auto c = parse_www_authenticate(R"(Basic realm="Registry Realm", Bearer realm="https://t/x", error=insufficient_scope)");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].scheme, "basic");
  EXPECT_EQ(c[0].params["realm"], "Registry Realm");
  EXPECT_EQ(c[1].scheme, "bearer");
  EXPECT_EQ(c[1].params["error"], "insufficient_scope");
}

TEST(WwwAuthenticate, EscapesAndCase) {
  auto c = parse_www_authenticate(R"(BEARER Realm="a\"b", Service=svc)");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].scheme, "bearer");
  EXPECT_EQ(c[0].params["realm"], "a\"b");
  EXPECT_EQ(c[0].params["service"], "svc");
  EXPECT_TRUE(parse_www_authenticate("").empty());
}

TEST(TokenUrl, EscapesServiceAndScopes) {
  Challenge c{"bearer", {{"realm", "https://auth.example.com/token"}, {"service", "reg example"}}};
  EXPECT_EQ(token_url(c, {"repository:a/b:pull", "repository:c:pull,push"}),
            "https://auth.example.com/token?service=reg%20example&scope=repository%3Aa%2Fb%3Apull"
            "&scope=repository%3Ac%3Apull%2Cpush");
  Challenge q{"bearer", {{"realm", "https://a/token?x=1"}}};
  EXPECT_EQ(token_url(q, {}), "https://a/token?x=1");
}

TEST(TokenResponse, TokenOrAccessTokenAndMinimumLifetime) {
  auto t = parse_token_response(R"({"token":"abc","expires_in":300})");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->value, "abc");
  EXPECT_EQ(t->expires_in.count(), 300);
  auto a = parse_token_response(R"({"access_token":"xyz","expires_in":5})");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->value, "xyz");
  EXPECT_EQ(a->expires_in.count(), 60);
  EXPECT_FALSE(parse_token_response(R"({"expires_in":5})").ok());
  EXPECT_FALSE(parse_token_response("nope").ok());
}

TEST(Scopes, RepositoryScopeAndOrigin) {
  EXPECT_EQ(repository_scope("library/alpine", false), "repository:library/alpine:pull");
  EXPECT_EQ(repository_scope("a/b", true), "repository:a/b:pull,push");
  EXPECT_EQ(url_origin("https://Reg.example.com:5000/v2/x?y"), "https://reg.example.com:5000");
  EXPECT_NE(url_origin("http://a:1/x"), url_origin("http://a:2/x"));
}

TEST(Retry, RetryAfterForms) {
  EXPECT_EQ(parse_retry_after("3", 0)->count(), 3);
  EXPECT_EQ(parse_retry_after(" 0 ", 0)->count(), 0);
  // Sun, 06 Nov 1994 08:49:37 GMT = 784111777
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111770)->count(), 7);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111800)->count(), 0);
  EXPECT_FALSE(parse_retry_after("soon", 0));
  EXPECT_FALSE(parse_retry_after("", 0));
}

TEST(Retry, WhatIsRetried) {
  RetryPolicy policy;
  auto status = [](long s, std::string retry_after = {}) {
    HttpResponse r;
    r.status = s;
    if (!retry_after.empty()) r.headers.emplace_back("retry-after", retry_after);
    return HttpResult(r);
  };
  auto failure = [](TransportFailure kind) { return HttpResult(TransportError{kind, base::make_error("x"), 0}); };
  EXPECT_TRUE(retry_delay(policy, 1, status(500), 0));
  EXPECT_TRUE(retry_delay(policy, 1, status(503), 0));
  EXPECT_EQ(retry_delay(policy, 1, status(429, "2"), 0)->count(), 2000);
  EXPECT_FALSE(retry_delay(policy, 1, status(404), 0));
  EXPECT_FALSE(retry_delay(policy, 1, status(401), 0));
  EXPECT_FALSE(retry_delay(policy, 1, status(400), 0));
  EXPECT_TRUE(retry_delay(policy, 1, failure(TransportFailure::connect), 0));
  EXPECT_TRUE(retry_delay(policy, 1, failure(TransportFailure::stalled), 0));
  EXPECT_TRUE(retry_delay(policy, 1, failure(TransportFailure::dropped), 0));
  EXPECT_FALSE(retry_delay(policy, 1, failure(TransportFailure::tls), 0));
  EXPECT_FALSE(retry_delay(policy, policy.max_attempts, status(500), 0));
  EXPECT_EQ(retry_delay(policy, 1, status(429, "100000"), 0)->count(), policy.max_retry_after.count());
}

TEST(Retry, BackoffDoublesUpToTheCap) {
  RetryPolicy policy;
  policy.initial_backoff = std::chrono::milliseconds(100);
  policy.max_backoff = std::chrono::milliseconds(350);
  EXPECT_EQ(backoff(policy, 1).count(), 100);
  EXPECT_EQ(backoff(policy, 2).count(), 200);
  EXPECT_EQ(backoff(policy, 3).count(), 350);
  EXPECT_EQ(backoff(policy, 10).count(), 350);
}

}  // namespace
}  // namespace registry

namespace registry {
namespace {

TEST(TlsFiles, DockerCertsDirLayout) {
  testing::TempDir dir;
  std::string host = dir.path() + "/reg.example.com:5000";
  std::filesystem::create_directories(host);
  for (const char* name : {"b.crt", "a.crt", "client.cert", "client.key", "lone.cert", "notes.txt"})
    testing::write_file(host + "/" + name, "x");
  TlsFiles files = tls_files_for(dir.path(), "reg.example.com:5000");
  EXPECT_EQ(files.ca_files, (std::vector<std::string>{host + "/a.crt", host + "/b.crt"}));
  EXPECT_EQ(files.client_cert, host + "/client.cert");
  EXPECT_EQ(files.client_key, host + "/client.key");
  TlsFiles none = tls_files_for(dir.path(), "other.example.com");
  EXPECT_TRUE(none.ca_files.empty());
  EXPECT_TRUE(none.client_cert.empty());
}

}  // namespace
}  // namespace registry
