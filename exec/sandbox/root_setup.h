#pragma once
// The sandbox's file system, built by the step's PID-1 process in its own
// mount namespace (see sandbox.h for the order and the reasons). Runs only in
// the forked child: every call changes the calling process's mounts.
#include <functional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "exec/sandbox/etc_files.h"
#include "exec/spec.h"

namespace exec::sandbox {

// Told about every mount point the set-up had to create in the root.
using CreatedFn = std::function<void(const std::vector<std::string>&)>;

// Makes "/" rprivate, binds `rootfs` (canonical host path) onto itself and
// mounts /proc, /dev, /sys, the /etc files and spec.mounts inside it.
// Returns an fd of the bound root, to pivot into.
base::Result<base::UniqueFd> build_root(const ProcessSpec& spec, const std::string& rootfs, const EtcFiles& etc,
                                        const CreatedFn& on_created);

// pivot_root(".", ".") into `root_fd` and a lazy unmount of the old root:
// afterwards nothing of the host's tree is reachable by path.
base::Result<void> enter_root(int root_fd);

// After enter_root, unless privileged: Docker's masked paths (an empty
// read-only tmpfs over directories, /dev/null over files) and read-only
// paths under /proc and /sys. Missing paths are skipped.
base::Result<void> protect_kernel_files();

}  // namespace exec::sandbox
