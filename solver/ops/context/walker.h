#pragma once
// The walk behind ContextHasher::select: finds the entries a COPY selects in
// a context directory (see selection.h for the rules), with their stat
// fields, without reading file contents.
//
// Works on an open directory descriptor with openat/fstatat/getdents64,
// never following a symlink below a source; subdirectories are walked as
// oneTBB tasks, each holding one descriptor while it runs. Directories that
// .dockerignore or --exclude leave out are skipped without being read when
// no exception pattern could re-include something below them
// (PatternMatcher::can_skip_excluded_dir). Calls are independent and may run
// concurrently.

#include <string>
#include <vector>

#include "base/fs.h"
#include "base/result.h"
#include "frontend/ignore/pattern_matcher.h"
#include "solver/ops/context/selection.h"
#include "solver/ops/context/stat_cache.h"

namespace solver::ops::context {

struct WalkedEntry {
  std::string path;  // relative to the context root; "." for the root
  base::FileType type = base::FileType::regular;
  uint32_t mode = 0;
  uint64_t size = 0;
  std::string link_target;
  FileIdentity id;  // stat fields, for the stat cache (regular files)
};

struct WalkPatterns {
  const frontend::ignore::PatternMatcher* ignore = nullptr;   // null: nothing ignored
  const frontend::ignore::PatternMatcher* exclude = nullptr;  // null: nothing excluded
  const frontend::ignore::PatternMatcher* include = nullptr;  // null: everything included
};

// Entries in path order as consecutive runs (what the walk's tasks produced;
// their concatenation is the whole list). No run is empty.
using WalkedRuns = std::vector<std::vector<WalkedEntry>>;

// The entries `request.sources` select below `root_fd`, sorted by path_less
// and without duplicates. A source that does not exist, or that .dockerignore
// removes, is an error naming it.
Result<WalkedRuns> walk_selection(int root_fd, const SelectRequest& request,
                                                const WalkPatterns& patterns);

// Whether an include pattern could match `dir` (relative to a source) or a
// path below it; false lets the walk skip `dir`. Conservative: true when
// unsure.
bool include_may_match_below(const frontend::ignore::PatternMatcher& include,
                             std::string_view dir);

// Whether a source is a wildcard pattern: an unescaped "*", "?" or "[".
bool has_wildcard(std::string_view source);

}  // namespace solver::ops::context
