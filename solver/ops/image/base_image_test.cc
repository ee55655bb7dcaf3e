#include "solver/ops/image/base_image.h"

#include <gtest/gtest.h>

#include "solver/ops/image/test_util.h"

namespace solver::image {
namespace {

using testing::put_base_image;
using testing::sha;
using testing::TempStore;

oci::ImageConfig config_for(const std::string& os, const std::string& arch, const std::string& variant = "") {
  oci::ImageConfig c;
  c.os = os;
  c.architecture = arch;
  c.variant = variant;
  c.config.env = {"PATH=/bin", "ARCH=" + arch + variant};
  c.rootfs.diff_ids = {sha('d')};
  return c;
}

oci::Descriptor with_platform(oci::Descriptor d, const std::string& os, const std::string& arch,
                              const std::string& variant = "") {
  oci::Platform p;
  p.os = os;
  p.architecture = arch;
  p.variant = variant;
  d.platform = p;
  return d;
}

TEST(ReadBaseImage, ReadsAManifestDirectly) {
  TempStore s;
  oci::Descriptor manifest = put_base_image(s, config_for("linux", "amd64"), "layer-bytes");
  auto base = read_base_image(s.store(), manifest, {"linux", "amd64", ""});
  ASSERT_TRUE(base.ok()) << base.error().message;
  EXPECT_EQ(base->manifest.digest, manifest.digest);
  EXPECT_EQ(base->config.architecture, "amd64");
  ASSERT_EQ(base->layers.size(), 1u);
  EXPECT_EQ(base->layers[0].size, 11);
  auto config = read_image_config(s.store(), manifest, {"linux", "amd64", ""});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->config.env[1], "ARCH=amd64");
}

TEST(ReadBaseImage, ResolvesIndexToThePlatformsManifest) {
  TempStore s;
  oci::Index index;
  index.media_type = std::string(oci::k_media_oci_index);
  index.manifests.push_back(
      with_platform(put_base_image(s, config_for("linux", "amd64"), "amd64-layer"), "linux", "amd64"));
  index.manifests.push_back(
      with_platform(put_base_image(s, config_for("linux", "arm64", "v8"), "arm64-layer"), "linux", "arm64", "v8"));
  index.manifests.push_back(with_platform(put_base_image(s, config_for("linux", "arm", "v6"), "arm6-layer"),
                                          "linux", "arm", "v6"));
  index.manifests.push_back(with_platform(s.put(oci::k_media_oci_manifest, "{}"), "unknown", "unknown"));
  oci::Descriptor idx = s.put(oci::k_media_oci_index, oci::serialize(index));

  auto arm64 = read_image_config(s.store(), idx, {"linux", "arm64", ""});
  ASSERT_TRUE(arm64.ok()) << arm64.error().message;
  EXPECT_EQ(arm64->config.env[1], "ARCH=arm64v8");
  auto armv7 = read_image_config(s.store(), idx, {"linux", "arm", "v7"});
  ASSERT_TRUE(armv7.ok()) << armv7.error().message;
  EXPECT_EQ(armv7->config.env[1], "ARCH=armv6");

  auto missing = read_image_config(s.store(), idx, {"linux", "s390x", ""});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "image index " + idx.digest.str() + " has no manifest for platform linux/s390x");
  EXPECT_EQ(missing.error().hint, "the index offers linux/amd64, linux/arm64/v8, linux/arm/v6");
}

TEST(ReadBaseImage, ErrorsNameTheDigest) {
  TempStore s;
  oci::Descriptor absent;
  absent.media_type = std::string(oci::k_media_oci_manifest);
  absent.digest = sha('a');
  auto r = read_base_image(s.store(), absent, {"linux", "amd64", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("reading image manifest"), std::string::npos) << r.error().message;

  oci::ImageConfig two = config_for("linux", "amd64");
  two.rootfs.diff_ids.push_back(sha('e'));
  oci::Descriptor mismatched = put_base_image(s, two, "one-layer");
  auto m = read_base_image(s.store(), mismatched, {"linux", "amd64", ""});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().message,
            "image manifest " + mismatched.digest.str() + " lists 1 layers but its config has 2 diff_ids");
}

TEST(PlatformRank, NormalizesVariantsAndFallsBack) {
  auto p = [](std::string os, std::string arch, std::string variant = "") {
    oci::Platform out;
    out.os = std::move(os);
    out.architecture = std::move(arch);
    out.variant = std::move(variant);
    return out;
  };
  EXPECT_EQ(platform_rank(p("linux", "arm64", "v8"), {"linux", "arm64", ""}), 0);
  EXPECT_EQ(platform_rank(p("linux", "arm64"), {"linux", "arm64", "v8"}), 0);
  EXPECT_EQ(platform_rank(p("linux", "arm"), {"linux", "arm", "v7"}), 0);
  EXPECT_EQ(platform_rank(p("linux", "amd64", "v1"), {"linux", "amd64", ""}), 0);
  EXPECT_EQ(platform_rank(p("linux", "arm", "v5"), {"linux", "arm", "v7"}), 2);
  EXPECT_FALSE(platform_rank(p("linux", "arm", "v7"), {"linux", "arm", "v6"}).has_value());
  EXPECT_FALSE(platform_rank(p("windows", "amd64"), {"linux", "amd64", ""}).has_value());
  EXPECT_GT(platform_rank(p("linux", "arm", "v7"), {"linux", "arm64", ""}).value_or(-1), 0);
}

}  // namespace
}  // namespace solver::image
