#pragma once
// The filesystem seam. Modules that read or write files take a `Fs&` so that
// tests can hand them a MemFs instead of the disk. Paths are plain strings
// interpreted by the implementation (absolute or relative to its root).

#include <dirent.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace base {

enum class FileType { regular, directory, symlink, other };

struct FileStat {
  FileType type = FileType::regular;
  uint32_t mode = 0;  // permission bits only (07777)
  uint64_t size = 0;
};

struct DirEntry {
  std::string name;
  FileType type = FileType::regular;
};

class Fs {
 public:
  virtual ~Fs() = default;
  virtual Result<std::string> read_file(const std::string& path) const = 0;
  // Does not follow a final symlink.
  virtual Result<FileStat> lstat(const std::string& path) const = 0;
  // Entries sorted by name, without "." and "..".
  virtual Result<std::vector<DirEntry>> list_dir(const std::string& path) const = 0;
  virtual Result<std::string> read_link(const std::string& path) const = 0;
  bool exists(const std::string& path) const { return lstat(path).ok(); }
};

// The names in the directory stream `dir`, read to its end and then closed,
// without "." and "..", sorted byte-wise (the order of Go's os.ReadDir).
std::vector<std::string> read_dir_names(DIR* dir);

// The real filesystem through POSIX calls. Stateless and thread-safe.
class RealFs final : public Fs {
 public:
  Result<std::string> read_file(const std::string& path) const override;
  Result<FileStat> lstat(const std::string& path) const override;
  Result<std::vector<DirEntry>> list_dir(const std::string& path) const override;
  Result<std::string> read_link(const std::string& path) const override;
};

// An in-memory tree for tests. Directories are implied by the files below
// them and may also be added empty. Not thread-safe for writers.
class MemFs final : public Fs {
 public:
  void add_file(std::string path, std::string content, uint32_t mode = 0644);
  void add_dir(std::string path, uint32_t mode = 0755);
  void add_symlink(std::string path, std::string target);

  Result<std::string> read_file(const std::string& path) const override;
  Result<FileStat> lstat(const std::string& path) const override;
  Result<std::vector<DirEntry>> list_dir(const std::string& path) const override;
  Result<std::string> read_link(const std::string& path) const override;

 private:
  struct Node {
    FileType type = FileType::regular;
    uint32_t mode = 0644;
    std::string data;  // file content or link target
  };
  static std::string normalize(std::string_view path);
  void add_parents(const std::string& path);
  std::map<std::string, Node> m_nodes;
};

}  // namespace base
