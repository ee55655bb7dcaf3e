#pragma once
// TarOut: writes a tar stream with fixed metadata, so that the same entries in
// the same order always give the same bytes. Every entry is owned by 0:0 with
// empty owner names, has mtime 0 (the Unix epoch, as `docker save` writes for
// its metadata files), mode 0644 for files and 0755 for directories. The
// format is POSIX pax in its restricted form: plain ustar headers unless a
// name needs an extended header, and no atime/ctime or other host details.
//
// The caller decides the order (exports sort their entries). Blob content is
// streamed from the content store in chunks and verified on the way; a
// corrupt blob aborts the archive with an error naming it.
//
// Owns a libarchive writer on a borrowed fd; the fd must outlive the TarOut.
// Not thread-safe. `finish` must be called for a complete archive; dropping an
// unfinished TarOut leaves a truncated stream behind.

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "content/blob_io.h"
#include "content/content_store.h"

namespace content::archives {

using base::Result;

class TarOut {
 public:
  // `what` names the destination in errors ("archive out.tar", "stdout").
  static Result<TarOut> open_fd(int fd, std::string what);
  ~TarOut();
  TarOut(TarOut&&) noexcept;
  TarOut& operator=(TarOut&&) noexcept;

  Result<void> add_dir(std::string_view path);
  Result<void> add_bytes(std::string_view path, std::string_view bytes);
  // Streams blob `blob` of `store` as a file entry of blob.size bytes.
  Result<void> add_blob(std::string_view path, const ContentStore& store, const BlobInfo& blob);
  // Writes the end-of-archive blocks and flushes.
  Result<void> finish();

 private:
  struct Impl;
  explicit TarOut(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace content::archives
