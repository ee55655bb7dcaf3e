#include "content/tmp_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "content/file_ops.h"

namespace content {

namespace {
constexpr std::string_view k_lock_name = ".lock";
}

Result<void> TmpDir::init() const {
  TRY(make_dirs(m_dir, 0700));
  TRY(open_file(m_dir + "/" + std::string(k_lock_name), O_RDWR | O_CREAT, 0600));
  return {};
}

Result<base::UniqueFd> TmpDir::lock_dir(bool exclusive) const {
  std::string path = m_dir + "/" + std::string(k_lock_name);
  TRY_ASSIGN(auto fd, open_file(path, O_RDWR | O_CREAT, 0600));
  if (exclusive) {
    TRY(lock_exclusive(fd.get(), path));
  } else {
    TRY(lock_shared(fd.get(), path));
  }
  return fd;
}

Result<TmpEntry> TmpDir::create_file(std::string_view prefix) const {
  TRY_ASSIGN(auto guard, lock_dir(false));
  TmpEntry entry;
  entry.name = std::string(prefix) + random_hex();
  entry.path = m_dir + "/" + entry.name;
  TRY_ASSIGN(entry.fd, open_file(entry.path, O_RDWR | O_CREAT | O_EXCL, 0600));
  TRY_ASSIGN(bool locked, try_lock_exclusive(entry.fd.get(), entry.path));
  // Nobody else can have opened a name this new under our shared lock.
  if (!locked) return base::make_error("cannot claim new temporary file " + entry.path);
  return entry;
}

Result<TmpEntry> TmpDir::create_dir(std::string_view prefix) const {
  TRY_ASSIGN(auto guard, lock_dir(false));
  TmpEntry entry;
  entry.name = std::string(prefix) + random_hex();
  entry.path = m_dir + "/" + entry.name;
  if (::mkdir(entry.path.c_str(), 0700) != 0)
    return errno_error("cannot create directory", entry.path, errno);
  TRY_ASSIGN(entry.fd, open_file(entry.path, O_RDONLY | O_DIRECTORY));
  TRY_ASSIGN(bool locked, try_lock_exclusive(entry.fd.get(), entry.path));
  if (!locked) return base::make_error("cannot claim new temporary directory " + entry.path);
  return entry;
}

Result<bool> TmpDir::is_claimed(const std::string& name) const {
  std::string path = m_dir + "/" + name;
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return false;
    return errno_error("cannot open", path, errno);
  }
  TRY_ASSIGN(bool got, try_lock_exclusive(fd.get(), path));
  return !got;  // closing fd drops the lock we took
}

Result<std::vector<std::string>> TmpDir::scan(bool remove) const {
  TRY_ASSIGN(auto guard, lock_dir(true));
  DIR* dir = ::opendir(m_dir.c_str());
  if (!dir) return errno_error("cannot list", m_dir, errno);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name != "." && name != ".." && name != k_lock_name) names.push_back(std::move(name));
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  std::vector<std::string> out;
  for (const auto& name : names) {
    std::string path = m_dir + "/" + name;
    // O_NONBLOCK: a FIFO left in tmp/ must not hang the scan.
    base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    bool unclaimed = false;
    if (fd.valid()) {
      TRY_ASSIGN(bool got, try_lock_exclusive(fd.get(), path));
      unclaimed = got;
    } else if (errno == ELOOP) {
      unclaimed = true;  // a symlink: nobody can claim it
    } else if (errno != ENOENT) {
      return errno_error("cannot open", path, errno);
    }
    if (!unclaimed) continue;
    if (remove) TRY(remove_tree(path));
    out.push_back(name);
  }
  return out;
}

Result<std::vector<std::string>> TmpDir::clean() const { return scan(true); }
Result<std::vector<std::string>> TmpDir::unclaimed() const { return scan(false); }

}  // namespace content
