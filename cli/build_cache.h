#pragma once
// The build cache shared between machines (`kiln build --cache-from/--cache-to`):
// opening imported caches from registries and directories, and writing a
// build's cache to them. A cache that cannot be read only warns, as in
// BuildKit; a cache that cannot be written fails the build unless
// ignore-error=true.
#include <memory>
#include <ostream>
#include <vector>

#include "base/result.h"
#include "cli/cache_flags.h"
#include "cli/registry_setup.h"
#include "cli/store.h"
#include "solver/ops/cache/importing_index.h"

namespace cli {

// One RegistrySession for every cache of a build, opened on first use.
class CacheRegistry {
 public:
  explicit CacheRegistry(RegistryFlags flags) : m_flags(std::move(flags)) {}
  std::shared_ptr<RegistrySession> session();

 private:
  RegistryFlags m_flags;
  std::shared_ptr<RegistrySession> m_session;
};

// The readable caches among `specs`; each one that is not warns on `warn`.
std::vector<solver::ops::cache::ImportedCache> open_caches(const std::vector<CacheImportSpec>& specs,
                                                           CacheRegistry& registries, Store& store,
                                                           std::ostream& warn);

// Writes the cache manifest `manifest` (in the store) where `spec` says.
base::Result<void> write_cache(const CacheExportSpec& spec, const oci::Descriptor& manifest,
                               CacheRegistry& registries, Store& store);

}  // namespace cli
