#pragma once
// Test helpers: temporary trees built in code and a textual dump of a tree
// to compare against.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace solver_ops::file::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kiln-fileop-XXXXXX").string();
    m_path = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return m_path; }
  std::string operator/(const std::string& rel) const { return m_path + "/" + rel; }

 private:
  std::string m_path;
};

inline void write_file(const std::string& path, const std::string& content, mode_t mode = 0644) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  { std::ofstream(path, std::ios::binary) << content; }
  chmod(path.c_str(), mode);
}

inline void make_dir(const std::string& path, mode_t mode = 0755) {
  std::filesystem::create_directories(path);
  chmod(path.c_str(), mode);
}

inline void make_symlink(const std::string& target, const std::string& path) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::filesystem::create_symlink(target, path);
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Entry {
  char type = '?';  // f d l c p
  unsigned mode = 0;
  unsigned uid = 0;
  unsigned gid = 0;
  std::string data;  // content or link target
  friend bool operator==(const Entry&, const Entry&) = default;
};

// Every entry below `root`, keyed by relative path.
inline std::map<std::string, Entry> tree(const std::string& root) {
  std::map<std::string, Entry> out;
  for (auto it = std::filesystem::recursive_directory_iterator(root);
       it != std::filesystem::recursive_directory_iterator(); ++it) {
    std::string p = it->path().string();
    struct stat st {};
    lstat(p.c_str(), &st);
    Entry e;
    e.mode = st.st_mode & 07777;
    e.uid = st.st_uid;
    e.gid = st.st_gid;
    if (S_ISDIR(st.st_mode)) {
      e.type = 'd';
    } else if (S_ISLNK(st.st_mode)) {
      e.type = 'l';
      e.mode = 0;
      e.data = std::filesystem::read_symlink(p).string();
    } else if (S_ISREG(st.st_mode)) {
      e.type = 'f';
      e.data = read_file(p);
    } else {
      e.type = S_ISFIFO(st.st_mode) ? 'p' : 'c';
    }
    out[p.substr(root.size() + 1)] = e;
  }
  return out;
}

// "path type mode uid:gid data" lines, for readable failure output.
inline std::string dump(const std::string& root) {
  std::ostringstream os;
  for (const auto& [path, e] : tree(root)) {
    char mode[8];
    snprintf(mode, sizeof mode, "%04o", e.mode);
    os << path << " " << e.type << " " << mode << " " << e.uid << ":" << e.gid;
    if (!e.data.empty()) os << " " << e.data;
    os << "\n";
  }
  return os.str();
}

inline bool is_root() { return geteuid() == 0; }

}  // namespace solver_ops::file::testing
