#include "snapshotter/open.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "base/unique_fd.h"
#include "snapshotter/copy/copy.h"
#include "snapshotter/overlay/overlay.h"

namespace snapshotter {

namespace {

// "auto" on a root where overlay mounts worked before: the probe made four
// directories, mounted and unmounted an overlay (which syncs the upper
// filesystem) at every start of every command, a few ms of each no-op
// build. Its success is remembered in the root, with the device the root
// was on; failures are not, so a root first used without privileges still
// gets overlay once they exist. The marker is trusted only on the same
// device and with CAP_SYS_ADMIN, so a root moved elsewhere or used from a
// container without it is probed again.
constexpr const char* k_overlay_marker = "/overlay-mounts";

bool can_mount() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  return (data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective & CAP_TO_MASK(CAP_SYS_ADMIN)) != 0;
}

std::optional<std::string> device_of(const std::string& root) {
  struct stat st {};
  if (::stat(root.c_str(), &st) != 0) return std::nullopt;
  return std::to_string(static_cast<unsigned long long>(st.st_dev));
}

bool overlay_works(const std::string& root) {
  if (::geteuid() != 0 || !can_mount()) return false;
  const std::string marker = root + k_overlay_marker;
  const auto device = device_of(root);
  if (device) {
    base::UniqueFd fd(::open(marker.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    char recorded[32] = {};
    if (fd.valid() && ::read(fd.get(), recorded, sizeof recorded - 1) > 0 && *device == recorded) return true;
  }
  if (!OverlaySnapshotter::probe(root)) return false;
  if (device) {
    // Best effort: without the marker the next start probes again.
    base::UniqueFd fd(::open(marker.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (fd.valid()) (void)!::write(fd.get(), device->data(), device->size());
  }
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
