#pragma once
// ADD's automatic extraction of local archives. Like BuildKit, a source is
// an archive when it is a regular file whose content (not name) decodes as a
// tar stream, plain or compressed with gzip, bzip2, xz or zstd, with at least
// one entry. Extraction treats the archive as untrusted: entry names are
// cleaned ("/a" is "a"), a name or hard link climbing out with ".." is an
// error naming it, and every entry is resolved inside the extraction
// directory, so symlinks in the archive or already on disk (absolute ones
// included) can never lead a later entry outside it. Owners come from the
// archive (when running as root) unless --chown gives one; --chmod does not
// apply. Whiteout names are ordinary files here, as in BuildKit.

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"
#include "solver/ops/file/owner.h"

namespace solver_ops::file {

// Reads from the start of `fd`; the offset is left anywhere.
bool is_archive(int fd);

struct ExtractOptions {
  std::optional<Owner> owner{};    // --chown: overrides the archive's owners
  std::optional<int64_t> mtime{};  // for the destination directories created
};

// Extracts the archive at `fd` (read from offset 0) into directory
// `dest_rel` of `dest_root`, creating it first like COPY creates its
// destination.
base::Result<void> extract_archive(int fd, int dest_root, const std::string& dest_rel,
                                   const ExtractOptions& options);

}  // namespace solver_ops::file
