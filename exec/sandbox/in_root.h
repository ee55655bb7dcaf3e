#pragma once
// Paths inside a container root, resolved by the kernel as if the root were
// "/": absolute symlinks, ".." and magic links in the image cannot lead a
// lookup (or a mkdir, or a mount) outside it. Used by the sandbox's child to
// find and create mount targets and the working directory, and by the parent
// to remove the mount points it had to create once the step has ended.
// Stateless functions; safe from any thread and in a forked child.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace exec::sandbox {

// Opens `path` below `root_fd` with openat2(RESOLVE_IN_ROOT |
// RESOLVE_NO_MAGICLINKS); `flags` gets O_CLOEXEC added.
base::Result<base::UniqueFd> open_in_root(int root_fd, std::string_view path, int flags);

enum class NodeKind { directory, file };

struct MadeNode {
  base::UniqueFd fd;  // O_PATH, the node itself (or what is mounted on it)
  // What had to be created, as real paths relative to the root ("etc",
  // "etc/hosts"), outermost first. Symlinks on the way are resolved, so
  // "/etc/hosts" with /etc -> /tmp/x records "tmp/x/hosts".
  std::vector<std::string> created;
};

// Finds `path` below `root_fd`, creating it and any missing parent directory
// (0755) when absent: an empty directory or an empty regular file of `mode`.
// A dangling symlink on the way is followed and its target created, inside
// the root. An existing node of the wrong kind is an error.
base::Result<MadeNode> make_in_root(int root_fd, std::string_view path, NodeKind kind, uint32_t mode);

// "/proc/self/fd/<fd>": how mount(2) and friends are pointed at an O_PATH fd.
std::string fd_path(int fd);

// Removes each of `stubs` (paths relative to the host directory `root_dir`,
// as make_in_root recorded them), last first, if it is still an empty
// directory or an empty regular file. No symlink is followed on the way;
// anything else (content added by the step, a failure) is left alone.
void remove_stubs(const std::string& root_dir, const std::vector<std::string>& stubs);

}  // namespace exec::sandbox
