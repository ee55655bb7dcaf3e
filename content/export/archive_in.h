#pragma once
// The input side of `kiln load`: an archive seen as a set of files by path,
// whatever it came as (a tar stream, possibly compressed, or an OCI layout
// directory). Files are put into the content store as they are asked for, and
// every byte is verified: files named by digest (blobs/<alg>/<hex>) against
// that digest while they stream in, everything else against the digest the
// manifest expects when it is asked for.
//
// Entry names are untrusted: absolute names and names with ".." components
// are errors naming the entry, and so are links whose targets leave the
// archive. Nothing is ever written outside the content store.
//
// A tar is read once, front to back (a stream cannot be rewound): small files
// are kept in memory, blobs and large files go to the store at once. Every
// blob the store did not have before is recorded in an IngestLog, so that a
// failed load can remove what it added.
//
// Sources are owned by the loader, used from one thread, and borrow the store.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "base/digest.h"
#include "base/result.h"
#include "content/blob_io.h"
#include "content/content_store.h"

namespace content::archives {

using base::Result;

// "./blobs//sha256/x" → "blobs/sha256/x". Errors for empty, absolute and ".." names.
Result<std::string> clean_entry_name(std::string_view name);

// The blobs a load added to the store (absent before it started).
struct IngestLog {
  std::set<base::Digest> created;
};

class ArchiveSource {
 public:
  virtual ~ArchiveSource() = default;
  virtual Result<bool> has(const std::string& path) = 0;
  // The whole content of a metadata file (index.json, manifest.json, a
  // config); large files are refused.
  virtual Result<std::string> read_small(const std::string& path) = 0;
  // The file's content as a blob of the store, checked against `expected`
  // (digest and size) when given; errors name the entry.
  virtual Result<BlobInfo> ingest(const std::string& path, const std::optional<BlobInfo>& expected) = 0;
  // "archive app.tar", "OCI layout /tmp/x": for messages.
  virtual const std::string& what() const = 0;
};

struct SourceOptions {
  PublishGuard* guard = nullptr;  // not owned; protects blobs until they are tagged
};

// Reads the whole tar on `fd` (gzip, bzip2, xz and zstd compressed tars are
// accepted, as `docker load` does) into a source. A truncated or corrupt
// archive is an error naming the entry being read.
Result<std::unique_ptr<ArchiveSource>> scan_tar(int fd, std::string what, const ContentStore& store,
                                                IngestLog& log, SourceOptions options = {});

// An OCI layout directory, read in place.
Result<std::unique_ptr<ArchiveSource>> open_layout_dir(std::string dir, const ContentStore& store, IngestLog& log,
                                                       SourceOptions options = {});

}  // namespace content::archives
