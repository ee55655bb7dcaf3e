#include "content/write_behind.h"

#include <system_error>
#include <utility>

#include "content/file_ops.h"

namespace content {

namespace {
constexpr size_t k_buffer_size = size_t{1} << 20;
}

WriteBehind::WriteBehind(int fd, std::string path, int64_t writeback_chunk)
    : m_fd(fd), m_path(std::move(path)), m_writeback_chunk(writeback_chunk) {
  try {
    m_thread = std::thread([this] { run(); });
  } catch (const std::system_error&) {
    // No thread: write() writes inline.
  }
}

WriteBehind::~WriteBehind() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_changed.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

Result<void> WriteBehind::write_now(std::string_view bytes) {
  TRY(write_all(m_fd, bytes, m_path));
  m_written += static_cast<int64_t>(bytes.size());
  if (m_written - m_writeback_from >= m_writeback_chunk) {
    start_writeback(m_fd, m_writeback_from, m_written - m_writeback_from);
    m_writeback_from = m_written;
  }
  return {};
}

Result<void> WriteBehind::write(std::string_view bytes) {
  if (!m_thread.joinable()) return write_now(bytes);
  std::unique_lock lock(m_mutex);
  while (!bytes.empty()) {
    if (m_queued >= k_write_behind_limit) {
      // The writer may be idle, waiting for what this call queued so far.
      m_changed.notify_all();
      m_changed.wait(lock, [this] { return m_error || m_queued < k_write_behind_limit; });
    }
    if (m_error) return *m_error;
    // Small writes fill the last queued buffer; large ones are cut into
    // buffers of k_buffer_size.
    if (m_queue.empty() || m_queue.back().size() >= k_buffer_size) {
      std::string buffer;
      if (!m_spare.empty()) {
        buffer = std::move(m_spare.back());
        m_spare.pop_back();
        buffer.clear();
      } else {
        buffer.reserve(k_buffer_size);
      }
      m_queue.push_back(std::move(buffer));
    }
    std::string& last = m_queue.back();
    const size_t n = std::min(bytes.size(), k_buffer_size - last.size());
    last.append(bytes.data(), n);
    bytes.remove_prefix(n);
    m_queued += n;
  }
  lock.unlock();
  m_changed.notify_all();
  return {};
}

Result<void> WriteBehind::finish() {
  if (!m_thread.joinable()) return {};
  std::unique_lock lock(m_mutex);
  m_changed.wait(lock, [this] { return m_error || (m_queue.empty() && !m_writing); });
  if (m_error) return *m_error;
  return {};
}

void WriteBehind::run() {
  std::unique_lock lock(m_mutex);
  for (;;) {
    m_changed.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
    if (m_stopping) return;
    std::string buffer = std::move(m_queue.front());
    m_queue.pop_front();
    m_writing = true;
    lock.unlock();
    auto written = write_now(buffer);
    lock.lock();
    m_writing = false;
    m_queued -= buffer.size();
    if (!written.ok()) {
      m_error = written.error();
      m_queue.clear();
      m_queued = 0;
    } else if (m_spare.size() < 4) {
      m_spare.push_back(std::move(buffer));
    }
    m_changed.notify_all();
    if (m_error) {
      m_changed.wait(lock, [this] { return m_stopping; });
      return;
    }
  }
}

}  // namespace content
