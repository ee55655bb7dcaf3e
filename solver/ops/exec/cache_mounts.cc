#include "solver/ops/exec/cache_mounts.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/digest.h"
#include "content/file_ops.h"

namespace solver_ops::exec_step {
namespace {

// Creates `data` with the mount's mode and owner when it is missing.
base::Result<bool> ensure_data(const std::string& data, const ir::Mount& mount) {
  struct stat st {};
  if (::lstat(data.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return base::make_error("cache mount directory " + data + " is not a directory");
    return false;
  }
  // Made under a temporary name and renamed, so a killed build never leaves
  // a half-prepared directory that looks ready.
  std::string staging = data + ".new";
  (void)content::remove_tree(staging);
  if (::mkdir(staging.c_str(), 0755) != 0)
    return base::make_error("cannot create " + staging + ": " + std::strerror(errno));
  mode_t mode = static_cast<mode_t>(mount.mode.value_or(0755) & 07777);
  if (::chmod(staging.c_str(), mode) != 0 ||
      ::chown(staging.c_str(), mount.uid.value_or(0), mount.gid.value_or(0)) != 0)
    return base::make_error("cannot set the owner and mode of " + staging + ": " + std::strerror(errno));
  if (::rename(staging.c_str(), data.c_str()) != 0)
    return base::make_error("cannot create " + data + ": " + std::strerror(errno));
  return true;
}

}  // namespace

base::Result<CacheMounts::Lease> CacheMounts::acquire(const ir::Mount& mount) const {
  std::string home = m_dir + "/" + base::Sha256::of(mount.id).hex();
  TRY(content::make_dirs(home));
  std::string id_file = home + "/id";
  if (::access(id_file.c_str(), F_OK) != 0) {
    // Written aside and renamed: a killed build never leaves an empty id.
    // Racing writers write the same bytes.
    std::string staging = id_file + "." + content::random_hex();
    {
      TRY_ASSIGN(base::UniqueFd id_fd, content::open_file(staging, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
      TRY(content::write_all(id_fd.get(), mount.id, staging));
    }
    TRY(content::rename_file(staging, id_file));
  }
  for (int instance = 0;; ++instance) {
    std::string suffix = instance == 0 ? "" : "-" + std::to_string(instance);
    std::string lock_path = home + "/lock" + suffix;
    TRY_ASSIGN(base::UniqueFd fd, content::open_file(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    switch (mount.sharing) {
      case ir::CacheSharing::shared: TRY(content::lock_shared(fd.get(), lock_path)); break;
      case ir::CacheSharing::locked: TRY(content::lock_exclusive(fd.get(), lock_path)); break;
      case ir::CacheSharing::private_: {
        TRY_ASSIGN(bool held, content::try_lock_exclusive(fd.get(), lock_path));
        if (!held) continue;  // this instance is busy: try the next
        break;
      }
    }
    // `kiln prune` deletes a lock file only while holding it; a lock taken on
    // a file that was unlinked meanwhile protects nothing: start again.
    struct stat held {}, named {};
    if (::fstat(fd.get(), &held) != 0 || ::stat(lock_path.c_str(), &named) != 0 || held.st_ino != named.st_ino ||
        held.st_dev != named.st_dev) {
      --instance;
      continue;
    }
    // The lock file's mtime is the cache's last use for `kiln prune --keep-storage`.
    (void)::futimens(fd.get(), nullptr);
    Lease lease;
    lease.path = home + "/data" + suffix;
    TRY_ASSIGN(lease.created, ensure_data(lease.path, mount));
    lease.lock = std::move(fd);
    return lease;
  }
}

}  // namespace solver_ops::exec_step
