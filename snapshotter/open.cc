#include "snapshotter/open.h"

#include "snapshotter/copy/copy.h"
#include "snapshotter/overlay/overlay.h"

namespace snapshotter {

Result<std::unique_ptr<Snapshotter>> open_snapshotter(const std::string& root,
                                                      const std::string& backend,
                                                      const base::Clock& clock,
                                                      content::sql::Durability durability) {
  std::string chosen = backend;
  if (backend == "auto") chosen = OverlaySnapshotter::probe(root) ? "overlay" : "copy";
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
