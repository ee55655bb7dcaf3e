#pragma once
// Byte streams for layer work: a ByteSource is read until it returns 0, a
// ByteSink takes bytes in order and is closed once. Layers are large, so every
// layer operation streams through these and never holds a whole layer in
// memory. Implementations are single-threaded unless they say otherwise.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/digest.h"
#include "base/result.h"

namespace snapshotter::layer {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `size` bytes into `buf`; returns 0 only at the end of the stream.
  virtual base::Result<size_t> read(char* buf, size_t size) = 0;
};

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual base::Result<void> write(std::string_view bytes) = 0;
  // Flushes whatever the sink buffers; no writes are allowed afterwards.
  virtual base::Result<void> close() { return {}; }
};

// Reads from a file descriptor it does not own.
class FdSource final : public ByteSource {
 public:
  explicit FdSource(int fd) : m_fd(fd) {}
  base::Result<size_t> read(char* buf, size_t size) override;

 private:
  int m_fd;
};

// Writes to a file descriptor it does not own.
class FdSink final : public ByteSink {
 public:
  explicit FdSink(int fd) : m_fd(fd) {}
  base::Result<void> write(std::string_view bytes) override;

 private:
  int m_fd;
};

// Reads from a borrowed buffer (tests, fuzzing, small blobs).
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view data) : m_data(data) {}
  base::Result<size_t> read(char* buf, size_t size) override;

 private:
  std::string_view m_data;
};

// Appends everything to a string (tests only: it holds the whole stream).
class StringSink final : public ByteSink {
 public:
  base::Result<void> write(std::string_view bytes) override {
    m_data.append(bytes);
    return {};
  }
  const std::string& data() const { return m_data; }

 private:
  std::string m_data;
};

// Discards the bytes (digest-only passes).
class NullSink final : public ByteSink {
 public:
  base::Result<void> write(std::string_view) override { return {}; }
};

// Forwards to another sink while computing the SHA-256 and size of what went
// through. Closing it closes the downstream sink.
class HashingSink final : public ByteSink {
 public:
  explicit HashingSink(ByteSink& next) : m_next(next) {}
  base::Result<void> write(std::string_view bytes) override;
  base::Result<void> close() override { return m_next.close(); }
  uint64_t size() const { return m_size; }
  // Valid once; the sink must not be written afterwards.
  base::Digest finish() { return m_sha.finish(); }

 private:
  ByteSink& m_next;
  base::Sha256 m_sha;
  uint64_t m_size = 0;
};

}  // namespace snapshotter::layer
