#include "solver/ops/gc/state.h"

#include <sys/stat.h>

#include <filesystem>
#include <map>

#include "content/sqlite.h"
#include "oci/image_config.h"
#include "oci/manifest.h"
#include "oci/media_types.h"
#include "solver/core/cache_index.h"
#include "solver/ops/gc/cache_mounts.h"

namespace solver::ops::gc {

namespace {

namespace fs = std::filesystem;

// Follows indexes (to a small depth: nesting beyond that is not an image we
// made) down to manifests, and adds each manifest's chain ids.
base::Result<void> add_chains(const content::ContentStore& blobs, const oci::Descriptor& desc,
                              int depth, std::set<std::string>& out) {
  if (depth > 4) return base::make_error("image index nested too deeply at " + desc.digest.str());
  TRY_ASSIGN(std::string bytes, blobs.read(desc.digest));
  TRY_ASSIGN(std::string media_type, oci::detect_media_type(bytes));
  if (oci::is_index(media_type)) {
    TRY_ASSIGN(oci::Index index, oci::parse_index(bytes));
    for (const oci::Descriptor& m : index.manifests) {
      // Attestation manifests and other artifacts have no layer chain.
      if (!oci::is_manifest(m.media_type) && !oci::is_index(m.media_type)) continue;
      auto present = blobs.exists(m.digest);
      if (present.ok() && !*present) continue;  // platforms that were never pulled
      TRY(add_chains(blobs, m, depth + 1, out));
    }
    return {};
  }
  TRY_ASSIGN(oci::Manifest manifest, oci::parse_manifest(bytes));
  TRY_ASSIGN(std::string config_bytes, blobs.read(manifest.config.digest));
  TRY_ASSIGN(oci::ImageConfig config, oci::parse_image_config(config_bytes));
  base::Digest chain;
  for (const base::Digest& diff_id : config.rootfs.diff_ids) {
    chain = oci::chain_id(chain, diff_id);
    out.insert(chain.str());
  }
  return {};
}

}  // namespace

base::Result<std::set<std::string>> distinct_values(const std::string& root, const std::string& select) {
  TRY_ASSIGN(auto db, content::sql::Db::open(root + "/kiln.db"));
  TRY_ASSIGN(auto query, db.prepare(select));
  std::set<std::string> out;
  for (;;) {
    TRY_ASSIGN(bool row, query.step());
    if (!row) break;
    out.insert(query.text(0));
  }
  return out;
}

base::Result<std::set<std::string>> snapshot_backends(const std::string& root) {
  return distinct_values(root, "SELECT DISTINCT backend FROM snapshots");
}

int64_t tree_size(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(dir, ec))) return 0;
  std::set<std::pair<dev_t, ino_t>> seen;
  int64_t total = 0;
  auto add = [&](const fs::path& p) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) return;
    if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) return;
    if (st.st_nlink > 1 && !seen.insert({st.st_dev, st.st_ino}).second) return;
    total += st.st_size;
  };
  // A tree being removed by another process may vanish under the walk; what
  // was counted stays counted, which only affects a size estimate.
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec))
    add(it->path());
  return total;
}

ImageChains image_chain_ids(content::MetadataStore& metadata, const content::ContentStore& blobs) {
  ImageChains chains;
  auto images = metadata.list_images();
  if (!images.ok()) {
    chains.complete = false;
    return chains;
  }
  for (const content::ImageRecord& image : *images)
    if (!add_chains(blobs, image.target, 0, chains.chain_ids).ok()) chains.complete = false;
  return chains;
}

base::Result<StoreState> load_state(const std::string& root, content::MetadataStore& metadata,
                                    const content::ContentStore& blobs, const LoadOptions& options) {
  StoreState state;
  TRY_ASSIGN(auto db, content::sql::Db::open(root + "/kiln.db"));
  // One read transaction: records, snapshots and layers from one moment.
  TRY_ASSIGN(auto tx, content::sql::Transaction::begin(db, content::sql::Transaction::Kind::read));

  TRY_ASSIGN(auto refs, metadata.blob_refs());
  std::map<std::string, std::vector<std::string>> cache_blobs;
  for (const content::BlobRef& ref : refs) {
    if (ref.kind == content::RefOwner::image) state.image_blobs.insert(ref.digest);
    if (ref.kind == content::RefOwner::lease) state.lease_blobs.insert(ref.digest);
    if (ref.kind == content::RefOwner::cache) cache_blobs[ref.owner].push_back(ref.digest);
  }

  ImageChains chains = image_chain_ids(metadata, blobs);
  TRY_ASSIGN(auto records, db.prepare("SELECT key, value, last_used FROM cache_records ORDER BY key"));
  for (;;) {
    TRY_ASSIGN(bool row, records.step());
    if (!row) break;
    CacheEntry entry;
    entry.key = records.text(0);
    // A value this kiln cannot read is a cache miss to the build; it keeps
    // nothing alive.
    if (auto parsed = solver::parse_result(records.text(1)); parsed.ok()) entry.snapshot = parsed->snapshot;
    entry.last_used = records.integer(2);
    std::string_view key = entry.key;
    if (key.starts_with(k_layer_chain_prefix)) {
      std::string chain(key.substr(std::string_view(k_layer_chain_prefix).size()));
      entry.image_layer = !chains.complete || chains.chain_ids.contains(chain);
    }
    if (auto it = cache_blobs.find(entry.key); it != cache_blobs.end()) entry.blobs = it->second;
    state.records.push_back(std::move(entry));
  }

  TRY_ASSIGN(auto snaps, db.prepare(
      "SELECT id, COALESCE(parent, ''), kind, backend, last_used FROM snapshots ORDER BY id"));
  for (;;) {
    TRY_ASSIGN(bool row, snaps.step());
    if (!row) break;
    SnapshotEntry s;
    s.id = snaps.text(0);
    s.parent = snaps.text(1);
    s.active = snaps.text(2) == "active";
    s.backend = snaps.text(3);
    s.foreign = !options.backends.contains(s.backend);
    s.last_used = snaps.integer(4);
    state.snapshots.push_back(std::move(s));
  }

  TRY_ASSIGN(auto layers, db.prepare("SELECT snapshot, digest FROM layer_records ORDER BY snapshot, digest"));
  for (;;) {
    TRY_ASSIGN(bool row, layers.step());
    if (!row) break;
    state.layers.push_back(LayerEntry{layers.text(0), layers.text(1)});
  }
  TRY(tx.commit());

  for (SnapshotEntry& s : state.snapshots) s.size = tree_size(root + "/snapshots/" + s.id);
  TRY(blobs.walk([&](const content::BlobInfo& blob) -> base::Result<void> {
    state.blobs.push_back(BlobEntry{blob.digest.str(), blob.size});
    return {};
  }));
  TRY_ASSIGN(state.cache_mounts, list_cache_mounts(root, ListOptions{options.probe_cache_mounts}));
  return state;
}

}  // namespace solver::ops::gc
