#include "solver/ops/build/image_chain.h"

#include "snapshotter/active_snapshot.h"
#include "snapshotter/layer/apply.h"

namespace solver::ops::build {
namespace {

constexpr const char* k_chain_prefix = "kiln.layer-chain.v1:";

// The content store's verified reader as a layer byte stream.
class BlobSource final : public snapshotter::layer::ByteSource {
 public:
  explicit BlobSource(content::BlobReader reader) : m_reader(std::move(reader)) {}
  base::Result<size_t> read(char* buf, size_t size) override { return m_reader.read(buf, size); }

 private:
  content::BlobReader m_reader;
};

base::Digest chain_id(const base::Digest& parent, const base::Digest& diff_id) {
  if (parent.empty()) return diff_id;
  return base::Sha256::of(parent.str() + " " + diff_id.str());
}

base::Result<bool> committed(snapshotter::Snapshotter& snapshots, const std::string& id) {
  if (id.empty()) return true;
  TRY_ASSIGN(auto info, snapshots.stat(id));
  return info.has_value() && info->kind == snapshotter::SnapshotKind::committed;
}

}  // namespace

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
  std::string parent;
  base::Digest chain;
  for (size_t i = 0; i < image.layers.size(); ++i) {
    chain = chain_id(chain, diff_ids[i]);
    std::string record_key = k_chain_prefix + chain.str();
    TRY_ASSIGN(auto known, index.lookup(record_key));
    if (known) {
      TRY_ASSIGN(bool valid, committed(snapshots, known->snapshot));
      if (valid) {
        parent = known->snapshot;
        continue;
      }
    }
    log("unpacking layer " + image.layers[i].digest.str() + "\n");
    TRY_ASSIGN(std::string active_id, snapshots.prepare(parent));
    snapshotter::ActiveSnapshot active(snapshots, active_id);
    {
      TRY_ASSIGN(auto mounted, snapshots.mount(active.id()));
      TRY_ASSIGN(auto reader, blobs.open_reader(image.layers[i].digest));
      BlobSource source(std::move(reader));
      TRY_ASSIGN(auto applied, snapshotter::layer::apply_layer(mounted->path(), source));
      if (applied.diff_id != diff_ids[i]) {
        return base::make_error("layer " + image.layers[i].digest.str() + " of " + display + " has diff_id " +
                                applied.diff_id.str() + ", config says " + diff_ids[i].str());
      }
    }
    TRY_ASSIGN(parent, active.commit());
    TRY(index.store(record_key, VertexResult{parent, ""}));
  }
  return parent;
}

}  // namespace solver::ops::build
