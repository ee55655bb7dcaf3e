#pragma once
// The file op executor: performs the actions of an ir::File (what COPY, ADD,
// WORKDIR's mkdir and inline heredoc files do) on a directory, with
// BuildKit's semantics (solver/llbsolver/file/backend.go and fsutil's copy
// package). Every write is resolved inside `dest_root` (openat2
// RESOLVE_IN_ROOT or *at() calls below fds opened that way), so a symlink
// already in the destination (/app -> /etc) or in a source cannot make
// anything land outside it; source paths are likewise resolved inside their
// own root.
//
// Errors name the Dockerfile-level thing ("file not found in build context
// or excluded by .dockerignore: stat missing.txt: file does not exist"); the
// caller prefixes the step ("COPY failed: ..."). On error the destination is
// left partially written; the caller discards it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "solver/ir/ir.h"
#include "solver/ops/file/source_view.h"

namespace solver_ops::file {

struct FileOpOptions {
  // When set (SOURCE_DATE_EPOCH, reproducible builds), everything the op
  // creates or copies gets this atime and mtime (seconds since the epoch).
  std::optional<int64_t> mtime{};
};

// `inputs` is indexed like the op's inputs: inputs[0] is the base
// filesystem (dest_root's parent state), ir::Copy::src_input picks the
// source of each copy. `dest_root` is the directory to modify.
base::Result<void> apply_file_actions(const std::string& dest_root, const ir::File& op,
                                      const std::vector<SourceTree>& inputs,
                                      const FileOpOptions& options = {});

}  // namespace solver_ops::file
