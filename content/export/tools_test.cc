// Exports checked by the tools people use on them: skopeo (inspect and copy
// of oci:, oci-archive: and docker-archive:) and umoci (unpack into a rootfs);
// and archives those tools write, loaded back. Skipped when the tools are absent.

#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "content/export/docker_archive.h"
#include "content/export/layout.h"
#include "content/export/load.h"
#include "content/export/test_image.h"
#include "content/image_store.h"
#include "content/metadata.h"
#include "content/test_support.h"
#include "oci/manifest.h"

namespace content::archives {
namespace {

using content::testing::TempDir;

constexpr const char* k_name = "docker.io/library/app:1";

class ToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {"skopeo", "umoci"})
      if (!testing::have_tool(tool)) GTEST_SKIP() << tool << " is not installed (.ci/setup installs it)";
    auto store = ContentStore::open(path("store"));
    ASSERT_TRUE(store);
    m_store.emplace(std::move(*store));
    auto image = testing::write_image(*m_store, testing::sample_layer());
    ASSERT_TRUE(image) << image.error().message;
    m_image = *image;
    std::vector<ExportImage> images = {{k_name, m_image.manifest}};
    ASSERT_TRUE(write_oci_layout_dir(*m_store, images, path("layout")));
    ASSERT_TRUE(write_oci_layout_tar(*m_store, images, path("oci.tar")));
    ASSERT_TRUE(write_docker_archive(*m_store, images, path("docker.tar")));
  }

  std::string path(const std::string& name) const { return m_dir.path() + "/" + name; }

  nlohmann::json skopeo_json(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"skopeo"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = testing::run(argv);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }

  void skopeo_copy(const std::string& from, const std::string& to) {
    auto r = testing::run({"skopeo", "--insecure-policy", "copy", "-q", from, to});
    ASSERT_EQ(r.exit_code, 0) << from << " -> " << to << ": " << r.err;
  }

  // The manifest a copied layout lists first.
  oci::Manifest first_manifest(const std::string& dir) {
    auto index = oci::parse_index(testing::read_whole_file(dir + "/index.json"));
    EXPECT_TRUE(index);
    if (!index || index->manifests.empty()) return {};
    auto m = oci::parse_manifest(
        testing::read_whole_file(dir + "/blobs/sha256/" + index->manifests[0].digest.hex()));
    EXPECT_TRUE(m);
    return m ? *m : oci::Manifest{};
  }

  TempDir m_dir;
  std::optional<ContentStore> m_store;
  testing::TestImage m_image;
};

TEST_F(ToolsTest, SkopeoInspectsTheOciLayoutDirAndTar) {
  for (const std::string& ref : {"oci:" + path("layout") + ":1", "oci-archive:" + path("oci.tar") + ":1"}) {
    SCOPED_TRACE(ref);
    auto j = skopeo_json({"inspect", ref});
    EXPECT_EQ(j["Digest"], m_image.manifest.digest.str());
    EXPECT_EQ(j["Layers"], nlohmann::json({m_image.layer.str()}));
    EXPECT_EQ(j["Labels"]["test"], "one");
    EXPECT_EQ(j["Architecture"], "amd64");
    auto config = skopeo_json({"inspect", "--config", ref});
    EXPECT_EQ(config["rootfs"]["diff_ids"], nlohmann::json({m_image.diff_id.str()}));
  }
}

TEST_F(ToolsTest, SkopeoInspectsTheDockerArchive) {
  for (const std::string& ref : {"docker-archive:" + path("docker.tar"), "docker-archive:" + path("docker.tar") + ":app:1"}) {
    SCOPED_TRACE(ref);
    auto j = skopeo_json({"inspect", ref});
    // The docker-archive transport names layers by their diff ids.
    EXPECT_EQ(j["Layers"], nlohmann::json({m_image.diff_id.str()}));
    EXPECT_EQ(j["Labels"]["test"], "one");
    auto config = skopeo_json({"inspect", "--config", ref});
    EXPECT_EQ(config["config"]["Cmd"], nlohmann::json({"/usr/bin/tool"}));
  }
}

TEST_F(ToolsTest, SkopeoCopiesEveryExport) {
  skopeo_copy("oci:" + path("layout") + ":1", "oci:" + path("copy-dir") + ":x");
  skopeo_copy("oci-archive:" + path("oci.tar") + ":1", "oci:" + path("copy-tar") + ":x");
  skopeo_copy("docker-archive:" + path("docker.tar"), "oci:" + path("copy-docker") + ":x");
  // OCI to OCI keeps the manifest as it is.
  EXPECT_EQ(first_manifest(path("copy-dir")).config.digest, m_image.config);
  auto from_tar = oci::parse_index(testing::read_whole_file(path("copy-tar") + "/index.json"));
  ASSERT_TRUE(from_tar);
  EXPECT_EQ(from_tar->manifests.at(0).digest, m_image.manifest.digest);
  // From the docker archive skopeo converts the image to OCI and writes the
  // config anew (its own key order); its content is the same.
  auto copied = first_manifest(path("copy-docker")).config.digest;
  auto config = nlohmann::json::parse(
      testing::read_whole_file(path("copy-docker") + "/blobs/sha256/" + copied.hex()), nullptr, false);
  EXPECT_EQ(config, nlohmann::json::parse(*m_store->read(m_image.config)));
}

struct FsEntry {
  char type = '?';  // f, d, l
  unsigned mode = 0;
  unsigned uid = 0;
  unsigned gid = 0;
  std::string content;  // file content or link target
  friend bool operator==(const FsEntry&, const FsEntry&) = default;
};

void walk(const std::string& root, const std::string& rel, std::map<std::string, FsEntry>& out) {
  DIR* dir = ::opendir((root + "/" + rel).c_str());
  ASSERT_NE(dir, nullptr) << rel;
  while (dirent* d = ::readdir(dir)) {
    std::string name = d->d_name;
    if (name == "." || name == "..") continue;
    std::string r = rel.empty() ? name : rel + "/" + name;
    std::string full = root + "/" + r;
    struct stat st {};
    ASSERT_EQ(::lstat(full.c_str(), &st), 0) << full;
    FsEntry e;
    e.mode = st.st_mode & 07777;
    e.uid = st.st_uid;
    e.gid = st.st_gid;
    if (S_ISLNK(st.st_mode)) {
      char buf[4096];
      ssize_t n = ::readlink(full.c_str(), buf, sizeof buf);
      e.type = 'l';
      e.mode = 0;  // link modes mean nothing on Linux
      e.content.assign(buf, n > 0 ? static_cast<size_t>(n) : 0);
    } else if (S_ISDIR(st.st_mode)) {
      e.type = 'd';
      walk(root, r, out);
    } else {
      e.type = 'f';
      e.content = testing::read_whole_file(full);
    }
    out[r] = e;
  }
  ::closedir(dir);
}

void expect_sample_rootfs(const std::string& rootfs) {
  std::map<std::string, FsEntry> got;
  walk(rootfs, "", got);
  std::map<std::string, FsEntry> expected = {
      {"etc", {'d', 0755, 0, 0, ""}},
      {"etc/hello.txt", {'f', 0644, 0, 0, "hello\n"}},
      {"home", {'d', 0755, 0, 0, ""}},
      {"home/user", {'d', 0700, 1000, 1000, ""}},
      {"usr", {'d', 0755, 0, 0, ""}},
      {"usr/bin", {'d', 0755, 0, 0, ""}},
      {"usr/bin/tool", {'f', 0755, 1000, 1000, "#!/bin/sh\necho tool\n"}},
      {"usr/bin/link", {'l', 0, 0, 0, "tool"}},
  };
  ASSERT_EQ(got.size(), expected.size());
  for (const auto& [name, e] : expected) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(got.count(name));
    const auto& g = got[name];
    EXPECT_EQ(g.type, e.type);
    EXPECT_EQ(g.mode, e.mode);
    EXPECT_EQ(g.uid, e.uid);
    EXPECT_EQ(g.gid, e.gid);
    EXPECT_EQ(g.content, e.content);
  }
}

TEST_F(ToolsTest, UmociUnpacksTheExpectedRootfs) {
  if (::geteuid() != 0) GTEST_SKIP() << "umoci unpack keeps owners only as root";
  auto r = testing::run({"umoci", "unpack", "--image", path("layout") + ":1", path("bundle")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_sample_rootfs(path("bundle") + "/rootfs");
  // The same image after skopeo took it through the docker archive.
  skopeo_copy("docker-archive:" + path("docker.tar"), "oci:" + path("via-docker") + ":x");
  r = testing::run({"umoci", "unpack", "--image", path("via-docker") + ":x", path("bundle2")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_sample_rootfs(path("bundle2") + "/rootfs");
}

struct Dest {
  explicit Dest(const std::string& root)
      : blobs(*ContentStore::open(root)), meta(*MetadataStore::open(root, clock)), images(blobs, meta) {}
  base::FixedClock clock{0};
  ContentStore blobs;
  MetadataStore meta;
  ImageStore images;
};

TEST_F(ToolsTest, LoadsWhatSkopeoWrites) {
  skopeo_copy("oci:" + path("layout") + ":1", "docker-archive:" + path("skopeo-docker.tar") + ":app:2");
  skopeo_copy("oci:" + path("layout") + ":1", "oci-archive:" + path("skopeo-oci.tar") + ":v3");
  Dest dest(path("dest"));

  auto docker = load_archive(dest.blobs, dest.images, path("skopeo-docker.tar"));
  ASSERT_TRUE(docker) << docker.error().message;
  ASSERT_EQ(docker->size(), 1u);
  ASSERT_EQ((*docker)[0].names.size(), 1u);
  EXPECT_NE((*docker)[0].names[0].find("app:2"), std::string::npos) << (*docker)[0].names[0];
  auto manifest = oci::parse_manifest(*dest.blobs.read((*docker)[0].target.digest));
  ASSERT_TRUE(manifest);
  EXPECT_EQ(manifest->config.digest, m_image.config);

  auto oci = load_archive(dest.blobs, dest.images, path("skopeo-oci.tar"));
  ASSERT_TRUE(oci) << oci.error().message;
  ASSERT_EQ(oci->size(), 1u);
  EXPECT_EQ((*oci)[0].names, std::vector<std::string>{"v3"});
  EXPECT_EQ((*oci)[0].target.digest, m_image.manifest.digest);
}

TEST_F(ToolsTest, ExportLoadExportIsStable) {
  Dest dest(path("dest"));
  auto loaded = load_archive(dest.blobs, dest.images, path("docker.tar"));
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].target.digest, m_image.manifest.digest);
  ASSERT_TRUE(write_docker_archive(dest.blobs, {{k_name, (*loaded)[0].target}}, path("again.tar")));
  EXPECT_EQ(testing::read_whole_file(path("again.tar")), testing::read_whole_file(path("docker.tar")));
}

}  // namespace
}  // namespace content::archives
