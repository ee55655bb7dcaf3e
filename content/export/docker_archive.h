#pragma once
// Writing images as a docker-archive, the tarball `docker load` and skopeo's
// `docker-archive:` transport read. We write the layout `docker save` has
// written since Docker 25: an OCI image layout (see layout.h) plus the legacy
// index files in the same tar,
//
//   manifest.json   [{"Config":"blobs/sha256/<config>","RepoTags":["app:1"],
//                     "Layers":["blobs/sha256/<layer>",...]}]
//   repositories    {"app":{"1":"<top layer diff id hex>"}}
//
// so that both readers of manifest.json (every `docker load`, skopeo) and OCI
// readers (containerd, `oci-archive:`) accept the same file. Unlike Docker we
// keep the layers as the store holds them (gzip or uncompressed) instead of
// decompressing them: index.json then names the original manifests, so a
// round trip keeps the manifest digest, and `docker load` (since 1.10) and
// skopeo decompress gzip layers themselves. zstd layers are refused, since
// `docker load` before 23 cannot read them. See docs/exports.md.
//
// Several images go into one archive; a blob shared by several is written
// once. Only single-platform images (manifests) can be written: the legacy
// manifest.json has no notion of an index.

#include <string>
#include <vector>

#include "base/result.h"
#include "content/content_store.h"
#include "content/export/layout.h"

namespace content::archives {

// The short name `docker save` writes in RepoTags: "docker.io/library/app:1"
// → "app:1", "docker.io/u/app" → "u/app:latest"; empty for names that carry
// a digest or that are empty (those are listed in index.json only).
std::string docker_repo_tag(std::string_view name);

// manifest.json and repositories for the images (pure; reads the manifests
// and configs from the store). Exposed for tests.
struct DockerIndexFiles {
  std::string manifest_json;
  std::string repositories;
};
Result<DockerIndexFiles> docker_index_files(const ContentStore& store, const std::vector<ExportImage>& images);

Result<void> write_docker_archive(const ContentStore& store, const std::vector<ExportImage>& images, int fd);
Result<void> write_docker_archive(const ContentStore& store, const std::vector<ExportImage>& images,
                                  const std::string& path);

}  // namespace content::archives
