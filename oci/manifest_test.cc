#include "oci/manifest.h"

#include <gtest/gtest.h>

#include "oci/media_types.h"

namespace oci {
namespace {

const std::string k_hex_a(64, 'a');
const std::string k_hex_b(64, 'b');
const std::string k_hex_c(64, 'c');

// The shape Docker Hub serves for a single-platform image.
std::string docker_manifest() {
  return R"({
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
   "config": {
      "mediaType": "application/vnd.docker.container.image.v1+json",
      "size": 1472,
      "digest": "sha256:)" + k_hex_a + R"("
   },
   "layers": [
      {
         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
         "size": 3370706,
         "digest": "sha256:)" + k_hex_b + R"("
      }
   ]
})";
}

TEST(Manifest, ReadsDockerSchema2) {
  auto m = parse_manifest(docker_manifest());
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->media_type, k_media_docker_manifest);
  EXPECT_EQ(m->config.media_type, k_media_docker_config);
  EXPECT_EQ(m->config.size, 1472);
  EXPECT_EQ(m->config.digest.hex(), k_hex_a);
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].size, 3370706);
  EXPECT_EQ(layer_compression(m->layers[0].media_type), Compression::gzip);
}

TEST(Manifest, RoundTripIsCanonicalAndStable) {
  Manifest m;
  m.media_type = std::string(k_media_oci_manifest);
  m.config = describe(std::string(k_media_oci_config), "{}");
  m.layers.push_back(describe(std::string(k_media_oci_layer_gzip), "layer"));
  m.layers[0].annotations["z"] = "1";
  m.layers[0].annotations["a"] = "2";
  m.annotations["org.opencontainers.image.created"] = "2024-01-01T00:00:00Z";
  std::string bytes = serialize(m);
  EXPECT_EQ(bytes.find('\n'), std::string::npos);
  EXPECT_EQ(bytes.find(": "), std::string::npos);
  auto back = parse_manifest(bytes);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, m);
  EXPECT_EQ(serialize(*back), bytes);
  // Keys are sorted at every level.
  EXPECT_LT(bytes.find("\"annotations\""), bytes.find("\"config\""));
  EXPECT_LT(bytes.find("\"config\""), bytes.find("\"layers\""));
  EXPECT_LT(bytes.find("\"a\":\"2\""), bytes.find("\"z\":\"1\""));
}

TEST(Manifest, IgnoresUnknownFields) {
  std::string text = docker_manifest();
  text.insert(1, R"("futureField": {"x": [1]}, )");
  auto m = parse_manifest(text);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(serialize(*m).find("futureField"), std::string::npos);
}

TEST(Manifest, OmittedMediaTypeIsAccepted) {
  std::string text = R"({"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:)" +
                     k_hex_a + R"(","size":2},"layers":[]})";
  auto m = parse_manifest(text);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->media_type, "");
  EXPECT_EQ(*detect_media_type(text), k_media_oci_manifest);
}

struct BadCase {
  std::string name;
  std::string text;
  std::string expected_message;
};

TEST(Manifest, MalformedDocumentsGiveErrorsNamingTheField) {
  std::string cfg = R"("config":{"mediaType":"m","digest":"sha256:)" + k_hex_a + R"(","size":2})";
  std::vector<BadCase> cases = {
      {"not json", "{", "invalid image manifest: malformed JSON at byte 2"},
      {"array", "[]", "invalid image manifest: document: expected an object, got array"},
      {"no version", "{" + cfg + "}", "invalid image manifest: field \"schemaVersion\" is required"},
      {"schema 1", R"({"schemaVersion":1})",
       "invalid image manifest: schemaVersion 1 (Docker image manifest v2 schema 1) is not supported"},
      {"no config", R"({"schemaVersion":2,"layers":[]})",
       "invalid image manifest: field \"config\" is required"},
      {"bad digest", R"({"schemaVersion":2,"config":{"mediaType":"m","digest":"sha256:xyz","size":1}})",
       "invalid image manifest: field \"config.digest\": invalid digest \"sha256:xyz\": expected 64 "
       "lowercase hex characters"},
      {"negative size",
       R"({"schemaVersion":2,"config":{"mediaType":"m","digest":"sha256:)" + k_hex_a + R"(","size":-1}})",
       "invalid image manifest: field \"config.size\": must not be negative"},
      {"layer not object", R"({"schemaVersion":2,)" + cfg + R"(,"layers":["x"]})",
       "invalid image manifest: field \"layers[0]\": expected an object, got string"},
      {"layer size string",
       R"({"schemaVersion":2,)" + cfg + R"(,"layers":[{"mediaType":"m","digest":"sha256:)" + k_hex_b +
           R"(","size":"5"}]})",
       "invalid image manifest: field \"layers[0].size\": expected an integer, got string"},
      {"index media type", R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json"})",
       "invalid image manifest: field \"mediaType\": \"application/vnd.oci.image.index.v1+json\" is "
       "not an image manifest type"},
      {"annotation not string", R"({"schemaVersion":2,)" + cfg + R"(,"annotations":{"a":1}})",
       "invalid image manifest: field \"annotations.a\": expected a string, got number"},
  };
  for (const auto& c : cases) {
    auto m = parse_manifest(c.text);
    ASSERT_FALSE(m.ok()) << c.name;
    EXPECT_EQ(m.error().message, c.expected_message) << c.name;
  }
}

TEST(Index, ReadsDockerManifestListWithPlatforms) {
  std::string text = R"({
  "schemaVersion": 2,
  "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
  "manifests": [
    {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 528,
     "digest": "sha256:)" + k_hex_a + R"(", "platform": {"architecture": "amd64", "os": "linux"}},
    {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 528,
     "digest": "sha256:)" + k_hex_b + R"(",
     "platform": {"architecture": "arm", "os": "linux", "variant": "v7", "os.features": ["x"]}}
  ]
})";
  auto idx = parse_index(text);
  ASSERT_TRUE(idx.ok()) << idx.error().message;
  ASSERT_EQ(idx->manifests.size(), 2u);
  EXPECT_EQ(format_platform(*idx->manifests[0].platform), "linux/amd64");
  EXPECT_EQ(format_platform(*idx->manifests[1].platform), "linux/arm/v7");
  EXPECT_EQ(idx->manifests[1].platform->os_features, std::vector<std::string>{"x"});
  auto back = parse_index(serialize(*idx));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *idx);
}

TEST(Index, RejectsManifestsAndMissingList) {
  auto a = parse_index(docker_manifest());
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("is not an image index type"), std::string::npos);
  auto b = parse_index(R"({"schemaVersion":2})");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().message, "invalid image index: field \"manifests\" is required");
  auto c = parse_index(R"({"schemaVersion":2,"manifests":[{"mediaType":"m","digest":"sha256:)" + k_hex_c +
                       R"(","size":1,"platform":{"os":"linux"}}]})");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message,
            "invalid image index: field \"manifests[0].platform.architecture\" is required");
}

TEST(Index, SubjectAndArtifactTypeRoundTrip) {
  Index idx;
  idx.media_type = std::string(k_media_oci_index);
  idx.artifact_type = "application/vnd.example+type";
  idx.subject = describe(std::string(k_media_oci_manifest), "subject");
  idx.manifests.push_back(describe(std::string(k_media_oci_manifest), "m"));
  idx.manifests[0].platform = *parse_platform("linux/arm64/v8");
  auto back = parse_index(serialize(idx));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, idx);
}

TEST(DetectMediaType, ClassifiesDocuments) {
  EXPECT_EQ(*detect_media_type(docker_manifest()), k_media_docker_manifest);
  EXPECT_EQ(*detect_media_type(R"({"schemaVersion":2,"manifests":[]})"), k_media_oci_index);
  EXPECT_FALSE(detect_media_type(R"({"schemaVersion":1,"fsLayers":[]})").ok());
  EXPECT_FALSE(detect_media_type(R"({"schemaVersion":2})").ok());
  EXPECT_FALSE(detect_media_type("nope").ok());
}

TEST(Platform, ParsesAndRejects) {
  auto p = parse_platform("linux/amd64");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->os, "linux");
  EXPECT_EQ(p->architecture, "amd64");
  EXPECT_FALSE(parse_platform("linux").ok());
  EXPECT_FALSE(parse_platform("linux//v7").ok());
  EXPECT_FALSE(parse_platform("a/b/c/d").ok());
}

TEST(Describe, DigestAndSizeOfBytes) {
  auto d = describe("t", "hello");
  EXPECT_EQ(d.digest.str(), "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  EXPECT_EQ(d.size, 5);
}

}  // namespace
}  // namespace oci
