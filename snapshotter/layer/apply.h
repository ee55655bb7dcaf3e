#pragma once
// apply_layer: unpacks one OCI layer onto a directory, the way a runtime builds
// a rootfs from an image's layers, and returns the layer's diffID.
//
// The layer is untrusted. Every entry is resolved inside `root_dir`
// (openat2 RESOLVE_IN_ROOT): names that are absolute or climb out with ".."
// are rejected with an error naming the entry, and symlinks in the tree or
// hardlink targets can never reach outside the root. OCI whiteouts are
// applied: `.wh.<name>` deletes <name> from the layers below, and
// `.wh..wh..opq` empties its directory of everything the layers below put
// there. Ownership is restored when running as root, modes, xattrs (including
// security.capability) and mtimes always. trusted.overlay.* xattrs in a layer
// are dropped: they would change how overlayfs reads the unpacked directory.
//
// On error the root is left partially applied; the caller owns discarding it.

#include <cstdint>
#include <string>

#include "base/digest.h"
#include "base/result.h"
#include "snapshotter/layer/compression.h"
#include "snapshotter/layer/stream.h"

struct archive;

namespace snapshotter::layer {

enum class Owners {
  automatic,  // restore uid/gid when the process runs as root
  restore,
  ignore,
};

struct ApplyOptions {
  Owners owners = Owners::automatic;
};

struct ApplyResult {
  base::Digest diff_id;    // sha256 of the uncompressed tar stream
  uint64_t tar_size = 0;   // bytes of the uncompressed tar stream
  Compression compression = Compression::none;  // as detected from the magic bytes
  uint64_t entries = 0;    // tar entries read, whiteouts included
};

// `layer` is a tar stream, gzip- or zstd-compressed or not (detected).
// Errors read "cannot apply layer: <cause>".
base::Result<ApplyResult> apply_layer(const std::string& root_dir, ByteSource& layer,
                                      const ApplyOptions& options = {});

// Writes the data of the entry `a` stands at into `fd`, each block at the
// offset libarchive gives, so that the holes of a sparse entry stay holes (the
// caller sizes the file afterwards). Shared with ADD's archive extraction.
enum class EntryData { written, read_failed, write_failed };  // write_failed: errno says why
EntryData write_entry_data(archive* a, int fd);

}  // namespace snapshotter::layer
