#pragma once
// The kiln root a command works on: its content store, metadata database,
// image store and snapshotter, opened together. The root is --root, else
// $KILN_ROOT, else /var/lib/kiln for root and ~/.local/share/kiln otherwise.
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "content/content_store.h"
#include "content/image_store.h"
#include "content/metadata.h"
#include "snapshotter/snapshotter.h"

namespace cli {

std::string default_root();

struct Store {
  std::string root;
  base::SystemClock clock;
  std::unique_ptr<content::ContentStore> blobs;
  std::unique_ptr<content::MetadataStore> metadata;
  std::unique_ptr<content::ImageStore> images;
  std::unique_ptr<snapshotter::Snapshotter> snapshots;  // only when asked for
};

struct StoreOptions {
  std::string root;  // "" = default_root()
  bool snapshots = false;
  std::string snapshotter = "auto";  // $KILN_SNAPSHOTTER overrides the default
  // on_request: the command calls metadata->make_durable() before it reports
  // success (content/sqlite.h).
  content::sql::Durability durability = content::sql::Durability::each_commit;
};

base::Result<std::unique_ptr<Store>> open_store(const StoreOptions& options);

// "docker.io/library/app:1" → "app:1", as docker prints names.
std::string familiar_name(const std::string& name);

// The image ID docker prints: the digest of the image's config.
base::Result<base::Digest> image_id(Store& store, const content::ImageRecord& record);

// An image built without a name is kept under its ID ("sha256:HEX"), as
// docker keeps a <none>:<none> image, so that `kiln run $(kiln build -q .)`
// finds it.
std::string dangling_name(const base::Digest& id);
bool is_dangling_name(const std::string& name);

// The stored record for what a user typed: a name (as given, then under the
// names its normalized form may be stored as), else an image ID, full
// ("sha256:HEX") or a unique prefix of its hex, as docker accepts them.
// Errors: "No such image: NAME", or an ambiguous prefix.
base::Result<content::ImageRecord> find_stored_image(Store& store, const std::string& name);

// Once an image has a name, its <none> record goes (docker's image is no
// longer dangling). A no-op when there is none.
base::Result<void> forget_unnamed(Store& store, const base::Digest& id);

// A name about to point elsewhere leaves its old image as <none>, as docker
// does, so that re-pulling or re-building a name never drops an image
// silently. A no-op when the name is free or already points at `next`.
base::Result<void> keep_replaced_image(Store& store, const std::string& name, const oci::Descriptor& next);

// "docker.io/library/app:1" → "docker.io/library/app" (tag and digest dropped).
std::string repository_of(const std::string& name);

// Whether `typed` found `record` by name (not as an image ID).
bool found_by_name(const std::string& typed, const content::ImageRecord& record);

// Every stored record of the image `id`, named ones first.
base::Result<std::vector<content::ImageRecord>> records_of_image(Store& store, const base::Digest& id);

}  // namespace cli
