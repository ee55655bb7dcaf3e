#include "solver/ops/build/image_chain.h"

#include "oci/image_config.h"
#include "snapshotter/active_snapshot.h"
#include "snapshotter/layer/apply.h"

namespace solver::ops::build {
namespace {

// The content store's verified reader as a layer byte stream.
class BlobSource final : public snapshotter::layer::ByteSource {
 public:
  explicit BlobSource(content::BlobReader reader) : m_reader(std::move(reader)) {}
  base::Result<size_t> read(char* buf, size_t size) override { return m_reader.read(buf, size); }

 private:
  content::BlobReader m_reader;
};

}  // namespace

base::Result<std::vector<std::string>> unpack_layer_chain(const content::ContentStore& blobs,
                                                          snapshotter::Snapshotter& snapshots, CacheIndex& index,
                                                          const std::vector<ChainLayer>& layers,
                                                          const std::string& display,
                                                          const std::function<void(std::string_view)>& log) {
  std::vector<std::string> unpacked;
  std::string parent;
  base::Digest chain;
  for (const ChainLayer& layer : layers) {
    chain = oci::chain_id(chain, layer.diff_id);
    std::string record_key = k_layer_chain_prefix + chain.str();
    TRY_ASSIGN(auto known, index.lookup(record_key));
    if (known) {
      TRY_ASSIGN(bool valid, snapshotter::usable_committed(snapshots, known->snapshot));
      if (valid) {
        parent = known->snapshot;
        unpacked.push_back(parent);
        continue;
      }
    }
    log("unpacking layer " + layer.blob.str() + "\n");
    TRY_ASSIGN(std::string active_id, snapshots.prepare(parent));
    snapshotter::ActiveSnapshot active(snapshots, active_id);
    {
      TRY_ASSIGN(auto mounted, snapshots.mount(active.id()));
      TRY_ASSIGN(auto reader, blobs.open_reader(layer.blob));
      BlobSource source(std::move(reader));
      TRY_ASSIGN(auto applied, snapshotter::layer::apply_layer(mounted->path(), source));
      if (applied.diff_id != layer.diff_id) {
        return base::make_error("layer " + layer.blob.str() + " of " + display + " has diff_id " +
                                applied.diff_id.str() + ", expected " + layer.diff_id.str());
      }
    }
    TRY_ASSIGN(parent, active.commit());
    TRY(index.store(record_key, VertexResult{parent, ""}));
    unpacked.push_back(parent);
  }
  return unpacked;
}

base::Result<std::string> unpack_image_chain(const content::ContentStore& blobs,
                                             snapshotter::Snapshotter& snapshots, CacheIndex& index,
                                             const solver::image::BaseImage& image,
                                             const std::string& display,
                                             const std::function<void(std::string_view)>& log) {
  const auto& diff_ids = image.config.rootfs.diff_ids;
  if (diff_ids.size() != image.layers.size()) {
    return base::make_error("image " + display + ": config lists " + std::to_string(diff_ids.size()) +
                            " diff_ids for " + std::to_string(image.layers.size()) + " layers");
  }
  std::vector<ChainLayer> layers;
  for (size_t i = 0; i < image.layers.size(); ++i) layers.push_back({image.layers[i].digest, diff_ids[i]});
  TRY_ASSIGN(auto unpacked, unpack_layer_chain(blobs, snapshots, index, layers, "image " + display, log));
  return unpacked.empty() ? std::string() : unpacked.back();
}

}  // namespace solver::ops::build
