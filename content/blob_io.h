#pragma once
// Streaming blob I/O for the content store: BlobWriter writes a new blob via
// tmp/ and publishes it atomically; BlobReader streams an existing blob and
// verifies it. Both are move-only, owned by the caller, and not thread-safe
// (one stream, one thread). Made by ContentStore, not directly.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/digest.h"
#include "base/result.h"
#include "base/unique_fd.h"
#include "content/tmp_dir.h"
#include "content/write_behind.h"

namespace content {

using base::Result;

struct BlobInfo {
  base::Digest digest;
  int64_t size = 0;

  friend bool operator==(const BlobInfo&, const BlobInfo&) = default;
};

// Called with the digest of a verified blob just before it becomes visible in
// blobs/. The metadata store's Lease implements it, so that a concurrent
// garbage collection cannot delete a blob between its publication and the
// first reference to it. A failure aborts the commit.
class PublishGuard {
 public:
  virtual ~PublishGuard() = default;
  virtual Result<void> protect(const base::Digest& digest) = 0;
};

struct WriterOptions {
  std::optional<base::Digest> expected_digest;
  std::optional<int64_t> expected_size;
  PublishGuard* guard = nullptr;  // not owned; must outlive commit()
  // The caller hashes what it writes (a layer exporter does, for the
  // layer's diffID) and names the digest in commit(digest): the writer does
  // not hash the same bytes a second time.
  bool digest_from_caller = false;
  // Writes on a thread of their own while the caller produces the next bytes
  // (content/write_behind.h): for large streams such as layers.
  bool write_behind = false;
};

// Large blobs are handed to the kernel's writeback every k_writeback_chunk
// bytes while they are written, so the fsync in commit() does not have to
// write the whole blob at once (a 150 MB layer's fsync took 0.17 s of a
// 0.54 s pull before).
inline constexpr int64_t k_writeback_chunk = int64_t{8} << 20;

class BlobWriter {
 public:
  BlobWriter(TmpEntry tmp, std::string blob_dir, WriterOptions options);
  ~BlobWriter();
  BlobWriter(BlobWriter&& other) noexcept;
  BlobWriter& operator=(BlobWriter&& other) noexcept;

  // Appends bytes, hashing them (unless digest_from_caller). Fails early when an expected size is exceeded.
  Result<void> write(std::string_view bytes);
  int64_t written() const { return m_written; }

  // fsync, verify digest and size against the expectations, protect through
  // the guard, rename into blobs/ and fsync the directory. On any failure the
  // temporary file is removed and nothing is published. The writer is spent
  // afterwards either way.
  Result<BlobInfo> commit();
  // commit() for a writer opened with digest_from_caller: `digest` is that of
  // every byte written, as the caller computed it.
  Result<BlobInfo> commit(const base::Digest& digest);
  // Drops the partial blob; the destructor does this for uncommitted writers.
  void abort();

 private:
  TmpEntry m_tmp;
  std::string m_blob_dir;
  WriterOptions m_options;
  base::Sha256 m_hash;
  int64_t m_written = 0;
  int64_t m_writeback_from = 0;  // bytes before this were handed to start_writeback
  std::unique_ptr<WriteBehind> m_behind;  // with WriterOptions::write_behind
  bool m_done = false;

  Result<BlobInfo> publish(BlobInfo info);
};

class BlobReader {
 public:
  BlobReader(base::UniqueFd fd, std::string path, BlobInfo expected)
      : m_fd(std::move(fd)), m_path(std::move(path)), m_expected(std::move(expected)) {}

  // Reads up to `size` bytes; 0 means the end, reached only after the content
  // was verified. A mismatch is an error at the end of the stream: callers must
  // read to the end before trusting what they read.
  Result<size_t> read(char* buf, size_t size);
  Result<std::string> read_all();
  const BlobInfo& info() const { return m_expected; }

 private:
  base::UniqueFd m_fd;
  std::string m_path;
  BlobInfo m_expected;
  base::Sha256 m_hash;
  int64_t m_read = 0;
  bool m_verified = false;
  std::optional<base::Error> m_failure;  // sticky: a corrupt blob never reads as complete
};

}  // namespace content
