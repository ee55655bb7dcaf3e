#pragma once
// TarWriter writes an OCI layer tar (pax, as docker and BuildKit write it) to a
// ByteSink, computing the diffID (sha256 of the tar) on the way. Entries are
// written in the order given; content is streamed from a file descriptor in
// fixed-size chunks, never held whole. Not thread-safe. Once an error is
// returned the writer is unusable.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/digest.h"
#include "base/result.h"
#include "snapshotter/layer/background_hash.h"
#include "snapshotter/layer/stream.h"

struct archive;

namespace snapshotter::layer {

struct TarEntry {
  enum class Type { regular, directory, symlink, hardlink, char_device, block_device, fifo };
  std::string name;  // clean, relative: "etc/passwd"
  Type type = Type::regular;
  uint32_t mode = 0;  // permission bits (07777)
  uint32_t uid = 0;
  uint32_t gid = 0;
  int64_t mtime = 0;  // seconds; sub-second parts are dropped, as containerd does
  uint64_t size = 0;  // regular files only
  std::string link;   // symlink target, or the hardlink's first name
  uint32_t dev_major = 0;
  uint32_t dev_minor = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;  // sorted by name
};

struct TarSummary {
  base::Digest diff_id;
  uint64_t size = 0;     // bytes of tar written
  uint64_t entries = 0;
};

class TarWriter {
 public:
  explicit TarWriter(ByteSink& sink);
  ~TarWriter();
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  // Writes one entry. For a regular file, `content_fd` is read for exactly
  // entry.size bytes (a file that shrank meanwhile is padded with zeros).
  base::Result<void> add(const TarEntry& entry, int content_fd = -1);
  // Writes the end-of-archive marker and flushes; does not close the sink.
  base::Result<TarSummary> finish();

 private:
  static long write_cb(archive*, void* self, const void* buf, size_t size);
  base::Error archive_failure(const std::string& what);

  BackgroundHashingSink m_sink;
  archive* m_archive = nullptr;
  std::optional<base::Error> m_sink_error;
  uint64_t m_entries = 0;
  bool m_discarding = false;
  std::string m_chunk;
};

}  // namespace snapshotter::layer
