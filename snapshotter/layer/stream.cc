#include "snapshotter/layer/stream.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace snapshotter::layer {

base::Result<size_t> FdSource::read(char* buf, size_t size) {
  for (;;) {
    ssize_t n = ::read(m_fd, buf, size);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR)
      return base::make_error(std::string("cannot read layer stream: ") + std::strerror(errno));
  }
}

base::Result<void> FdSink::write(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(m_fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return base::make_error(std::string("cannot write layer stream: ") + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

base::Result<size_t> MemorySource::read(char* buf, size_t size) {
  size_t n = std::min(size, m_data.size());
  std::memcpy(buf, m_data.data(), n);
  m_data.remove_prefix(n);
  return n;
}

base::Result<void> HashingSink::write(std::string_view bytes) {
  m_sha.update(bytes);
  m_size += bytes.size();
  return m_next.write(bytes);
}

}  // namespace snapshotter::layer
