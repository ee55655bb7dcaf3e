#pragma once
// ContentStore: immutable blobs (layers, configs, manifests) addressed by
// digest, in `$root/blobs/sha256/<hex>`. Writes go through `$root/tmp/` and
// are published by an atomic rename after fsync and verification; reads verify
// the content against the digest, so a corrupt blob is reported, never
// returned. See docs/storage.md for the layout and the crash-safety argument.
//
// Several processes may use one root at once: the store keeps no state of its
// own besides paths, every operation is a single atomic filesystem step, and
// tmp/ entries are claimed with flocks (see TmpDir). Thread-safe.
//
// Which blobs are still needed is not the store's business: the metadata
// database records references, and garbage collection removes blobs through
// `remove`.

#include <functional>
#include <string>
#include <vector>

#include "base/digest.h"
#include "base/result.h"
#include "content/blob_io.h"
#include "content/tmp_dir.h"

namespace content {

class ContentStore {
 public:
  // Creates the layout under `root` if needed and removes the temporary files
  // of dead processes from tmp/.
  static Result<ContentStore> open(std::string root);

  Result<BlobWriter> writer(WriterOptions options = {}) const;
  // write + commit of a whole buffer; nothing is written when the blob is
  // already stored with these bytes.
  Result<BlobInfo> write_blob(std::string_view bytes, WriterOptions options = {}) const;

  // The whole blob, verified. Errors name the digest; a missing blob says "not found".
  Result<std::string> read(const base::Digest& digest) const;
  // A stream that verifies when it reaches the end.
  Result<BlobReader> open_reader(const base::Digest& digest) const;
  // Digest and size from the file system, without reading the content.
  Result<BlobInfo> info(const base::Digest& digest) const;
  Result<bool> exists(const base::Digest& digest) const;
  // Removing a missing blob is not an error. Readers that already opened it
  // keep reading the old content.
  Result<void> remove(const base::Digest& digest) const;
  // Every blob, in digest order. Stops at the first error of `fn`.
  Result<void> walk(const std::function<Result<void>(const BlobInfo&)>& fn) const;
  // Names in blobs/sha256/ that are not 64 lowercase hex characters or not
  // regular files; fsck reports them.
  Result<std::vector<std::string>> stray_entries() const;
  // Removes those entries (a directory with all it holds); returns their
  // names. No blob is ever stored under such a name, so nothing kiln wrote
  // as content is lost. For `kiln fsck --repair`.
  Result<std::vector<std::string>> remove_stray_entries() const;

  const std::string& root() const { return m_root; }
  std::string blob_dir() const { return m_root + "/blobs/sha256"; }
  std::string blob_path(const base::Digest& digest) const { return blob_dir() + "/" + digest.hex(); }
  const TmpDir& tmp() const { return m_tmp; }

 private:
  explicit ContentStore(std::string root) : m_root(std::move(root)), m_tmp(m_root + "/tmp") {}
  Result<void> check_algorithm(const base::Digest& digest) const;
  bool stored_identically(const base::Digest& digest, std::string_view bytes) const;

  std::string m_root;
  TmpDir m_tmp;
};

}  // namespace content
