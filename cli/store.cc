#include "cli/store.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "snapshotter/open.h"
#include "solver/ir/image_ref.h"
#include "solver/ops/build/base_image.h"
#include "solver/ops/image/base_image.h"

namespace cli {

std::string default_root() {
  if (const char* env = std::getenv("KILN_ROOT"); env && *env) return env;
  if (::geteuid() == 0) return "/var/lib/kiln";
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "/tmp") + "/.local/share/kiln";
}

base::Result<std::unique_ptr<Store>> open_store(const StoreOptions& options) {
  auto store = std::make_unique<Store>();
  store->root = options.root.empty() ? default_root() : options.root;
  std::error_code ec;
  std::filesystem::create_directories(store->root, ec);
  if (ec) return base::make_error("cannot create kiln root " + store->root + ": " + ec.message());
  TRY_ASSIGN(content::ContentStore blobs, content::ContentStore::open(store->root));
  store->blobs = std::make_unique<content::ContentStore>(std::move(blobs));
  TRY_ASSIGN(content::MetadataStore metadata, content::MetadataStore::open(store->root, store->clock, options.durability));
  store->metadata = std::make_unique<content::MetadataStore>(std::move(metadata));
  store->images = std::make_unique<content::ImageStore>(*store->blobs, *store->metadata);
  if (options.snapshots) {
    std::string backend = options.snapshotter;
    if (const char* env = std::getenv("KILN_SNAPSHOTTER"); env && *env && backend == "auto")
      backend = env;
    TRY_ASSIGN(store->snapshots, snapshotter::open_snapshotter(store->root, backend, store->clock, options.durability));
    TRY(store->snapshots->cleanup_abandoned());
  }
  return store;
}

std::string familiar_name(const std::string& name) {
  std::string out = name;
  const std::string hub = "docker.io/";
  if (out.rfind(hub, 0) == 0) {
    out = out.substr(hub.size());
    const std::string library = "library/";
    if (out.rfind(library, 0) == 0) out = out.substr(library.size());
  }
  return out;
}

base::Result<base::Digest> image_id(Store& store, const content::ImageRecord& record) {
  TRY_ASSIGN(auto image, solver::image::read_base_image(*store.blobs, record.target, ir::host_platform()));
  return image.config_descriptor.digest;
}

std::string dangling_name(const base::Digest& id) { return id.str(); }

std::string repository_of(const std::string& name) {
  std::string repo = name.substr(0, name.find('@'));
  size_t slash = repo.rfind('/');
  size_t colon = repo.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) repo.resize(colon);
  return repo;
}

bool is_dangling_name(const std::string& name) { return base::Digest::parse(name).ok(); }

namespace {

// "sha256:HEX", or HEX alone, with 1 to 64 lowercase hex digits: the part
// of an image ID a user may type.
std::optional<std::string> id_prefix(const std::string& text) {
  std::string_view hex = text;
  if (hex.starts_with("sha256:")) hex.remove_prefix(7);
  if (hex.empty() || hex.size() > 64) return std::nullopt;
  for (char c : hex)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  return std::string(hex);
}

// The names a typed name may be stored under: as given, then its
// normalized forms.
std::vector<std::string> name_candidates(const std::string& name) {
  std::vector<std::string> candidates{name};
  if (auto n = ir::normalize_image_ref(name); n.ok()) {
    for (const std::string& c : solver::ops::build::local_names(*n)) candidates.push_back(c);
  }
  return candidates;
}

}  // namespace

base::Result<void> forget_unnamed(Store& store, const base::Digest& id) {
  // Read first: a rebuild that changes nothing must not pay a write.
  TRY_ASSIGN(auto record, store.images->get(dangling_name(id)));
  if (record) TRY(store.images->remove(record->name));
  return {};
}

base::Result<void> keep_replaced_image(Store& store, const std::string& name, const oci::Descriptor& next) {
  TRY_ASSIGN(auto previous, store.images->get(name));
  if (!previous || previous->target.digest == next.digest) return {};
  TRY_ASSIGN(auto records, store.images->list());
  for (const content::ImageRecord& r : records)
    if (r.name != name && r.target.digest == previous->target.digest) return {};  // still named
  auto id = image_id(store, *previous);
  if (!id.ok()) return {};  // an unreadable image is not worth keeping
  return store.images->tag(dangling_name(*id), previous->target);
}

bool found_by_name(const std::string& typed, const content::ImageRecord& record) {
  for (const std::string& c : name_candidates(typed))
    if (c == record.name) return true;
  return false;
}

base::Result<content::ImageRecord> find_stored_image(Store& store, const std::string& name) {
  for (const std::string& c : name_candidates(name)) {
    TRY_ASSIGN(auto record, store.images->get(c));
    if (record) return *record;
  }
  if (auto prefix = id_prefix(name)) {
    TRY_ASSIGN(auto records, store.images->list());
    std::optional<content::ImageRecord> found;
    std::optional<base::Digest> found_id;
    for (const content::ImageRecord& r : records) {
      auto id = image_id(store, r);
      if (!id.ok() || !id->hex().starts_with(*prefix)) continue;
      if (found_id && *found_id != *id)
        return base::make_error("image ID prefix " + name + " is ambiguous: it matches " +
                                found_id->hex().substr(0, 12) + " and " + id->hex().substr(0, 12));
      // A named record reads better in messages than the ID one.
      if (!found || (is_dangling_name(found->name) && !is_dangling_name(r.name))) found = r;
      found_id = *id;
    }
    if (found) return *found;
  }
  return base::make_error("No such image: " + name);
}

base::Result<std::vector<content::ImageRecord>> records_of_image(Store& store, const base::Digest& id) {
  TRY_ASSIGN(auto records, store.images->list());
  std::vector<content::ImageRecord> named, dangling;
  for (const content::ImageRecord& r : records) {
    auto rid = image_id(store, r);
    if (!rid.ok() || *rid != id) continue;
    (is_dangling_name(r.name) ? dangling : named).push_back(r);
  }
  named.insert(named.end(), dangling.begin(), dangling.end());
  return named;
}

}  // namespace cli
