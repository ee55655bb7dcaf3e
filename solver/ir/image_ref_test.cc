#include "solver/ir/image_ref.h"

#include <gtest/gtest.h>

#include "solver/ir/platform.h"

namespace ir {
namespace {

std::string norm(std::string_view s) {
  auto r = normalize_image_ref(s);
  return r.ok() ? *r : "error: " + r.error().message;
}

TEST(ImageRef, DockerHubDefaults) {
  EXPECT_EQ(norm("alpine"), "docker.io/library/alpine:latest");
  EXPECT_EQ(norm("alpine:3.19"), "docker.io/library/alpine:3.19");
  EXPECT_EQ(norm("library/alpine"), "docker.io/library/alpine:latest");
  EXPECT_EQ(norm("docker.io/alpine"), "docker.io/library/alpine:latest");
  EXPECT_EQ(norm("index.docker.io/library/alpine:edge"), "docker.io/library/alpine:edge");
  EXPECT_EQ(norm("bitnami/redis"), "docker.io/bitnami/redis:latest");
}

TEST(ImageRef, OtherRegistries) {
  EXPECT_EQ(norm("ghcr.io/o/r:v1"), "ghcr.io/o/r:v1");
  EXPECT_EQ(norm("localhost/app"), "localhost/app:latest");
  EXPECT_EQ(norm("localhost:5000/app"), "localhost:5000/app:latest");
  EXPECT_EQ(norm("registry.example.com:5000/team/app:1.4"), "registry.example.com:5000/team/app:1.4");
  // A single component is never a registry, even with a port-like tag.
  EXPECT_EQ(norm("app:5000"), "docker.io/library/app:5000");
}

TEST(ImageRef, DigestsAreKept) {
  const std::string d = "sha256:" + std::string(64, 'a');
  EXPECT_EQ(norm("alpine@" + d), "docker.io/library/alpine@" + d);
  EXPECT_EQ(norm("alpine:3.19@" + d), "docker.io/library/alpine:3.19@" + d);
  EXPECT_NE(norm("alpine@sha256:abc").find("error"), std::string::npos);
}

TEST(ImageRef, RejectsMalformed) {
  EXPECT_NE(norm("Alpine").find("must be lowercase"), std::string::npos);
  EXPECT_NE(norm("docker.io/Library/alpine").find("must be lowercase"), std::string::npos);
  EXPECT_NE(norm("").find("error"), std::string::npos);
  EXPECT_NE(norm("alpine:").find("error"), std::string::npos);
  EXPECT_NE(norm("a//b").find("error"), std::string::npos);
  EXPECT_NE(norm("-alpine").find("error"), std::string::npos);
  EXPECT_NE(norm(std::string(64, 'a')).find("64-byte"), std::string::npos);
}

TEST(Platform, ParsesAndNormalizes) {
  auto p = [](std::string_view s) {
    auto r = parse_platform(s);
    return r.ok() ? r->str() : "error";
  };
  EXPECT_EQ(p("linux/amd64"), "linux/amd64");
  EXPECT_EQ(p("linux/x86_64"), "linux/amd64");
  EXPECT_EQ(p("linux/aarch64"), "linux/arm64");
  EXPECT_EQ(p("linux/arm64/v8"), "linux/arm64");
  EXPECT_EQ(p("linux/arm"), "linux/arm/v7");
  EXPECT_EQ(p("linux/arm/v6"), "linux/arm/v6");
  EXPECT_EQ(p("Linux/AMD64"), "linux/amd64");
  EXPECT_EQ(p("arm64"), "linux/arm64");
  EXPECT_EQ(p("linux/"), "error");
  EXPECT_EQ(p("plan10/amd64"), "error");
  EXPECT_EQ(p("a/b/c/d"), "error");
}

}  // namespace
}  // namespace ir
