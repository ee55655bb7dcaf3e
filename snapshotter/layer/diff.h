#pragma once
// write_*_diff: the changes of a snapshot against its parent as an OCI layer
// tar, streamed to a sink (wrap the sink in a CompressingSink to get a blob).
//
// Two sources of changes:
//  - an overlayfs upper directory (the overlay snapshotter): everything in it
//    is a change; overlay whiteouts (char device 0/0) become `.wh.<name>`
//    entries and directories marked opaque (trusted.overlay.opaque or
//    user.overlay.opaque = "y") get a `.wh..wh..opq` entry. The lower layers are
//    never read.
//  - two directory trees (the copy snapshotter): entries added or changed in
//    `upper` are written, entries missing from it become whiteouts.
//
// Output is reproducible: entries in each directory are sorted by name (depth
// first), sub-second times, atime/ctime and user/group names are not recorded,
// and with `mtime_clamp` (SOURCE_DATE_EPOCH) no mtime exceeds it. Files with
// several links inside the layer are written once and then as hardlinks.
// xattrs carried: user.*, trusted.* (not trusted.overlay.*) and
// security.capability; security.selinux and other host labels are not.
// Sockets are skipped, as docker does.

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"
#include "snapshotter/layer/stream.h"
#include "snapshotter/layer/tar_writer.h"

namespace snapshotter::layer {

struct DiffOptions {
  std::optional<int64_t> mtime_clamp;  // seconds since the epoch
};

// Errors read "cannot write layer diff of <dir>: <cause>".
base::Result<TarSummary> write_overlay_diff(const std::string& upper_dir, ByteSink& sink,
                                            const DiffOptions& options = {});

// `lower_dir` "" means the empty tree (a base layer of all of `upper_dir`).
base::Result<TarSummary> write_tree_diff(const std::string& lower_dir,
                                         const std::string& upper_dir, ByteSink& sink,
                                         const DiffOptions& options = {});

// Reads SOURCE_DATE_EPOCH from `value` (the environment variable's text);
// empty means unset; anything but a non-negative integer is an error.
base::Result<std::optional<int64_t>> parse_source_date_epoch(const std::string& value);

}  // namespace snapshotter::layer
