#include "base/unique_fd.h"

#include <unistd.h>

namespace base {

void UniqueFd::reset(int fd) {
  // close() errors cannot be acted on here: the descriptor is gone either way.
  if (m_fd >= 0) ::close(m_fd);
  m_fd = fd;
}

}  // namespace base
