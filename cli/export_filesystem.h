#pragma once
// -o type=local and -o type=tar of `kiln build`: the target stage's final
// filesystem written out as it is in the image (modes, owners, links,
// xattrs), not as an image. BuildKit's local and tar exporters.
//  - local: merged into the directory `dest` (created when missing); an
//    entry already there is replaced, other entries stay, as buildx does;
//  - tar: one uncompressed tar of the tree ("-" = standard output).
// The tree is streamed as a layer tar (snapshotter/layer) and, for local,
// unpacked with the layer applier, so no entry can land outside `dest`.
#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"
#include "snapshotter/snapshotter.h"

namespace cli {

struct FilesystemExport {
  std::string snapshot;  // committed snapshot id, "" = the empty filesystem
  std::string dest;      // directory (local), file or "-" (tar)
  std::optional<int64_t> mtime_clamp;  // SOURCE_DATE_EPOCH
};

base::Result<void> export_local(snapshotter::Snapshotter& snapshots, const FilesystemExport& request);
base::Result<void> export_tar(snapshotter::Snapshotter& snapshots, const FilesystemExport& request);

}  // namespace cli
