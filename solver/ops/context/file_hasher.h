#pragma once
// Parallel SHA-256 of context files (oneTBB, at most one thread per core or
// `max_threads`). Each file is opened below the context root without
// following a final symlink, and its stat is taken before and after reading;
// a file that changes while it is read is read again (a few times, then it is
// an error naming it). Thread-safe; no state between calls.

#include <optional>
#include <string>
#include <vector>

#include "base/digest.h"
#include "base/result.h"
#include "solver/ops/context/stat_cache.h"

namespace solver::ops::context {

using base::Result;

struct HashJob {
  std::string path;     // relative to the root
  FileIdentity walked;  // what the walk saw
};

struct HashOutcome {
  base::Digest digest;
  FileIdentity id;      // the stat the content belongs to
  bool stable = false;  // unchanged since the walk: safe to record in the stat cache
  uint64_t bytes = 0;
};

Result<std::vector<HashOutcome>> hash_files(int root_fd, const std::vector<HashJob>& jobs,
                                            unsigned max_threads);

}  // namespace solver::ops::context
