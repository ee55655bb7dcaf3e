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
#include <unordered_set>
#include <vector>

#include "base/result.h"
#include "solver/ir/ir.h"
#include "solver/ops/file/source_view.h"

namespace solver_ops::file {

// The result of a previous run of the same step (same definition, same
// inputs; only context files changed), to take unchanged files from: a
// one-file change to a large COPY then writes one file and links the rest.
// A context file listed in `unchanged_paths` (its content and mode are the
// same now as when that run copied it) is hard-linked from `dir` when the
// file there is a regular file with exactly the size, owner, mode and mtime
// this copy would give it; anything else is copied as usual. `dir` is a
// committed snapshot's tree on the destination's filesystem: nothing is
// ever written to a linked file (a later action replaces it, never edits it
// in place; the executor passes a reuse only for ops made of plain copies).
struct ReuseTree {
  std::string dir;
  std::unordered_set<std::string> unchanged_paths;  // relative to the context root
};

struct FileOpOptions {
  // When set (SOURCE_DATE_EPOCH, reproducible builds), everything the op
  // creates or copies gets this atime and mtime (seconds since the epoch).
  std::optional<int64_t> mtime{};
  const ReuseTree* reuse = nullptr;
  // When `dest_root` is an overlay mount: its upper dir
  // (Snapshotter::upper_dir). A copy fills directories it finds empty (in
  // the mount and there) directly in it, where files can be hard-linked
  // from other snapshots. Only for ops made of plain copies (no inline
  // files), which never read back through the mount what they wrote.
  std::string dest_upper{};
};

// `inputs` is indexed like the op's inputs: inputs[0] is the base
// filesystem (dest_root's parent state), ir::Copy::src_input picks the
// source of each copy. `dest_root` is the directory to modify.
base::Result<void> apply_file_actions(const std::string& dest_root, const ir::File& op,
                                      const std::vector<SourceTree>& inputs,
                                      const FileOpOptions& options = {});

}  // namespace solver_ops::file
