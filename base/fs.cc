#include "base/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/unique_fd.h"

namespace base {
namespace {

Error errno_error(const std::string& what, const std::string& path, int err) {
  return make_error(what + " " + path + ": " + std::strerror(err));
}

FileType type_of(mode_t mode) {
  if (S_ISREG(mode)) return FileType::regular;
  if (S_ISDIR(mode)) return FileType::directory;
  if (S_ISLNK(mode)) return FileType::symlink;
  return FileType::other;
}

}  // namespace

Result<std::string> RealFs::read_file(const std::string& path) const {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errno_error("cannot open", path, errno);
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("cannot read", path, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Result<FileStat> RealFs::lstat(const std::string& path) const {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return errno_error("cannot stat", path, errno);
  return FileStat{type_of(st.st_mode), static_cast<uint32_t>(st.st_mode & 07777),
                  static_cast<uint64_t>(st.st_size)};
}

std::vector<std::string> read_dir_names(DIR* dir) {
  std::vector<std::string> names;
  while (dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::vector<DirEntry>> RealFs::list_dir(const std::string& path) const {
  DIR* dir = ::opendir(path.c_str());
  if (!dir) return errno_error("cannot list", path, errno);
  std::vector<DirEntry> out;
  for (std::string& name : read_dir_names(dir)) {
    auto st = lstat(path + "/" + name);
    out.push_back({std::move(name), st.ok() ? st->type : FileType::other});
  }
  return out;
}

Result<std::string> RealFs::read_link(const std::string& path) const {
  std::string buf(4096, '\0');
  ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
  if (n < 0) return errno_error("cannot read link", path, errno);
  buf.resize(static_cast<size_t>(n));
  return buf;
}

std::string MemFs::normalize(std::string_view path) {
  std::string out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (!part.empty() && part != ".") {
      if (!out.empty()) out += '/';
      out += part;
    }
    i = j + 1;
  }
  return out;
}

void MemFs::add_parents(const std::string& path) {
  for (size_t pos = path.find('/'); pos != std::string::npos; pos = path.find('/', pos + 1)) {
    m_nodes.try_emplace(path.substr(0, pos), Node{FileType::directory, 0755, {}});
  }
}

void MemFs::add_file(std::string path, std::string content, uint32_t mode) {
  path = normalize(path);
  add_parents(path);
  m_nodes[path] = Node{FileType::regular, mode, std::move(content)};
}

void MemFs::add_dir(std::string path, uint32_t mode) {
  path = normalize(path);
  add_parents(path);
  m_nodes[path] = Node{FileType::directory, mode, {}};
}

void MemFs::add_symlink(std::string path, std::string target) {
  path = normalize(path);
  add_parents(path);
  m_nodes[path] = Node{FileType::symlink, 0777, std::move(target)};
}

Result<std::string> MemFs::read_file(const std::string& path) const {
  auto it = m_nodes.find(normalize(path));
  if (it == m_nodes.end()) return errno_error("cannot open", path, ENOENT);
  if (it->second.type != FileType::regular) return errno_error("cannot read", path, EISDIR);
  return it->second.data;
}

Result<FileStat> MemFs::lstat(const std::string& path) const {
  std::string key = normalize(path);
  if (key.empty()) return FileStat{FileType::directory, 0755, 0};
  auto it = m_nodes.find(key);
  if (it == m_nodes.end()) return errno_error("cannot stat", path, ENOENT);
  return FileStat{it->second.type, it->second.mode, it->second.data.size()};
}

Result<std::vector<DirEntry>> MemFs::list_dir(const std::string& path) const {
  std::string key = normalize(path);
  if (!key.empty()) {
    auto it = m_nodes.find(key);
    if (it == m_nodes.end()) return errno_error("cannot list", path, ENOENT);
    if (it->second.type != FileType::directory) return errno_error("cannot list", path, ENOTDIR);
  }
  std::string prefix = key.empty() ? "" : key + "/";
  std::vector<DirEntry> out;
  for (auto it = m_nodes.lower_bound(prefix); it != m_nodes.end(); ++it) {
    const std::string& name = it->first;
    if (name.compare(0, prefix.size(), prefix) != 0) break;
    std::string rest = name.substr(prefix.size());
    if (rest.empty() || rest.find('/') != std::string::npos) continue;
    out.push_back({rest, it->second.type});
  }
  return out;
}

Result<std::string> MemFs::read_link(const std::string& path) const {
  auto it = m_nodes.find(normalize(path));
  if (it == m_nodes.end()) return errno_error("cannot read link", path, ENOENT);
  if (it->second.type != FileType::symlink) return errno_error("cannot read link", path, EINVAL);
  return it->second.data;
}

}  // namespace base
