#pragma once
// Writing images from the content store as an OCI image layout
// (image-spec image-layout.md), either into a directory or as a tar stream,
// the format of `skopeo copy oci-archive:` and BuildKit's `type=oci` output.
//
//   oci-layout          {"imageLayoutVersion":"1.0.0"}
//   index.json          one descriptor per (image, name)
//   blobs/sha256/<hex>  every blob the images need, copied from the store
//
// Each index.json entry is the image's root descriptor (manifest or index)
// annotated as BuildKit and containerd do: `io.containerd.image.name` holds
// the full name and `org.opencontainers.image.ref.name` its tag (see
// oci_ref_name). Unnamed images are listed without annotations.
//
// Tars are deterministic: the same images and names give the same bytes (sorted
// entries, fixed metadata; see TarOut). Blobs are streamed, never held in
// memory, and verified against their digests while being copied.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "content/blob_io.h"
#include "content/content_store.h"
#include "oci/descriptor.h"

namespace content::archives {

using base::Result;

// An image to export: its root descriptor (manifest or index) and the name it
// goes by, normalized by the caller ("docker.io/library/app:1"); empty for none.
struct ExportImage {
  std::string name;
  oci::Descriptor target;
};

inline constexpr std::string_view k_annotation_image_name = "io.containerd.image.name";
inline constexpr std::string_view k_oci_layout_file = "{\"imageLayoutVersion\":\"1.0.0\"}";

// The OCI reference name containerd and BuildKit put beside a full name: the
// part after the repository ("1" for "docker.io/library/app:1", "1@sha256:…"
// with a digest); the whole name when it has no registry part or no tag.
std::string oci_ref_name(std::string_view name);

// Every blob the images need, sorted by digest, each once. Layers with urls
// (foreign layers) that are absent from the store are left out, as they are
// when pushing; any other absent blob is an error naming it.
Result<std::vector<BlobInfo>> export_blobs(const ContentStore& store, const std::vector<ExportImage>& images);

// index.json for the images, in the order given. `extra` entries come first
// (used to keep entries of an existing layout directory).
std::string oci_index_json(const std::vector<ExportImage>& images,
                           const std::vector<oci::Descriptor>& extra = {});

// Writes or updates a layout directory. Blobs already present are kept; new
// files are written beside their final name and renamed into place. An
// existing index.json keeps the entries whose names differ from ours.
Result<void> write_oci_layout_dir(const ContentStore& store, const std::vector<ExportImage>& images,
                                  const std::string& dest_dir);

// A layout tar on `fd` (not closed), or at `path` via a temporary file renamed
// into place once complete, so a failed export leaves no partial file.
Result<void> write_oci_layout_tar(const ContentStore& store, const std::vector<ExportImage>& images, int fd);
Result<void> write_oci_layout_tar(const ContentStore& store, const std::vector<ExportImage>& images,
                                  const std::string& path);

// Writes `path` atomically through `fill(fd)`; shared by the tar writers.
Result<void> write_file_atomically(const std::string& path, const std::function<Result<void>(int)>& fill);

}  // namespace content::archives
