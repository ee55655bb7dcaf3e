#include "snapshotter/open.h"

#include <fcntl.h>
#include <unistd.h>

#include "base/unique_fd.h"
#include "snapshotter/copy/copy.h"
#include "snapshotter/overlay/overlay.h"

namespace snapshotter {

namespace {

// "auto" on a root where overlay mounts worked before: the probe made four
// directories, mounted and unmounted an overlay (which syncs the upper
// filesystem) at every start of every command, a few ms of each no-op
// build. Its success is remembered in the root; failures are not, so a
// root first used without privileges still gets overlay once they exist.
constexpr const char* k_overlay_marker = "/overlay-mounts";

bool overlay_works(const std::string& root) {
  if (::geteuid() != 0) return false;
  const std::string marker = root + k_overlay_marker;
  if (::access(marker.c_str(), F_OK) == 0) return true;
  if (!OverlaySnapshotter::probe(root)) return false;
  base::UniqueFd fd(::open(marker.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  (void)fd;  // best effort: without the marker the next start probes again
  return true;
}

}  // namespace

Result<std::unique_ptr<Snapshotter>> open_snapshotter(const std::string& root,
                                                      const std::string& backend,
                                                      const base::Clock& clock,
                                                      content::sql::Durability durability) {
  std::string chosen = backend;
  if (backend == "auto") chosen = overlay_works(root) ? "overlay" : "copy";
  if (chosen == "overlay") {
    OverlaySnapshotter::Options options;
    options.durability = durability;
    TRY_ASSIGN(auto s, OverlaySnapshotter::open(root, clock, options));
    return std::unique_ptr<Snapshotter>(std::move(s));
  }
  if (chosen == "copy") {
    TRY_ASSIGN(auto s, CopySnapshotter::open(root, clock, durability));
    return std::unique_ptr<Snapshotter>(std::move(s));
  }
  base::Error error = base::make_error("unknown snapshotter backend \"" + backend + "\"");
  error.hint = "use overlay, copy or auto";
  return error;
}

}  // namespace snapshotter
