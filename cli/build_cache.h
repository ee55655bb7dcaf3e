#pragma once
// The build cache shared between machines (`kiln build --cache-from/--cache-to`):
// opening imported caches from registries and directories, and writing a
// build's cache to them. A cache that cannot be read only warns, as in
// BuildKit; a cache that cannot be written fails the build unless
// ignore-error=true.
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "base/result.h"
#include "cli/cache_flags.h"
#include "cli/registry_setup.h"
#include "cli/store.h"
#include "solver/core/solver.h"
#include "solver/ops/build/build_executor.h"
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

// The caches of one build: --cache-from opened before the solve, --cache-to
// written after it. Messages go to `log` (warnings and, unless quiet, what
// was imported and exported).
class BuildCaches {
 public:
  // Usage errors name the flag and value.
  static base::Result<BuildCaches> parse(const std::vector<std::string>& cache_from,
                                         const std::vector<std::string>& cache_to, RegistryFlags flags);

  // The index the solver should use: `local`, or `local` answering also from
  // the imported caches that could be read.
  solver::CacheIndex& solve_index(Store& store, solver::CacheIndex& local,
                                  snapshotter::layer::LayerRecords& records, std::ostream& log);
  // "imported cache: N steps, M layers fetched (B bytes)" when caches were imported.
  void report_imports(std::ostream& out) const;
  // Writes every --cache-to; the first one that fails without
  // ignore-error=true is returned.
  base::Result<void> export_all(const ir::Definition& def, const solver::SolveResult& solved,
                                solver::ops::build::BuildServices services,
                                snapshotter::layer::LayerRecords& records, std::optional<int64_t> source_date_epoch,
                                Store& store, std::ostream& log, bool quiet);

 private:
  std::vector<CacheImportSpec> m_imports;
  std::vector<CacheExportSpec> m_exports;
  std::unique_ptr<CacheRegistry> m_registries;
  std::unique_ptr<solver::ops::cache::ImportingCacheIndex> m_importing;
};

}  // namespace cli
