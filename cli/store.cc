#include "cli/store.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "snapshotter/open.h"
#include "solver/ir/image_ref.h"
#include "solver/ops/build/base_image.h"

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

base::Result<content::ImageRecord> find_stored_image(Store& store, const std::string& name) {
  std::vector<std::string> candidates{name};
  if (auto n = ir::normalize_image_ref(name); n.ok()) {
    for (const std::string& c : solver::ops::build::local_names(*n)) candidates.push_back(c);
  }
  for (const std::string& c : candidates) {
    TRY_ASSIGN(auto record, store.images->get(c));
    if (record) return *record;
  }
  return base::make_error("No such image: " + name);
}

}  // namespace cli
