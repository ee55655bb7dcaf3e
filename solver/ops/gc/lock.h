#pragma once
// StoreLock: keeps garbage collection and builds apart. A build holds the
// lock shared for its whole run; `kiln prune` and `kiln fsck` hold it
// exclusively. So a collection never sees a build's half-finished state (a
// snapshot committed but not yet recorded, a layer blob published but not yet
// recorded, a cache hit whose snapshot is about to be mounted), and builds
// never block each other. The lock is an flock(2) on `<root>/gc.lock`: it
// ends with its process however that ends (SIGKILL included), so a killed
// build never leaves the store locked. No lock is held while waiting for
// another one, so waiting can not deadlock. Move-only; not thread-safe.
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace solver::ops::gc {

class StoreLock {
 public:
  enum class Mode { shared, exclusive };
  enum class Wait { no, yes };

  // Takes the lock on `root`. With Wait::no, returns a lock that is not
  // held() when another process holds it incompatibly.
  static base::Result<StoreLock> acquire(const std::string& root, Mode mode, Wait wait);

  bool held() const { return m_fd.get() >= 0; }

 private:
  explicit StoreLock(base::UniqueFd fd) : m_fd(std::move(fd)) {}
  base::UniqueFd m_fd;
};

}  // namespace solver::ops::gc
