#pragma once
// OverlaySnapshotter: each snapshot's directory holds `fs` (its own changes:
// the overlay upper dir while active, a lower dir once committed) and `work`
// (overlayfs's work dir). A snapshot's filesystem is the overlay of its own
// `fs` over its ancestors' (overlay/mount.h). Needs root (or CAP_SYS_ADMIN)
// to mount. Ids, rows and crash safety: dir_snapshotter.h.
//
// Diffs read only the snapshot's own `fs` (layer::write_overlay_diff): overlay
// already recorded deletions as whiteouts and replaced directories as opaque.
// Unmount an active snapshot before committing it.

#include <memory>
#include <string>

#include "base/clock.h"
#include "content/sqlite.h"
#include "snapshotter/dir_snapshotter.h"
#include "snapshotter/overlay/mount.h"

namespace snapshotter {

class OverlaySnapshotter final : public DirSnapshotter {
 public:
  struct Options {
    overlay::MountApi mount_api = overlay::MountApi::automatic;
    content::sql::Durability durability = content::sql::Durability::each_commit;
  };
  // `clock` must outlive the snapshotter.
  static Result<std::unique_ptr<OverlaySnapshotter>> open(const std::string& root,
                                                          const base::Clock& clock,
                                                          Options options);
  static Result<std::unique_ptr<OverlaySnapshotter>> open(const std::string& root,
                                                          const base::Clock& clock) {
    return open(root, clock, Options{});
  }

  const char* backend() const override { return "overlay"; }
  Result<std::unique_ptr<MountedFs>> mount(const std::string& id) override;
  Result<std::vector<MountSpec>> mounts(const std::string& id) override;
  Result<layer::TarSummary> write_diff(const std::string& id, layer::ByteSink& sink,
                                       const layer::DiffOptions& options) override;
  // A committed snapshot on the empty filesystem: its `fs` is all of it.
  Result<std::optional<std::string>> storage_dir(const std::string& id) override;
  // An active snapshot with parents: its `fs`, the overlay's upper dir.
  Result<std::optional<std::string>> upper_dir(const std::string& id) override;

  // Whether overlay mounts work under `root` (as "auto" backend selection
  // needs): mounts a two-layer overlay of scratch dirs and unmounts it.
  static bool probe(const std::string& root);

 private:
  OverlaySnapshotter(std::string root, std::unique_ptr<SnapshotRecords> records, Options options)
      : DirSnapshotter(std::move(root), std::move(records)), m_options(options) {}

  Result<void> populate(const std::string& staging, const std::string& parent) override;
  Result<uint64_t> measure(const std::string& id, const std::string& parent) override;
  Result<MountSpec> spec_of(const std::string& id);

  Options m_options;
};

}  // namespace snapshotter
