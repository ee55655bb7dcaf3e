#include "snapshotter/layer/testing/tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "base/digest.h"

namespace snapshotter::layer::testing {
namespace {

std::string xattrs_of(const std::string& path) {
  std::string names(65536, '\0');
  ssize_t n = llistxattr(path.c_str(), names.data(), names.size());
  if (n <= 0) return "";
  names.resize(static_cast<size_t>(n));
  std::vector<std::string> list;
  for (size_t pos = 0; pos < names.size();) {
    std::string k = names.c_str() + pos;
    pos += k.size() + 1;
    if (k.starts_with("trusted.overlay.") || k.starts_with("security.selinux")) continue;
    std::string v(65536, '\0');
    ssize_t m = lgetxattr(path.c_str(), k.c_str(), v.data(), v.size());
    v.resize(m < 0 ? 0 : static_cast<size_t>(m));
    list.push_back(k + "=" + base::Sha256::of(v).hex().substr(0, 12));
  }
  std::sort(list.begin(), list.end());
  std::string out;
  for (const auto& s : list) out += (out.empty() ? "" : ",") + s;
  return " xattrs=[" + out + "]";
}

void walk(const std::string& root, const std::string& rel, const TreeOptions& o,
          std::map<std::pair<dev_t, ino_t>, int>& inodes, std::vector<std::string>& out) {
  std::string dir = rel.empty() ? root : root + "/" + rel;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> names;
  while (dirent* de = readdir(d)) {
    std::string n = de->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    std::string r = rel.empty() ? n : rel + "/" + n;
    std::string p = root + "/" + r;
    struct stat st {};
    if (lstat(p.c_str(), &st) != 0) continue;
    std::ostringstream line;
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
    char t = S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' : S_ISREG(st.st_mode) ? 'f'
             : S_ISFIFO(st.st_mode) ? 'p' : S_ISCHR(st.st_mode) ? 'c' : '?';
    line << t << ' ' << r << ' ' << (t == 'l' ? "" : mode);
    if (o.owners) line << ' ' << st.st_uid << ':' << st.st_gid;
    if (t == 'f') line << " size=" << st.st_size << " sha=" << base::Sha256::of(read_file(p)).hex().substr(0, 12);
    if (t == 'c') line << " dev=" << major(st.st_rdev) << ',' << minor(st.st_rdev);
    if (t == 'l') {
      char buf[4096];
      ssize_t k = readlink(p.c_str(), buf, sizeof buf);
      line << " -> " << std::string(buf, k < 0 ? 0 : static_cast<size_t>(k));
    }
    if (o.mtimes && (t != 'd' || o.dir_mtimes)) line << " mtime=" << st.st_mtim.tv_sec;
    line << xattrs_of(p);
    if (t == 'f' && st.st_nlink > 1) {
      auto [it, fresh] = inodes.emplace(std::make_pair(st.st_dev, st.st_ino),
                                        static_cast<int>(inodes.size()) + 1);
      line << " link#" << it->second;
    }
    out.push_back(line.str());
    if (t == 'd') walk(root, r, o, inodes, out);
  }
}

}  // namespace

std::vector<std::string> describe_tree(const std::string& root, const TreeOptions& options) {
  std::map<std::pair<dev_t, ino_t>, int> inodes;
  std::vector<std::string> out;
  walk(root, "", options, inodes, out);
  return out;
}

void write_file(const std::string& path, const std::string& content, unsigned mode) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  chmod(path.c_str(), mode);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace snapshotter::layer::testing
