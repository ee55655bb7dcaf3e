#pragma once
// ImageStore: image names over the content store and the metadata database.
// Tagging computes which blobs the image needs (the target, and below it
// configs, layers and child manifests), checks they are present, and records
// name and references in one transaction, so an image name never points at
// content garbage collection may delete.
//
// Borrows both stores; thread-safe as they are.

#include <optional>
#include <string>
#include <vector>

#include "base/digest.h"
#include "base/result.h"
#include "content/content_store.h"
#include "content/metadata.h"
#include "oci/descriptor.h"

namespace content {

// The blobs that an image with root `target` keeps alive, sorted and unique.
// A manifest needs its config and layers (layers with urls, i.e. foreign
// layers, may be absent); an index needs itself and keeps the child manifests
// that are present, recursively (a pull may fetch one platform only).
// Documents are read verified; malformed ones are errors.
Result<std::vector<base::Digest>> image_blobs(const ContentStore& blobs, const oci::Descriptor& target);

class ImageStore {
 public:
  ImageStore(const ContentStore& blobs, MetadataStore& metadata)
      : m_blobs(blobs), m_metadata(metadata) {}

  // Points `name` at `target` (a manifest or index already in the store).
  Result<void> tag(const std::string& name, const oci::Descriptor& target);
  Result<std::optional<ImageRecord>> get(const std::string& name) { return m_metadata.get_image(name); }
  Result<std::vector<ImageRecord>> list() { return m_metadata.list_images(); }
  // Removes the name; its blobs stay until garbage collection.
  Result<bool> remove(const std::string& name) { return m_metadata.remove_image(name); }

 private:
  const ContentStore& m_blobs;
  MetadataStore& m_metadata;
};

}  // namespace content
