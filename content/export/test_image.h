#pragma once
// Test helpers for the archive tests: layer tars built in code with libarchive
// (never checked-in binaries), a small image written into a ContentStore, tar
// listings, and running the real tools (skopeo, umoci) as child processes.

#include <string>
#include <vector>

#include "base/result.h"
#include "content/content_store.h"
#include "oci/descriptor.h"

namespace content::archives::testing {

struct TarEntry {
  enum class Type { file, dir, symlink, hardlink } type = Type::file;
  std::string path;
  std::string content;  // file content, or the link target
  unsigned mode = 0644;
  int64_t uid = 0;
  int64_t gid = 0;
};

// An uncompressed tar of the entries, in the order given.
std::string make_tar(const std::vector<TarEntry>& entries);
// gzip (via libarchive) of `bytes`.
std::string gzip(const std::string& bytes);

// The entries of the layer every test image uses: /etc/hello.txt,
// /usr/bin/tool (0755, 1000:1000), /usr/bin/link → tool, /home/user (0700, 1000:1000).
std::vector<TarEntry> sample_layer();

struct TestImage {
  oci::Descriptor manifest;
  base::Digest config;
  base::Digest layer;    // the blob in the store (gzip)
  base::Digest diff_id;  // the uncompressed tar
};

// A one-layer image (gzip layer, OCI media types) whose config carries `label`,
// so that different labels give different images sharing the same layer.
base::Result<TestImage> write_image(const ContentStore& store, const std::vector<TarEntry>& layer,
                                    const std::string& label = "one");

struct ListedEntry {
  std::string path;
  int type = 0;  // AE_IFREG, AE_IFDIR, ...
  int64_t size = 0;
  std::string content;  // regular files only
};
// Every entry of a tar (possibly compressed), in archive order.
base::Result<std::vector<ListedEntry>> list_tar(const std::string& bytes);

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs argv[0] (searched in PATH) with the arguments, capturing its output.
RunResult run(const std::vector<std::string>& argv);
// Whether `tool` is in PATH.
bool have_tool(const std::string& tool);

std::string read_whole_file(const std::string& path);
void write_whole_file(const std::string& path, const std::string& bytes);
// Blobs of the store, as "digest size" lines, for before/after comparisons.
std::vector<std::string> store_listing(const ContentStore& store);

}  // namespace content::archives::testing
