// Export to OCI layouts and docker-archives: names, determinism, contents.

#include <archive_entry.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "content/export/docker_archive.h"
#include "content/export/layout.h"
#include "content/export/test_image.h"
#include "content/test_support.h"
#include "oci/manifest.h"

namespace content::archives {
namespace {

using content::testing::TempDir;
using testing::ListedEntry;

std::vector<std::string> paths(const std::vector<ListedEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.path);
  return out;
}

const ListedEntry* find(const std::vector<ListedEntry>& entries, const std::string& path) {
  for (const auto& e : entries)
    if (e.path == path) return &e;
  return nullptr;
}

std::string blob(const base::Digest& d) { return "blobs/sha256/" + d.hex(); }

class ExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = ContentStore::open(m_dir.path() + "/store");
    ASSERT_TRUE(store) << store.error().message;
    m_store.emplace(std::move(*store));
    auto image = testing::write_image(*m_store, testing::sample_layer());
    ASSERT_TRUE(image) << image.error().message;
    m_image = *image;
  }

  std::string export_tar(const std::vector<ExportImage>& images, bool docker) {
    std::string path = m_dir.path() + "/out-" + std::to_string(m_count++) + ".tar";
    auto r = docker ? write_docker_archive(*m_store, images, path) : write_oci_layout_tar(*m_store, images, path);
    EXPECT_TRUE(r) << r.error().message;
    return testing::read_whole_file(path);
  }

  TempDir m_dir;
  std::optional<ContentStore> m_store;
  testing::TestImage m_image;
  int m_count = 0;
};

TEST(OciRefName, TagOfAFullNameAsContainerdWritesIt) {
  EXPECT_EQ(oci_ref_name("docker.io/library/app:1"), "1");
  EXPECT_EQ(oci_ref_name("ghcr.io/o/r:v2@sha256:abc"), "v2@sha256:abc");
  EXPECT_EQ(oci_ref_name("ghcr.io/o/r@sha256:abc"), "@sha256:abc");
  EXPECT_EQ(oci_ref_name("localhost:5000/app:dev"), "dev");
  // Without a registry part, or without a tag, the whole name.
  EXPECT_EQ(oci_ref_name("app:1"), "app:1");
  EXPECT_EQ(oci_ref_name("localhost:5000/app"), "localhost:5000/app");
}

TEST(DockerRepoTag, FamiliarNamesAsDockerSaveWritesThem) {
  EXPECT_EQ(docker_repo_tag("docker.io/library/app:1"), "app:1");
  EXPECT_EQ(docker_repo_tag("docker.io/user/app:1"), "user/app:1");
  EXPECT_EQ(docker_repo_tag("docker.io/library/app"), "app:latest");
  EXPECT_EQ(docker_repo_tag("localhost:5000/app"), "localhost:5000/app:latest");
  EXPECT_EQ(docker_repo_tag("ghcr.io/o/r:v1"), "ghcr.io/o/r:v1");
  EXPECT_EQ(docker_repo_tag("ghcr.io/o/r@sha256:abc"), "");
  EXPECT_EQ(docker_repo_tag(""), "");
}

TEST_F(ExportTest, OciTarHasSortedLayoutEntries) {
  auto entries = testing::list_tar(export_tar({{"docker.io/library/app:1", m_image.manifest}}, false));
  ASSERT_TRUE(entries) << entries.error().message;
  std::vector<std::string> blobs = {blob(m_image.config), blob(m_image.layer), blob(m_image.manifest.digest)};
  std::sort(blobs.begin(), blobs.end());
  std::vector<std::string> expected = {"blobs/", "blobs/sha256/"};
  expected.insert(expected.end(), blobs.begin(), blobs.end());
  expected.push_back("index.json");
  expected.push_back("oci-layout");
  EXPECT_EQ(paths(*entries), expected);
  EXPECT_EQ(find(*entries, "oci-layout")->content, "{\"imageLayoutVersion\":\"1.0.0\"}");
  auto index = oci::parse_index(find(*entries, "index.json")->content);
  ASSERT_TRUE(index) << index.error().message;
  ASSERT_EQ(index->manifests.size(), 1u);
  EXPECT_EQ(index->manifests[0].digest, m_image.manifest.digest);
  EXPECT_EQ(index->manifests[0].annotations.at("org.opencontainers.image.ref.name"), "1");
  EXPECT_EQ(index->manifests[0].annotations.at("io.containerd.image.name"), "docker.io/library/app:1");
  // The blobs are the store's bytes.
  auto layer = m_store->read(m_image.layer);
  ASSERT_TRUE(layer);
  EXPECT_EQ(find(*entries, blob(m_image.layer))->content, *layer);
}

TEST_F(ExportTest, TarsAreByteForByteReproducible) {
  std::vector<ExportImage> images = {{"docker.io/library/app:1", m_image.manifest}};
  EXPECT_EQ(export_tar(images, false), export_tar(images, false));
  EXPECT_EQ(export_tar(images, true), export_tar(images, true));
  // And a fresh store holding the same image gives the same archive.
  auto other = ContentStore::open(m_dir.path() + "/other");
  ASSERT_TRUE(other);
  auto again = testing::write_image(*other, testing::sample_layer());
  ASSERT_TRUE(again);
  std::string path = m_dir.path() + "/other.tar";
  ASSERT_TRUE(write_oci_layout_tar(*other, {{"docker.io/library/app:1", again->manifest}}, path));
  EXPECT_EQ(testing::read_whole_file(path), export_tar(images, false));
}

TEST_F(ExportTest, TarEntriesHaveFixedOwnersModesAndTimes) {
  // Parse the raw headers: owner 0:0, mtime 0, 0644 files and 0755 dirs.
  std::string bytes = export_tar({{"docker.io/library/app:1", m_image.manifest}}, false);
  ASSERT_GE(bytes.size(), 512u);
  size_t off = 0;
  int headers = 0;
  while (off + 512 <= bytes.size() && bytes[off] != '\0') {
    std::string_view h(bytes.data() + off, 512);
    std::string name(h.substr(0, 100).data());
    auto octal = [&](size_t at, size_t len) { return std::stoul(std::string(h.substr(at, len)), nullptr, 8); };
    EXPECT_EQ(octal(108, 8), 0u) << name;    // uid
    EXPECT_EQ(octal(116, 8), 0u) << name;    // gid
    EXPECT_EQ(octal(136, 12), 0u) << name;   // mtime
    EXPECT_EQ(std::string(h.substr(265, 32).data()), "") << name;  // uname
    EXPECT_EQ(octal(100, 8), name.back() == '/' ? 0755u : 0644u) << name;
    size_t size = std::stoul(std::string(h.substr(124, 11)), nullptr, 8);
    off += 512 + (size + 511) / 512 * 512;
    ++headers;
  }
  EXPECT_EQ(headers, 7);
}

TEST_F(ExportTest, UnnamedImagesHaveNoAnnotations) {
  auto entries = testing::list_tar(export_tar({{"", m_image.manifest}}, false));
  ASSERT_TRUE(entries);
  auto index = oci::parse_index(find(*entries, "index.json")->content);
  ASSERT_TRUE(index);
  ASSERT_EQ(index->manifests.size(), 1u);
  EXPECT_TRUE(index->manifests[0].annotations.empty());
}

TEST_F(ExportTest, MissingBlobIsAnErrorNamingIt) {
  ASSERT_TRUE(m_store->remove(m_image.layer));
  std::string path = m_dir.path() + "/broken.tar";
  auto r = write_oci_layout_tar(*m_store, {{"docker.io/library/app:1", m_image.manifest}}, path);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(m_image.layer.str()), std::string::npos) << r.error().message;
  EXPECT_NE(::access(path.c_str(), F_OK), 0) << "a failed export leaves no file";
}

TEST_F(ExportTest, CorruptBlobAbortsTheExport) {
  std::string path = m_store->blob_path(m_image.layer);
  std::string bytes = testing::read_whole_file(path);
  bytes[bytes.size() / 2] ^= 1;
  ::chmod(path.c_str(), 0644);
  content::testing::overwrite_file(path, bytes);
  auto r = write_oci_layout_tar(*m_store, {{"app", m_image.manifest}}, m_dir.path() + "/x.tar");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("corrupt"), std::string::npos) << r.error().message;
}

TEST_F(ExportTest, LayoutDirKeepsOtherImagesAndReplacesSameName) {
  auto second = testing::write_image(*m_store, testing::sample_layer(), "two");
  ASSERT_TRUE(second);
  std::string dir = m_dir.path() + "/layout";
  ASSERT_TRUE(write_oci_layout_dir(*m_store, {{"docker.io/library/a:1", m_image.manifest}}, dir));
  ASSERT_TRUE(write_oci_layout_dir(*m_store, {{"docker.io/library/b:1", second->manifest}}, dir));
  ASSERT_TRUE(write_oci_layout_dir(*m_store, {{"docker.io/library/a:1", second->manifest}}, dir));
  auto index = oci::parse_index(testing::read_whole_file(dir + "/index.json"));
  ASSERT_TRUE(index);
  ASSERT_EQ(index->manifests.size(), 2u);
  EXPECT_EQ(index->manifests[0].annotations.at("io.containerd.image.name"), "docker.io/library/b:1");
  EXPECT_EQ(index->manifests[1].annotations.at("io.containerd.image.name"), "docker.io/library/a:1");
  EXPECT_EQ(index->manifests[1].digest, second->manifest.digest);
  EXPECT_EQ(testing::read_whole_file(dir + "/" + blob(m_image.layer)), *m_store->read(m_image.layer));
  EXPECT_EQ(testing::read_whole_file(dir + "/oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
}

TEST_F(ExportTest, DockerArchiveListsEveryImageAndWritesSharedLayersOnce) {
  auto second = testing::write_image(*m_store, testing::sample_layer(), "two");
  ASSERT_TRUE(second);
  ASSERT_EQ(second->layer, m_image.layer);
  auto entries = testing::list_tar(export_tar({{"docker.io/library/a:1", m_image.manifest},
                                               {"docker.io/library/a:latest", m_image.manifest},
                                               {"ghcr.io/o/b:2", second->manifest}},
                                              true));
  ASSERT_TRUE(entries) << entries.error().message;
  int layer_copies = 0;
  for (const auto& e : *entries) layer_copies += e.path == blob(m_image.layer);
  EXPECT_EQ(layer_copies, 1);
  auto manifest = nlohmann::json::parse(find(*entries, "manifest.json")->content);
  ASSERT_EQ(manifest.size(), 2u);
  EXPECT_EQ(manifest[0]["Config"], blob(m_image.config));
  EXPECT_EQ(manifest[0]["RepoTags"], nlohmann::json({"a:1", "a:latest"}));
  EXPECT_EQ(manifest[0]["Layers"], nlohmann::json({blob(m_image.layer)}));
  EXPECT_EQ(manifest[1]["RepoTags"], nlohmann::json({"ghcr.io/o/b:2"}));
  auto repos = nlohmann::json::parse(find(*entries, "repositories")->content);
  EXPECT_EQ(repos["a"]["1"], m_image.diff_id.hex());
  EXPECT_EQ(repos["ghcr.io/o/b"]["2"], m_image.diff_id.hex());
  // The OCI side names all three.
  auto index = oci::parse_index(find(*entries, "index.json")->content);
  ASSERT_TRUE(index);
  EXPECT_EQ(index->manifests.size(), 3u);
  ASSERT_NE(find(*entries, "oci-layout"), nullptr);
}

TEST_F(ExportTest, DockerArchiveRefusesIndexes) {
  oci::Index index;
  index.media_type = "application/vnd.oci.image.index.v1+json";
  index.manifests.push_back(m_image.manifest);
  std::string bytes = oci::serialize(index);
  ASSERT_TRUE(m_store->write_blob(bytes));
  auto desc = oci::describe(index.media_type, bytes);
  auto r = write_docker_archive(*m_store, {{"app", desc}}, m_dir.path() + "/d.tar");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("multi-platform"), std::string::npos) << r.error().message;
  EXPECT_FALSE(r.error().hint.empty());
  // The OCI layout carries it.
  EXPECT_TRUE(write_oci_layout_tar(*m_store, {{"app", desc}}, m_dir.path() + "/o.tar"));
}

}  // namespace
}  // namespace content::archives
