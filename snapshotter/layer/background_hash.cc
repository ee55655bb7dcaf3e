#include "snapshotter/layer/background_hash.h"

#include <system_error>
#include <utility>

namespace snapshotter::layer {

BackgroundHashingSink::BackgroundHashingSink(ByteSink& next) : m_next(next) {}

BackgroundHashingSink::~BackgroundHashingSink() {
  if (!m_threaded) return;
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_wake.notify_all();
  m_hasher.join();
}

void BackgroundHashingSink::hash_loop() {
  std::unique_lock lock(m_mutex);
  for (;;) {
    m_wake.wait(lock, [this] { return m_busy || m_stop; });
    if (m_busy) {
      // The caller touches m_hashing only once m_busy is false again.
      lock.unlock();
      m_sha.update(m_hashing);
      lock.lock();
      m_busy = false;
      m_wake.notify_all();
      continue;
    }
    return;
  }
}

void BackgroundHashingSink::wait_idle() {
  std::unique_lock lock(m_mutex);
  m_wake.wait(lock, [this] { return !m_busy; });
}

base::Result<void> BackgroundHashingSink::hand_over() {
  if (m_filling.empty()) return {};
  if (!m_threaded && !m_no_thread) {
    try {
      m_hasher = std::thread([this] { hash_loop(); });
      m_threaded = true;
    } catch (const std::system_error&) {
      m_no_thread = true;
    }
  }
  if (!m_threaded) {
    // No thread to be had: hash here, as HashingSink does.
    m_sha.update(m_filling);
    TRY(m_next.write(m_filling));
    m_filling.clear();
    return {};
  }
  wait_idle();
  std::swap(m_filling, m_hashing);
  m_filling.clear();
  {
    std::lock_guard lock(m_mutex);
    m_busy = true;
  }
  m_wake.notify_all();
  // Read by both threads at once; written by neither until the next hand_over.
  return m_next.write(m_hashing);
}

base::Result<void> BackgroundHashingSink::write(std::string_view bytes) {
  m_size += bytes.size();
  if (m_filling.capacity() < k_chunk) m_filling.reserve(k_chunk);
  while (!bytes.empty()) {
    const size_t take = std::min(bytes.size(), k_chunk - m_filling.size());
    m_filling.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (m_filling.size() == k_chunk) TRY(hand_over());
  }
  return {};
}

base::Result<void> BackgroundHashingSink::flush() {
  if (m_filling.empty()) return {};
  if (!m_threaded) {
    // Never a whole chunk: not worth a thread.
    m_sha.update(m_filling);
    TRY(m_next.write(m_filling));
    m_filling.clear();
    return {};
  }
  return hand_over();
}

base::Result<void> BackgroundHashingSink::close() {
  TRY(flush());
  return m_next.close();
}

base::Digest BackgroundHashingSink::finish() {
  if (m_threaded) wait_idle();
  return m_sha.finish();
}

}  // namespace snapshotter::layer
