#include "content/image_store.h"

#include <algorithm>
#include <set>

#include "oci/manifest.h"
#include "oci/media_types.h"

namespace content {

namespace {

// Indexes may nest, but never usefully this deep; the limit turns a
// pathological document into an error instead of a deep recursion.
constexpr int k_max_index_depth = 8;

Result<void> require(const ContentStore& blobs, const oci::Descriptor& d, std::string_view what) {
  TRY_ASSIGN(bool present, blobs.exists(d.digest));
  if (!present) return base::make_error(std::string(what) + " " + d.digest.str() + " is not in the store");
  return {};
}

Result<void> collect(const ContentStore& blobs, const oci::Descriptor& target, int depth,
                     std::set<base::Digest>& out) {
  if (depth > k_max_index_depth)
    return base::make_error("image indexes nested deeper than " + std::to_string(k_max_index_depth));
  out.insert(target.digest);
  TRY_ASSIGN(std::string bytes, blobs.read(target.digest));
  if (oci::is_manifest(target.media_type)) {
    TRY_ASSIGN(auto manifest, with_context(oci::parse_manifest(bytes), "manifest " + target.digest.str()));
    TRY(require(blobs, manifest.config, "config"));
    out.insert(manifest.config.digest);
    for (const auto& layer : manifest.layers) {
      if (!layer.urls.empty()) {
        TRY_ASSIGN(bool present, blobs.exists(layer.digest));
        if (!present) continue;
      } else {
        TRY(require(blobs, layer, "layer"));
      }
      out.insert(layer.digest);
    }
    return {};
  }
  if (oci::is_index(target.media_type)) {
    TRY_ASSIGN(auto index, with_context(oci::parse_index(bytes), "index " + target.digest.str()));
    for (const auto& child : index.manifests) {
      TRY_ASSIGN(bool present, blobs.exists(child.digest));
      if (!present) continue;
      if (oci::is_manifest(child.media_type) || oci::is_index(child.media_type)) {
        TRY(collect(blobs, child, depth + 1, out));
      } else {
        out.insert(child.digest);  // e.g. an attestation blob: keep it, do not parse it
      }
    }
    return {};
  }
  return base::make_error("cannot use " + target.digest.str() + " as an image: media type \"" +
                          target.media_type + "\" is neither a manifest nor an index");
}

}  // namespace

Result<std::vector<base::Digest>> image_blobs(const ContentStore& blobs, const oci::Descriptor& target) {
  std::set<base::Digest> out;
  TRY(collect(blobs, target, 0, out));
  return std::vector<base::Digest>(out.begin(), out.end());
}

Result<void> ImageStore::tag(const std::string& name, const oci::Descriptor& target) {
  TRY_ASSIGN(auto needed, with_context(image_blobs(m_blobs, target), "tagging " + name));
  // A rebuild that changed nothing names the same image again: no write
  // transaction (and no fsync) for it. The references must be the same too:
  // an index references the platforms present, and a pull may add one.
  TRY_ASSIGN(bool unchanged, m_metadata.image_is(name, target, needed));
  if (unchanged) return {};
  // Re-check presence under the write lock: garbage collection deletes only
  // while holding it, so what is present now stays present once committed.
  auto check = [&]() -> Result<void> {
    for (const auto& d : needed) {
      TRY_ASSIGN(bool present, m_blobs.exists(d));
      if (!present) return base::make_error("tagging " + name + ": blob " + d.str() + " disappeared");
    }
    return {};
  };
  return m_metadata.put_image(name, target, needed, check);
}

}  // namespace content
