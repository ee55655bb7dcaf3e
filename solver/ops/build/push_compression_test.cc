#include "solver/ops/build/push_compression.h"

#include <gtest/gtest.h>

#include "content/test_support.h"
#include "oci/manifest.h"
#include "oci/media_types.h"
#include "snapshotter/layer/stream.h"

namespace solver::ops::build {
namespace {

namespace layer = snapshotter::layer;

std::string gunzip(const std::string& gz) {
  layer::MemorySource in(gz);
  auto source = layer::open_decompressed(in);
  EXPECT_TRUE(source.ok());
  if (!source.ok()) return {};
  EXPECT_EQ((*source)->compression(), layer::Compression::gzip);
  std::string out, buf(4096, '\0');
  while (true) {
    auto n = (*source)->read(buf.data(), buf.size());
    EXPECT_TRUE(n.ok());
    if (!n.ok() || *n == 0) return out;
    out.append(buf.data(), *n);
  }
}

class PushCompression : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = content::ContentStore::open(dir.path());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    blobs = std::make_unique<content::ContentStore>(std::move(*opened));
    for (int i = 0; i < 5000; ++i) tar += "a line of a layer that compresses well\n";
    auto image = content::testing::write_test_image(*blobs, tar, nullptr);
    ASSERT_TRUE(image.ok()) << image.error().message;
    root = *image;
  }
  oci::Manifest manifest_of(const oci::Descriptor& d) {
    auto bytes = blobs->read(d.digest);
    EXPECT_TRUE(bytes.ok());
    auto m = oci::parse_manifest(bytes.ok() ? *bytes : "");
    EXPECT_TRUE(m.ok());
    return m.ok() ? *m : oci::Manifest{};
  }

  content::testing::TempDir dir;
  std::unique_ptr<content::ContentStore> blobs;
  std::string tar;
  oci::Descriptor root;
};

TEST_F(PushCompression, UncompressedLayersAreGzippedUnderANewManifestWithTheSameConfig) {
  auto pushable = pushable_image(*blobs, root, {}, {});
  ASSERT_TRUE(pushable.ok()) << pushable.error().message;
  EXPECT_EQ(pushable->layers_compressed, 1);
  EXPECT_NE(pushable->target.digest, root.digest);
  EXPECT_EQ(pushable->target.media_type, root.media_type);

  oci::Manifest before = manifest_of(root);
  oci::Manifest after = manifest_of(pushable->target);
  EXPECT_EQ(after.config, before.config);  // diff_ids unchanged
  ASSERT_EQ(after.layers.size(), 1u);
  EXPECT_EQ(after.layers[0].media_type, oci::k_media_oci_layer_gzip);
  auto gz = blobs->read(after.layers[0].digest);
  ASSERT_TRUE(gz.ok());
  EXPECT_EQ(static_cast<int64_t>(gz->size()), after.layers[0].size);
  EXPECT_LT(gz->size(), tar.size() / 4);
  EXPECT_EQ(gunzip(*gz), tar);

  // The same input gives the same manifest: compression is deterministic.
  auto again = pushable_image(*blobs, root, {}, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->target.digest, pushable->target.digest);
}

TEST_F(PushCompression, TheCompressedFormTheDestinationHoldsIsReused) {
  auto first = pushable_image(*blobs, root, {}, {});
  ASSERT_TRUE(first.ok());
  auto reused = pushable_image(*blobs, root, {root, first->target}, {});
  ASSERT_TRUE(reused.ok());
  EXPECT_EQ(reused->target, first->target);
  EXPECT_EQ(reused->layers_compressed, 0);

  // A zstd form is not what a gzip push asks for.
  layer::CompressionOptions zstd{layer::Compression::zstd, -1, 0};
  auto zstd_form = pushable_image(*blobs, root, {}, zstd);
  ASSERT_TRUE(zstd_form.ok()) << zstd_form.error().message;
  auto not_zstd = pushable_image(*blobs, root, {zstd_form->target}, {});
  ASSERT_TRUE(not_zstd.ok());
  EXPECT_EQ(not_zstd->layers_compressed, 1);
  EXPECT_EQ(not_zstd->target.digest, first->target.digest);

  // A destination holding another image (here: the uncompressed one) is not.
  auto other = pushable_image(*blobs, root, {root}, {});
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->layers_compressed, 1);
  EXPECT_EQ(other->target.digest, first->target.digest);
}

TEST_F(PushCompression, CompressedImagesAndIndexesAreLeftAlone) {
  auto compressed = pushable_image(*blobs, root, {}, {});
  ASSERT_TRUE(compressed.ok());
  auto unchanged = pushable_image(*blobs, compressed->target, {}, {});
  ASSERT_TRUE(unchanged.ok());
  EXPECT_EQ(unchanged->target, compressed->target);
  EXPECT_EQ(unchanged->layers_compressed, 0);

  oci::Index index;
  index.media_type = std::string(oci::k_media_oci_index);
  index.manifests.push_back(root);
  std::string bytes = oci::serialize(index);
  ASSERT_TRUE(blobs->write_blob(bytes).ok());
  oci::Descriptor index_desc = oci::describe(index.media_type, bytes);
  auto as_is = pushable_image(*blobs, index_desc, {}, {});
  ASSERT_TRUE(as_is.ok());
  EXPECT_EQ(as_is->target, index_desc);

  // compression=uncompressed asked for: nothing to do.
  layer::CompressionOptions none{layer::Compression::none, -1, 0};
  auto kept = pushable_image(*blobs, root, {}, none);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->target, root);
}

TEST_F(PushCompression, ACorruptLayerFailsNamingItsDigest) {
  oci::Manifest m = manifest_of(root);
  std::string path = dir.path() + "/blobs/sha256/" + m.layers[0].digest.hex();
  content::testing::overwrite_file(path, tar.substr(0, tar.size() / 2) + "tampered");
  auto pushable = pushable_image(*blobs, root, {}, {});
  ASSERT_FALSE(pushable.ok());
  EXPECT_NE(pushable.error().render().find(m.layers[0].digest.str()), std::string::npos)
      << pushable.error().render();
}

}  // namespace
}  // namespace solver::ops::build
