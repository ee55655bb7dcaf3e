#include "solver/ops/gc/lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace solver::ops::gc {

base::Result<StoreLock> StoreLock::acquire(const std::string& root, Mode mode, Wait wait) {
  std::string path = root + "/gc.lock";
  base::UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (fd.get() < 0)
    return base::make_error("cannot open " + path + ": " + std::strerror(errno));
  int op = (mode == Mode::shared ? LOCK_SH : LOCK_EX) | (wait == Wait::no ? LOCK_NB : 0);
  while (::flock(fd.get(), op) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK && wait == Wait::no) return StoreLock(base::UniqueFd());
    return base::make_error("cannot lock " + path + ": " + std::strerror(errno));
  }
  return StoreLock(std::move(fd));
}

}  // namespace solver::ops::gc
