#pragma once
// `--cache-to type=local,dest=DIR` and `--cache-from type=local,src=DIR`: a
// cache kept as an OCI image layout (oci-layout, index.json,
// blobs/sha256/<hex>), as BuildKit keeps its local cache, written and read
// with the layout code of `-o type=oci,tar=false` and `kiln load`
// (content/export). index.json lists the cache manifest under
// `org.opencontainers.image.ref.name` = the tag ("latest" unless tag= says
// otherwise); writing a tag replaces only that tag's entry, blobs already in
// the directory are not copied again, and index.json is replaced atomically
// after every blob it names is in place.
#include <memory>
#include <string>

#include "base/result.h"
#include "content/content_store.h"
#include "oci/descriptor.h"
#include "solver/ops/cache/importing_index.h"

namespace solver::ops::cache {

inline constexpr const char* k_default_cache_tag = "latest";

base::Result<void> write_local_cache(const content::ContentStore& blobs, const oci::Descriptor& manifest,
                                     const std::string& dir, const std::string& tag);

// Reads the cache manifest and config of `tag` in `dir` into `store`; layers
// are read later, only for the records a build uses.
base::Result<ImportedCache> open_local_cache(const std::string& dir, const std::string& tag,
                                             const content::ContentStore& store);

}  // namespace solver::ops::cache
