#pragma once
// Describes a directory tree as sorted lines, one per entry, with everything a
// layer must carry: type, mode, owner, size, content digest, link target,
// xattrs, mtime and hardlink groups. Tests compare two trees by comparing these
// descriptions. Test-only.

#include <string>
#include <vector>

namespace snapshotter::layer::testing {

struct TreeOptions {
  bool owners = true;
  bool mtimes = true;
  bool dir_mtimes = true;
};

// Lines like `f a/b 0644 0:0 size=3 sha=… mtime=… xattrs=[user.k=v] link#1`.
std::vector<std::string> describe_tree(const std::string& root, const TreeOptions& options = {});

// Writes `content` to `path` (created with `mode`, parents must exist).
void write_file(const std::string& path, const std::string& content, unsigned mode = 0644);
std::string read_file(const std::string& path);

}  // namespace snapshotter::layer::testing
