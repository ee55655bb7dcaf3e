#pragma once
// Opens the snapshotter of a kiln root by backend name.

#include <memory>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "content/sqlite.h"
#include "snapshotter/snapshotter.h"

namespace snapshotter {

// `backend`: "overlay", "copy", or "auto" (overlay when running as root and a
// test overlay mount under `root` works, else copy; a working mount is
// remembered in `root`/overlay-mounts, with the root's device, and not tried
// again there). Snapshots of one backend
// are invisible to the other, so a root should keep to one. `clock` must
// outlive the snapshotter. `durability` applies to its records
// (content/sqlite.h).
Result<std::unique_ptr<Snapshotter>> open_snapshotter(
    const std::string& root, const std::string& backend, const base::Clock& clock,
    content::sql::Durability durability = content::sql::Durability::each_commit);

}  // namespace snapshotter
