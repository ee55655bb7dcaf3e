#pragma once
// A HashingSink whose hashing runs beside the writing: bytes are gathered
// into chunks, and while a thread of its own hashes one chunk the caller
// writes that chunk on and fills the next. A layer's tar is as long as its
// files together, and hashing it after every block had the writer wait for
// SHA-256 (0.2 s of a 300 MB layer) on a machine with a core to spare.
// Streams shorter than one chunk are hashed in the caller's thread.

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "snapshotter/layer/stream.h"

namespace snapshotter::layer {

class BackgroundHashingSink final : public ByteSink {
 public:
  explicit BackgroundHashingSink(ByteSink& next);
  ~BackgroundHashingSink() override;
  BackgroundHashingSink(const BackgroundHashingSink&) = delete;
  BackgroundHashingSink& operator=(const BackgroundHashingSink&) = delete;

  base::Result<void> write(std::string_view bytes) override;
  // Writes what is gathered on; close() also closes the downstream sink.
  base::Result<void> flush();
  base::Result<void> close() override;
  uint64_t size() const { return m_size; }
  // The digest of everything written; valid once, after flush() or close().
  base::Digest finish();

 private:
  static constexpr size_t k_chunk = size_t{1} << 20;
  base::Result<void> hand_over();
  void wait_idle();
  void hash_loop();

  ByteSink& m_next;
  base::Sha256 m_sha;
  uint64_t m_size = 0;
  std::string m_filling;  // the caller's
  std::string m_hashing;  // the hasher's while m_busy
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_busy = false;
  bool m_stop = false;
  bool m_threaded = false;
  bool m_no_thread = false;  // creating the thread failed once: hash inline
  std::thread m_hasher;
};

}  // namespace snapshotter::layer
