#pragma once
// Writes a file on a thread of its own while the caller produces the next
// bytes. A layer export reads 300 MB of files and builds the tar on one core
// while the blob's write() calls copy it into the page cache and, once the
// disk falls behind, block in the kernel's writeback: done in turn, the two
// added up (0.85 s of tar work on tmpfs became 1.8 s on disk). Queued here,
// the writes overlap the tar work, bounded by k_write_behind_limit bytes in
// flight.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/result.h"

namespace content {

using base::Result;

inline constexpr size_t k_write_behind_limit = size_t{16} << 20;

class WriteBehind {
 public:
  // Appends to `fd` (not owned; it must stay open until finish() or the
  // destructor), starting the kernel's writeback of every `writeback_chunk`
  // bytes as they are written. Falls back to writing in write() itself when
  // no thread can be started.
  WriteBehind(int fd, std::string path, int64_t writeback_chunk);
  // Stops the thread; bytes still queued are dropped (the caller is
  // abandoning the file).
  ~WriteBehind();
  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;

  // Queues a copy of `bytes`, waiting while the queue is full. Fails with the
  // error of an earlier write, after which nothing more is written.
  Result<void> write(std::string_view bytes);
  // Waits until every queued byte is written: the write error if any.
  Result<void> finish();

 private:
  void run();
  Result<void> write_now(std::string_view bytes);  // on the writing thread (or inline)

  int m_fd;
  std::string m_path;
  int64_t m_writeback_chunk;
  int64_t m_written = 0;
  int64_t m_writeback_from = 0;

  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::deque<std::string> m_queue;
  std::vector<std::string> m_spare;  // written buffers, reused
  size_t m_queued = 0;
  bool m_writing = false;  // the thread holds a buffer it took off the queue
  bool m_stopping = false;
  std::optional<base::Error> m_error;
  std::thread m_thread;  // last: it starts once the members above exist
};

}  // namespace content
