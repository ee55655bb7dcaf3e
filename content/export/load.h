#pragma once
// `kiln load`: images from an archive into the content and image stores.
// Reads
//   - OCI image layouts, as a directory or a tar (index.json; names from the
//     io.containerd.image.name annotation, else org.opencontainers.image.ref.name),
//   - docker-archives: the layout of `docker save` since Docker 25 (OCI
//     layout plus manifest.json), the legacy layout (<id>/layer.tar, <id>.json,
//     manifest.json) and what skopeo's docker-archive: transport writes.
// Tars may be compressed (gzip, bzip2, xz, zstd), as `docker load` allows.
//
// When a tar has both index.json and manifest.json, index.json wins if every
// image it lists is complete and consistent with its config; otherwise
// manifest.json is used. Images from manifest.json get an OCI manifest built
// for them (config and layer bytes unchanged, layer media types from the
// layers' compression) and their layers are checked against the config's
// diff ids.
//
// Every blob is verified before it is published. All blobs are in the store
// before the first name is set, and a load that fails before that point
// removes the blobs it added: the store is as before, and the error names the
// archive entry. Names are set one at a time at the end; blobs stay protected
// by the caller's lease (SourceOptions::guard) until then.

#include <functional>
#include <string>
#include <vector>

#include "base/result.h"
#include "content/content_store.h"
#include "content/export/archive_in.h"
#include "content/image_store.h"
#include "oci/descriptor.h"

namespace content::archives {

struct LoadedImage {
  // The names set, normalized by LoadOptions::normalize_name. An image the
  // archive does not name is stored under its digest ("sha256:…"), so that it
  // is kept, and `named` is false.
  std::vector<std::string> names;
  bool named = true;
  oci::Descriptor target;  // media type, digest, size
};

struct LoadOptions {
  PublishGuard* guard = nullptr;
  // Turns a name from the archive ("app:1") into the store's spelling; the
  // default keeps it as written. An error rejects the archive.
  std::function<Result<std::string>(std::string_view)> normalize_name;
};

// What the archive holds, with every blob it needs already in the store; the
// names are not set. Exposed for tests and for `kiln load --dry-run`-style uses.
// Blobs it adds beyond those of the source (manifests built for docker
// archives) are recorded in `log` too.
Result<std::vector<LoadedImage>> read_images(const ContentStore& store, ArchiveSource& source, IngestLog& log,
                                             const LoadOptions& options);

// Loads a tar file or an OCI layout directory at `path`; for standard input,
// pass its fd to load_archive_fd.
Result<std::vector<LoadedImage>> load_archive(const ContentStore& store, ImageStore& images,
                                              const std::string& path, const LoadOptions& options = {});
Result<std::vector<LoadedImage>> load_archive_fd(const ContentStore& store, ImageStore& images, int fd,
                                                 const std::string& what, const LoadOptions& options = {});

}  // namespace content::archives
