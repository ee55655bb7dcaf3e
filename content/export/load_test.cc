// `kiln load`: OCI layouts and docker-archives in, verified, atomically.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "content/export/archive_in.h"
#include "content/export/docker_archive.h"
#include "content/export/layout.h"
#include "content/export/load.h"
#include "content/export/test_image.h"
#include "content/image_store.h"
#include "content/metadata.h"
#include "content/test_support.h"
#include "oci/manifest.h"
#include "oci/media_types.h"

namespace content::archives {
namespace {

using content::testing::TempDir;
using testing::TarEntry;
using T = TarEntry::Type;

TarEntry file(std::string path, std::string content) {
  return {T::file, std::move(path), std::move(content), 0644, 0, 0};
}

// A store with its image names: the destination of a load.
struct Stores {
  explicit Stores(const std::string& root)
      : blobs(*ContentStore::open(root)), meta(*MetadataStore::open(root, clock)), images(blobs, meta) {}
  base::FixedClock clock{0};
  ContentStore blobs;
  MetadataStore meta;
  ImageStore images;
};

class LoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = ContentStore::open(m_dir.path() + "/src");
    ASSERT_TRUE(store);
    m_src.emplace(std::move(*store));
    auto image = testing::write_image(*m_src, testing::sample_layer());
    ASSERT_TRUE(image) << image.error().message;
    m_image = *image;
    m_dst = std::make_unique<Stores>(m_dir.path() + "/dst");
  }

  std::string path(const std::string& name) const { return m_dir.path() + "/" + name; }

  Result<std::vector<LoadedImage>> load(const std::string& p, const LoadOptions& options = {}) {
    return load_archive(m_dst->blobs, m_dst->images, p, options);
  }

  // A hand-built archive from entries.
  std::string write_tar(const std::string& name, const std::vector<TarEntry>& entries) {
    std::string p = path(name);
    testing::write_whole_file(p, testing::make_tar(entries));
    return p;
  }

  std::string blob_bytes(const base::Digest& d) { return *m_src->read(d); }

  // Expects `p` to fail to load with a message containing `needle`, leaving
  // the destination store exactly as it was.
  void expect_rejected(const std::string& p, const std::string& needle) {
    auto before = testing::store_listing(m_dst->blobs);
    auto r = load(p);
    ASSERT_FALSE(r) << p;
    EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
    EXPECT_EQ(testing::store_listing(m_dst->blobs), before);
    auto names = m_dst->images.list();
    ASSERT_TRUE(names);
    EXPECT_TRUE(names->empty());
  }

  TempDir m_dir;
  std::optional<ContentStore> m_src;
  testing::TestImage m_image;
  std::unique_ptr<Stores> m_dst;
};

TEST(CleanEntryName, NormalizesAndRejectsEscapes) {
  EXPECT_EQ(*clean_entry_name("./blobs//sha256/ab"), "blobs/sha256/ab");
  EXPECT_EQ(*clean_entry_name("a/./b/"), "a/b");
  EXPECT_EQ(*clean_entry_name("./"), "");
  EXPECT_FALSE(clean_entry_name("/etc/passwd"));
  EXPECT_FALSE(clean_entry_name("../x"));
  EXPECT_FALSE(clean_entry_name("a/../../x"));
  EXPECT_FALSE(clean_entry_name("a/.."));
  EXPECT_NE(clean_entry_name("a/../b").error().message.find("a/../b"), std::string::npos);
}

TEST_F(LoadTest, OciTarRoundTripKeepsTheManifestDigest) {
  ASSERT_TRUE(write_oci_layout_tar(*m_src, {{"docker.io/library/app:1", m_image.manifest}}, path("o.tar")));
  auto loaded = load(path("o.tar"));
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].target.digest, m_image.manifest.digest);
  EXPECT_EQ((*loaded)[0].names, std::vector<std::string>{"docker.io/library/app:1"});
  EXPECT_TRUE((*loaded)[0].named);
  auto record = m_dst->images.get("docker.io/library/app:1");
  ASSERT_TRUE(record && *record);
  EXPECT_EQ((*record)->target.digest, m_image.manifest.digest);
  EXPECT_EQ(*m_dst->blobs.read(m_image.layer), blob_bytes(m_image.layer));
}

TEST_F(LoadTest, OciDirRoundTrip) {
  ASSERT_TRUE(write_oci_layout_dir(*m_src, {{"docker.io/library/app:1", m_image.manifest}}, path("dir")));
  auto loaded = load(path("dir"));
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].target.digest, m_image.manifest.digest);
  EXPECT_TRUE(*m_dst->blobs.exists(m_image.config));
}

TEST_F(LoadTest, DockerArchiveRoundTripUsesIndexJson) {
  ASSERT_TRUE(write_docker_archive(*m_src, {{"docker.io/library/app:1", m_image.manifest}}, path("d.tar")));
  auto loaded = load(path("d.tar"));
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].target.digest, m_image.manifest.digest);
  EXPECT_EQ((*loaded)[0].names, std::vector<std::string>{"docker.io/library/app:1"});
}

TEST_F(LoadTest, CompressedArchivesAreAccepted) {
  ASSERT_TRUE(write_oci_layout_tar(*m_src, {{"docker.io/library/app:1", m_image.manifest}}, path("o.tar")));
  testing::write_whole_file(path("o.tar.gz"), testing::gzip(testing::read_whole_file(path("o.tar"))));
  auto loaded = load(path("o.tar.gz"));
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ((*loaded)[0].target.digest, m_image.manifest.digest);
}

TEST_F(LoadTest, NamesAreNormalizedByTheCaller) {
  ASSERT_TRUE(write_docker_archive(*m_src, {{"docker.io/library/app:1", m_image.manifest}}, path("d.tar")));
  LoadOptions options;
  options.normalize_name = [](std::string_view n) -> Result<std::string> { return "x/" + std::string(n); };
  auto loaded = load(path("d.tar"), options);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ((*loaded)[0].names, std::vector<std::string>{"x/docker.io/library/app:1"});
}

// Kept under the image's ID (its config digest), as a build without -t is.
TEST_F(LoadTest, UnnamedImagesAreLoadedUnderTheirId) {
  ASSERT_TRUE(write_oci_layout_tar(*m_src, {{"", m_image.manifest}}, path("o.tar")));
  auto loaded = load(path("o.tar"));
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_FALSE((*loaded)[0].named);
  EXPECT_EQ((*loaded)[0].names, std::vector<std::string>{m_image.config.str()});
  auto record = m_dst->images.get(m_image.config.str());
  ASSERT_TRUE(record && *record);
  EXPECT_EQ((*record)->target.digest, m_image.manifest.digest);
}

// The pre-Docker-25 layout: <id>/layer.tar, <config>.json, manifest.json and
// repositories; layers uncompressed, no blobs/ directory.
TEST_F(LoadTest, LegacyDockerArchive) {
  std::string tar = testing::make_tar(testing::sample_layer());
  std::string config = blob_bytes(m_image.config);
  std::string manifest =
      R"([{"Config":")" + m_image.config.hex() + R"(.json","RepoTags":["app:1","app:latest"],"Layers":["abc/layer.tar"]}])";
  std::string p = write_tar("legacy.tar", {{T::dir, "abc/", "", 0755, 0, 0},
                                           file("abc/VERSION", "1.0"),
                                           file("abc/json", "{}"),
                                           file("abc/layer.tar", tar),
                                           file(m_image.config.hex() + ".json", config),
                                           file("manifest.json", manifest),
                                           file("repositories", R"({"app":{"1":"abc"}})")});
  auto loaded = load(p);
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].names, (std::vector<std::string>{"app:1", "app:latest"}));
  auto m = oci::parse_manifest(*m_dst->blobs.read((*loaded)[0].target.digest));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->config.digest, m_image.config);
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].media_type, oci::k_media_oci_layer_tar);
  EXPECT_EQ(m->layers[0].digest, m_image.diff_id);
  // Only what the image needs stays: abc/json and abc/VERSION were never blobs.
  auto listing = testing::store_listing(m_dst->blobs);
  EXPECT_EQ(listing.size(), 3u);
}

// skopeo's docker-archive writer: layers as <diffid>.tar with the legacy
// directories as symlinks to them.
TEST_F(LoadTest, SymlinkedLayersAreFollowedInsideTheArchive) {
  std::string tar = testing::make_tar(testing::sample_layer());
  std::string manifest = R"([{"Config":"cfg.json","RepoTags":null,"Layers":["v1/layer.tar"]}])";
  std::string p = write_tar("links.tar", {file(m_image.diff_id.hex() + ".tar", tar),
                                          {T::symlink, "v1/layer.tar", "../" + m_image.diff_id.hex() + ".tar"},
                                          file("cfg.json", blob_bytes(m_image.config)),
                                          file("manifest.json", manifest)});
  auto loaded = load(p);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_FALSE((*loaded)[0].named);
}

TEST_F(LoadTest, HardLinkedLayersAreFollowed) {
  std::string tar = testing::make_tar(testing::sample_layer());
  std::string manifest = R"([{"Config":"cfg.json","RepoTags":["app:1"],"Layers":["v1/layer.tar"]}])";
  std::string p = write_tar("hard.tar", {file("layer.tar", tar),
                                         {T::hardlink, "v1/layer.tar", "layer.tar"},
                                         file("cfg.json", blob_bytes(m_image.config)),
                                         file("manifest.json", manifest)});
  auto loaded = load(p);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ((*loaded)[0].names, std::vector<std::string>{"app:1"});
}

TEST_F(LoadTest, LoadsFromAStream) {
  auto second = testing::write_image(*m_src, testing::sample_layer(), "two");
  ASSERT_TRUE(second);
  ASSERT_TRUE(write_docker_archive(*m_src, {{"docker.io/library/a:1", m_image.manifest},
                                            {"docker.io/library/b:1", second->manifest},
                                            {"docker.io/library/b:2", second->manifest}},
                                   path("two.tar")));
  int fd = ::open(path("two.tar").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  auto loaded = load_archive_fd(m_dst->blobs, m_dst->images, fd, "standard input");
  ::close(fd);
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].target.digest, m_image.manifest.digest);
  EXPECT_EQ((*loaded)[1].names, (std::vector<std::string>{"docker.io/library/b:1", "docker.io/library/b:2"}));
  auto names = m_dst->images.list();
  ASSERT_TRUE(names);
  EXPECT_EQ(names->size(), 3u);
}

TEST_F(LoadTest, GzipLayersInManifestJsonKeepTheirCompression) {
  std::string manifest = R"([{"Config":"c.json","RepoTags":["app:2"],"Layers":["l.tar.gz"]}])";
  std::string p = write_tar("gz.tar", {file("c.json", blob_bytes(m_image.config)),
                                       file("l.tar.gz", blob_bytes(m_image.layer)),
                                       file("manifest.json", manifest)});
  auto loaded = load(p);
  ASSERT_TRUE(loaded) << loaded.error().message;
  auto m = oci::parse_manifest(*m_dst->blobs.read((*loaded)[0].target.digest));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->layers[0].media_type, oci::k_media_oci_layer_gzip);
  EXPECT_EQ(m->layers[0].digest, m_image.layer);
  // Identical to the manifest the source store holds.
  EXPECT_EQ((*loaded)[0].target.digest, m_image.manifest.digest);
}

TEST_F(LoadTest, LayerNotMatchingTheConfigIsRejected) {
  std::string other = testing::make_tar({file("x", "other")});
  std::string manifest = R"([{"Config":"c.json","RepoTags":["app:2"],"Layers":["l.tar"]}])";
  expect_rejected(write_tar("bad.tar", {file("c.json", blob_bytes(m_image.config)), file("l.tar", other),
                                        file("manifest.json", manifest)}),
                  "layer l.tar");
}

TEST_F(LoadTest, BlobNotMatchingItsNameIsRejected) {
  ASSERT_TRUE(write_oci_layout_dir(*m_src, {{"docker.io/library/app:1", m_image.manifest}}, path("dir")));
  std::string config_path = path("dir/blobs/sha256/" + m_image.config.hex());
  std::string bytes = testing::read_whole_file(config_path);
  bytes[10] = bytes[10] == 'x' ? 'y' : 'x';
  testing::write_whole_file(config_path, bytes);
  expect_rejected(path("dir"), "blobs/sha256/" + m_image.config.hex());
  // The same archive as a tar.
  std::vector<TarEntry> entries;
  for (const auto& name : {"index.json", "oci-layout"})
    entries.push_back(file(name, testing::read_whole_file(path("dir/") + name)));
  for (const auto& d : {m_image.config, m_image.layer, m_image.manifest.digest})
    entries.push_back(file("blobs/sha256/" + d.hex(), testing::read_whole_file(path("dir/blobs/sha256/") + d.hex())));
  expect_rejected(write_tar("bad-blob.tar", entries), "blobs/sha256/" + m_image.config.hex());
}

TEST_F(LoadTest, TruncatedArchiveIsRejectedNamingTheEntry) {
  ASSERT_TRUE(write_oci_layout_tar(*m_src, {{"docker.io/library/app:1", m_image.manifest}}, path("o.tar")));
  std::string bytes = testing::read_whole_file(path("o.tar"));
  // Cut inside the first blob's data (after the two directory headers and
  // the first blob's header).
  testing::write_whole_file(path("cut.tar"), bytes.substr(0, 512 * 3 + 100));
  expect_rejected(path("cut.tar"), "blobs/sha256/");
}

TEST_F(LoadTest, MissingBlobIsRejected) {
  ASSERT_TRUE(write_oci_layout_dir(*m_src, {{"docker.io/library/app:1", m_image.manifest}}, path("dir")));
  std::vector<TarEntry> entries;
  for (const auto& name : {"index.json", "oci-layout"})
    entries.push_back(file(name, testing::read_whole_file(path("dir/") + name)));
  for (const auto& d : {m_image.config, m_image.manifest.digest})
    entries.push_back(file("blobs/sha256/" + d.hex(), testing::read_whole_file(path("dir/blobs/sha256/") + d.hex())));
  expect_rejected(write_tar("missing.tar", entries), "has no entry blobs/sha256/" + m_image.layer.hex());
}

TEST_F(LoadTest, UnsafeEntryNamesAreRejected) {
  expect_rejected(write_tar("dotdot.tar", {file("../evil", "x"), file("manifest.json", "[]")}), "\"../evil\"");
  expect_rejected(write_tar("abs.tar", {file("/etc/evil", "x"), file("manifest.json", "[]")}), "absolute");
  expect_rejected(write_tar("link.tar", {{T::symlink, "a/layer.tar", "../../etc/passwd"}, file("manifest.json", "[]")}),
                  "outside the archive");
  expect_rejected(
      write_tar("abslink.tar", {{T::symlink, "layer.tar", "/etc/passwd"}, file("manifest.json", "[]")}),
      "outside the archive");
  std::string manifest = R"([{"Config":"../c.json","RepoTags":[],"Layers":[]}])";
  expect_rejected(write_tar("mdotdot.tar", {file("manifest.json", manifest)}), "\"../c.json\"");
}

TEST_F(LoadTest, NotAnArchiveOfImages) {
  expect_rejected(write_tar("empty.tar", {file("hello", "x")}), "neither an OCI layout nor a docker archive");
  testing::write_whole_file(path("junk.tar"), std::string(1000, 'j'));
  expect_rejected(path("junk.tar"), "archive");
}

TEST_F(LoadTest, KeepsBlobsThatExistedBeforeAFailedLoad) {
  // The destination already has the layer; a failing load that carries the
  // same layer must not remove it.
  auto layer = m_dst->blobs.write_blob(blob_bytes(m_image.layer));
  ASSERT_TRUE(layer);
  std::string manifest = R"([{"Config":"c.json","RepoTags":["app:2"],"Layers":["l.tar.gz", "missing"]}])";
  std::string p = write_tar("partial.tar", {file("c.json", blob_bytes(m_image.config)),
                                            file("l.tar.gz", blob_bytes(m_image.layer)),
                                            file("manifest.json", manifest)});
  auto r = load(p);
  ASSERT_FALSE(r);
  EXPECT_TRUE(*m_dst->blobs.exists(m_image.layer));
  EXPECT_FALSE(*m_dst->blobs.exists(m_image.config));
}

}  // namespace
}  // namespace content::archives
