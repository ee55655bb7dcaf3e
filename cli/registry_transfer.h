#pragma once
// Images between the local store and registries, with docker's output:
// shared by `kiln pull`/`kiln push` and by `kiln build` (FROM images that are
// missing locally, --pull, --push).
#include <memory>
#include <ostream>
#include <set>
#include <string>

#include "base/result.h"
#include "cli/registry_setup.h"
#include "cli/store.h"
#include "content/metadata.h"
#include "oci/descriptor.h"
#include "registry/reference.h"
#include "solver/ir/platform.h"

namespace cli {

struct PullOutcome {
  std::string name;          // the normalized name the image is tagged under
  oci::Descriptor root;      // what the reference named (manifest or index)
  bool updated = false;      // false: the tag already pointed there
};

// Pulls `ref` for `platform` into the content store (under a lease, so
// garbage collection cannot take the blobs before the tag lands) and tags it
// under the reference's normalized name. Progress lines go to `out`.
base::Result<PullOutcome> pull_to_store(RegistrySession& session, Store& store, const registry::Reference& ref,
                                        const oci::Platform& platform, std::ostream& out);

// Pushes the stored image `record` to `dest`. Blobs the registry has are
// skipped; when another stored name on the same registry shares blobs with
// the image, that repository is asked to mount them. Afterwards `dest` names
// the image locally too. Returns the pushed root's digest.
base::Result<base::Digest> push_from_store(RegistrySession& session, Store& store,
                                           const content::ImageRecord& record, const registry::Reference& dest,
                                           std::ostream& out);


// --platform text (or "" for this machine) as the registry wants it.
base::Result<oci::Platform> registry_platform(const std::string& text);

// The FROM / COPY --from images of one build: an image missing from the
// local store is pulled (once) and tagged; with `always` (--pull) every
// image is pulled once per build even when a local copy exists, so tags are
// re-resolved. Otherwise the local copy wins. The session is opened on the
// first pull only, so builds from local images never touch the network.
class BaseImagePuller {
 public:
  BaseImagePuller(Store& store, RegistryFlags flags, bool always, std::ostream& log)
      : m_store(store), m_flags(std::move(flags)), m_always(always), m_log(log) {}

  // `ref` is normalized ("docker.io/library/alpine:latest"). Afterwards
  // resolve_local_image finds it, or the pull's error is returned.
  base::Result<void> ensure(const std::string& ref, const ir::Platform& platform);

 private:
  Store& m_store;
  RegistryFlags m_flags;
  bool m_always;
  std::ostream& m_log;
  std::unique_ptr<RegistrySession> m_session;
  std::set<std::string> m_done;  // ref + "\n" + platform
};

}  // namespace cli
