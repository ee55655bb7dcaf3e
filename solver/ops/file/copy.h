#pragma once
// One COPY/ADD copy action (ir::Copy) from a source view into the
// destination root, with BuildKit's semantics (fsutil's copy package as
// driven by the file op backend): wildcard expansion, directory contents vs.
// the directory itself, the destination naming rules, --parents include
// patterns, --exclude, .dockerignore, owners, --chmod, timestamps, hard
// links and xattrs, and ADD's archive extraction.

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>

#include "base/result.h"
#include "solver/ir/ir.h"
#include "solver/ops/file/mode_spec.h"
#include "solver/ops/file/owner.h"
#include "solver/ops/file/source_view.h"

namespace solver_ops::file {

struct CopyParams {
  const ir::Copy* action = nullptr;
  const SourceView* source = nullptr;
  int dest_root = -1;
  std::optional<Owner> owner{};       // --chown, resolved
  std::optional<ModeSpec> mode{};     // --chmod, parsed
  std::optional<int64_t> mtime{};     // fixed timestamp for everything written
  // A previous run's tree to hard-link unchanged context files from (see
  // FileOpOptions::reuse); -1 for none.
  int reuse_root = -1;
  const std::unordered_set<std::string>* reuse_paths = nullptr;
  // FileOpOptions::dest_upper opened, or -1.
  int dest_upper = -1;
};

base::Result<void> run_copy(const CopyParams& params);

// The "not found" error for a missing source, worded for the input kind.
base::Error source_not_found(SourceKind kind, const std::string& path);

}  // namespace solver_ops::file
