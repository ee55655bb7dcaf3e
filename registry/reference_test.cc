#include "registry/reference.h"

#include <gtest/gtest.h>

namespace registry {
namespace {

const std::string k_hex = "ea0d1e47a3aa3e4c0fd3e4d2b7f1f4b1bd4b0a7c38e2e1b8a8a0f0f2d5b6c7d8";

Reference parse_ok(std::string_view text) {
  auto r = parse_reference(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : Reference{};
}

std::string parse_error(std::string_view text) {
  auto r = parse_reference(text);
  EXPECT_FALSE(r.ok()) << text << " parsed as " << (r.ok() ? r->str() : "");
  return r.ok() ? std::string() : r.error().message;
}

TEST(Reference, OfficialImageGetsLibraryAndLatest) {
  Reference ref = parse_ok("alpine");
  EXPECT_EQ(ref.domain, "docker.io");
  EXPECT_EQ(ref.path, "library/alpine");
  EXPECT_EQ(ref.tag, "latest");
  EXPECT_FALSE(ref.digest);
  EXPECT_EQ(ref.str(), "docker.io/library/alpine:latest");
  EXPECT_EQ(ref.endpoint_host(), "registry-1.docker.io");
  EXPECT_EQ(familiar_string(ref), "alpine:latest");
}

TEST(Reference, HubUserRepositoryHasNoLibraryPrefix) {
  Reference ref = parse_ok("user/app:1.0");
  EXPECT_EQ(ref.str(), "docker.io/user/app:1.0");
  EXPECT_EQ(familiar_string(ref), "user/app:1.0");
}

TEST(Reference, HubAliasesNormalize) {
  EXPECT_EQ(parse_ok("docker.io/alpine").str(), "docker.io/library/alpine:latest");
  EXPECT_EQ(parse_ok("index.docker.io/library/alpine:3").str(), "docker.io/library/alpine:3");
  EXPECT_EQ(parse_ok("docker.io/library/alpine").str(), "docker.io/library/alpine:latest");
}

TEST(Reference, HostPortPathTag) {
  Reference ref = parse_ok("registry.example.com:5000/team/app/sub:v1.2-rc_3");
  EXPECT_EQ(ref.domain, "registry.example.com:5000");
  EXPECT_EQ(ref.path, "team/app/sub");
  EXPECT_EQ(ref.tag, "v1.2-rc_3");
  EXPECT_EQ(ref.endpoint_host(), "registry.example.com:5000");
  EXPECT_EQ(familiar_string(ref), "registry.example.com:5000/team/app/sub:v1.2-rc_3");
}

TEST(Reference, FirstComponentIsDomainOnlyWithDotColonLocalhostOrUppercase) {
  EXPECT_EQ(parse_ok("localhost/app").domain, "localhost");
  EXPECT_EQ(parse_ok("localhost:5000/app").domain, "localhost:5000");
  EXPECT_EQ(parse_ok("myhost:5000/app").domain, "myhost:5000");
  EXPECT_EQ(parse_ok("example.com/app").domain, "example.com");
  EXPECT_EQ(parse_ok("Example/app").domain, "Example");
  // No dot, colon or uppercase: a Docker Hub namespace.
  Reference ref = parse_ok("myhost/app");
  EXPECT_EQ(ref.domain, "docker.io");
  EXPECT_EQ(ref.path, "myhost/app");
  // Without a slash, "localhost:5000" is the image "localhost" with tag "5000".
  ref = parse_ok("localhost:5000");
  EXPECT_EQ(ref.str(), "docker.io/library/localhost:5000");
}

TEST(Reference, IpAddressDomains) {
  EXPECT_EQ(parse_ok("127.0.0.1:5000/app").domain, "127.0.0.1:5000");
  EXPECT_EQ(parse_ok("[::1]:5000/app:1").domain, "[::1]:5000");
  EXPECT_EQ(domain_host("[::1]:5000"), "::1");
  EXPECT_EQ(domain_host("127.0.0.1:5000"), "127.0.0.1");
}

TEST(Reference, PinnedByDigest) {
  Reference ref = parse_ok("alpine@sha256:" + k_hex);
  EXPECT_TRUE(ref.tag.empty());
  ASSERT_TRUE(ref.digest);
  EXPECT_EQ(ref.digest->str(), "sha256:" + k_hex);
  EXPECT_EQ(ref.manifest_ref(), "sha256:" + k_hex);
  EXPECT_EQ(ref.str(), "docker.io/library/alpine@sha256:" + k_hex);
}

TEST(Reference, TagAndDigestKeepsBothAndDigestWins) {
  Reference ref = parse_ok("localhost:5000/app:1.0@sha256:" + k_hex);
  EXPECT_EQ(ref.tag, "1.0");
  EXPECT_EQ(ref.manifest_ref(), "sha256:" + k_hex);
  EXPECT_EQ(ref.str(), "localhost:5000/app:1.0@sha256:" + k_hex);
}

TEST(Reference, PathComponentSeparators) {
  parse_ok("a/b.c/d_e/f__g/h---i");
  parse_ok("a0-b1.c2_d3");
  EXPECT_NE(parse_error("a/b..c").find("\"b..c\""), std::string::npos);
  EXPECT_NE(parse_error("a/b___c").find("\"b___c\""), std::string::npos);
  parse_error("a/-b");
  parse_error("a/b-");
  parse_error("a//b");
  parse_error("a/b/");
  parse_error("a/b_.c");
}

TEST(Reference, UppercaseRepositoryIsRejectedWithTheName) {
  std::string message = parse_error("Alpine");
  EXPECT_NE(message.find("repository name (library/Alpine) must be lowercase"), std::string::npos) << message;
  message = parse_error("example.com/Team/app");
  EXPECT_NE(message.find("must be lowercase"), std::string::npos) << message;
  // Tags may have uppercase letters.
  EXPECT_EQ(parse_ok("alpine:Latest").tag, "Latest");
}

TEST(Reference, TagRules) {
  parse_ok("app:_x");
  parse_ok("app:" + std::string(128, 'a'));
  EXPECT_NE(parse_error("app:" + std::string(129, 'a')).find("tag"), std::string::npos);
  EXPECT_NE(parse_error("app:.x").find("tag \".x\""), std::string::npos);
  EXPECT_NE(parse_error("app:-x").find("tag \"-x\""), std::string::npos);
  parse_error("app:");
  parse_error("app:a+b");
}

TEST(Reference, DigestRules) {
  EXPECT_NE(parse_error("app@sha256:abc").find("64 lowercase hex"), std::string::npos);
  EXPECT_NE(parse_error("app@md5:" + k_hex).find("unsupported algorithm \"md5\""), std::string::npos);
  parse_error("app@sha256:" + std::string(64, 'A'));
  parse_error("app@" + k_hex);
}

TEST(Reference, DomainRules) {
  EXPECT_NE(parse_error("example.com:port/app").find("port \"port\""), std::string::npos);
  EXPECT_NE(parse_error("-example.com/app").find("\"-example\""), std::string::npos);
  parse_error("example-.com/app");
  parse_error("exa_mple.com/app");
  parse_error("[::1/app");
}

TEST(Reference, EmptyAndOtherJunk) {
  EXPECT_NE(parse_error("").find("invalid reference format"), std::string::npos);
  parse_error(":tag");
  parse_error("@sha256:" + k_hex);
  parse_error("app name");
  parse_error("example.com/");
  EXPECT_NE(parse_error(k_hex).find("cannot specify 64-byte hexadecimal strings"), std::string::npos);
}

TEST(Reference, NameLongerThan255IsRejected) {
  std::string path(250, 'a');
  parse_ok(std::string(200, 'a'));
  EXPECT_NE(parse_error("example.com/" + path).find("longer than 255"), std::string::npos);
}

TEST(Reference, LoopbackDomains) {
  EXPECT_TRUE(is_loopback_domain("localhost"));
  EXPECT_TRUE(is_loopback_domain("localhost:5000"));
  EXPECT_TRUE(is_loopback_domain("127.0.0.1:5000"));
  EXPECT_TRUE(is_loopback_domain("[::1]:5000"));
  EXPECT_FALSE(is_loopback_domain("example.com"));
  EXPECT_FALSE(is_loopback_domain("docker.io"));
}

}  // namespace
}  // namespace registry
