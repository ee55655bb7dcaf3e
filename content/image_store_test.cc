#include "content/image_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "content/fsck.h"
#include "content/gc.h"
#include "content/test_support.h"
#include "oci/image_config.h"
#include "oci/manifest.h"
#include "oci/media_types.h"

namespace content {
namespace {

using testing::TempDir;

class ImageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_blobs.emplace(*ContentStore::open(m_dir.path()));
    m_meta.emplace(*MetadataStore::open(m_dir.path(), m_clock));
    m_images.emplace(*m_blobs, *m_meta);
  }

  oci::Descriptor put(std::string media_type, const std::string& bytes) {
    auto info = m_blobs->write_blob(bytes);
    EXPECT_TRUE(info.ok());
    return oci::describe(std::move(media_type), bytes);
  }

  // A one-layer image: returns the manifest descriptor.
  oci::Descriptor make_image(const std::string& layer_bytes) {
    oci::ImageConfig config;
    config.architecture = "amd64";
    config.os = "linux";
    config.rootfs.diff_ids.push_back(base::Sha256::of(layer_bytes));
    oci::Manifest m;
    m.media_type = std::string(oci::k_media_oci_manifest);
    m.config = put(std::string(oci::k_media_oci_config), oci::serialize(config));
    m.layers.push_back(put(std::string(oci::k_media_oci_layer_tar), layer_bytes));
    return put(m.media_type, oci::serialize(m));
  }

  FsckReport run_fsck() {
    auto r = fsck(m_dir.path(), m_clock);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : FsckReport{};
  }

  TempDir m_dir;
  base::FixedClock m_clock{0};
  std::optional<ContentStore> m_blobs;
  std::optional<MetadataStore> m_meta;
  std::optional<ImageStore> m_images;
};

TEST_F(ImageStoreTest, TagRecordsManifestConfigAndLayers) {
  auto target = make_image("layer-1");
  ASSERT_TRUE(m_images->tag("app:latest", target).ok());
  auto blobs = *image_blobs(*m_blobs, target);
  EXPECT_EQ(blobs.size(), 3u);
  EXPECT_EQ(m_meta->blob_refs()->size(), 3u);
  EXPECT_EQ((*m_images->get("app:latest"))->target.digest, target.digest);
  auto report = run_fsck();
  EXPECT_TRUE(report.ok()) << report.problems[0];
  EXPECT_EQ(report.blobs_checked, 3);
  EXPECT_EQ(report.references_checked, 3);
}

TEST_F(ImageStoreTest, NamingTheSameImageAgainWritesNothing) {
  auto first = make_image("layer-1");
  ASSERT_TRUE(m_images->tag("app:latest", first).ok());
  const std::string wal = m_dir.path() + "/kiln.db-wal";
  const auto wal_size = std::filesystem::file_size(wal);
  ASSERT_TRUE(m_images->tag("app:latest", first).ok());
  EXPECT_EQ(std::filesystem::file_size(wal), wal_size);
  // Another image under the name is recorded as before.
  auto second = make_image("layer-2");
  ASSERT_TRUE(m_images->tag("app:latest", second).ok());
  EXPECT_EQ((*m_images->get("app:latest"))->target.digest, second.digest);
  EXPECT_TRUE(run_fsck().ok());
}

TEST_F(ImageStoreTest, IndexKeepsPresentChildrenOnly) {
  auto amd64 = make_image("amd64-layer");
  oci::Index index;
  index.media_type = std::string(oci::k_media_oci_index);
  index.manifests.push_back(amd64);
  index.manifests.back().platform = *oci::parse_platform("linux/amd64");
  index.manifests.push_back(oci::describe(std::string(oci::k_media_oci_manifest), "never pulled"));
  auto target = put(index.media_type, oci::serialize(index));
  ASSERT_TRUE(m_images->tag("multi", target).ok());
  EXPECT_EQ(image_blobs(*m_blobs, target)->size(), 4u);
  EXPECT_TRUE(run_fsck().ok());
}

TEST_F(ImageStoreTest, NamingAnIndexAgainReferencesThePlatformsPulledSince) {
  // Built by hand so that the arm64 manifest's blobs can arrive later.
  auto amd64 = make_image("amd64-layer");
  oci::ImageConfig config;
  config.architecture = "arm64";
  config.os = "linux";
  config.rootfs.diff_ids.push_back(base::Sha256::of("arm64-layer"));
  oci::Manifest arm64_manifest;
  arm64_manifest.media_type = std::string(oci::k_media_oci_manifest);
  const std::string config_bytes = oci::serialize(config);
  arm64_manifest.config = oci::describe(std::string(oci::k_media_oci_config), config_bytes);
  arm64_manifest.layers.push_back(oci::describe(std::string(oci::k_media_oci_layer_tar), "arm64-layer"));
  const std::string arm64_bytes = oci::serialize(arm64_manifest);
  oci::Index index;
  index.media_type = std::string(oci::k_media_oci_index);
  index.manifests.push_back(amd64);
  index.manifests.push_back(oci::describe(arm64_manifest.media_type, arm64_bytes));
  auto target = put(index.media_type, oci::serialize(index));
  ASSERT_TRUE(m_images->tag("multi", target).ok());
  EXPECT_EQ(m_meta->blob_refs()->size(), 4u);  // index + amd64 manifest, config, layer

  // The other platform is pulled: the same name and index, more blobs.
  put(std::string(oci::k_media_oci_config), config_bytes);
  put(std::string(oci::k_media_oci_layer_tar), "arm64-layer");
  put(arm64_manifest.media_type, arm64_bytes);
  ASSERT_TRUE(m_images->tag("multi", target).ok());
  EXPECT_EQ(m_meta->blob_refs()->size(), 7u);
  EXPECT_TRUE(run_fsck().ok());
}

TEST_F(ImageStoreTest, TagFailsWhenALayerIsMissing) {
  auto target = make_image("layer");
  auto manifest = *oci::parse_manifest(*m_blobs->read(target.digest));
  ASSERT_TRUE(m_blobs->remove(manifest.layers[0].digest).ok());
  auto r = m_images->tag("broken", target);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "tagging broken: layer " + manifest.layers[0].digest.str() + " is not in the store");
  EXPECT_FALSE(m_images->get("broken")->has_value());
}

TEST_F(ImageStoreTest, TagRejectsMalformedManifest) {
  auto target = put(std::string(oci::k_media_oci_manifest), R"({"schemaVersion":2})");
  auto r = m_images->tag("bad", target);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("invalid image manifest: field \"config\" is required"),
            std::string::npos);
}

TEST_F(ImageStoreTest, GcKeepsTaggedImagesAndDeletesTheRest) {
  auto kept = make_image("kept");
  auto dropped = make_image("dropped");
  ASSERT_TRUE(m_images->tag("kept", kept).ok());
  ASSERT_TRUE(m_images->tag("dropped", dropped).ok());
  ASSERT_TRUE(*m_images->remove("dropped"));
  auto gc = collect_garbage(*m_meta, *m_blobs);
  ASSERT_TRUE(gc.ok()) << gc.error().message;
  EXPECT_EQ(gc->removed.size(), 3u);
  EXPECT_GT(gc->bytes_freed, 0);
  EXPECT_TRUE(*m_blobs->exists(kept.digest));
  EXPECT_FALSE(*m_blobs->exists(dropped.digest));
  EXPECT_TRUE(run_fsck().ok());
}

TEST_F(ImageStoreTest, FsckFindsCorruptionMissingBlobsAndStrays) {
  auto target = make_image("layer");
  ASSERT_TRUE(m_images->tag("app", target).ok());
  auto manifest = *oci::parse_manifest(*m_blobs->read(target.digest));
  testing::overwrite_file(m_blobs->blob_path(manifest.config.digest), "tampered");
  ASSERT_TRUE(m_blobs->remove(manifest.layers[0].digest).ok());
  testing::overwrite_file(m_blobs->blob_dir() + "/README", "x");
  testing::overwrite_file(m_dir.path() + "/tmp/blob-0123", "left behind");
  auto report = run_fsck();
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.tmp_removed, std::vector<std::string>{"blob-0123"});
  // The reader takes the size from the file it opened, so tampering shows as
  // a digest mismatch.
  std::vector<std::string> expected = {
      "blob " + manifest.config.digest.str() + " is corrupt: content hashes to " +
          base::Sha256::of("tampered").str(),
      "unexpected entry blobs/sha256/README",
      "image \"app\" references missing blob " + manifest.layers[0].digest.str(),
  };
  EXPECT_EQ(report.problems, expected);
}

}  // namespace
}  // namespace content
