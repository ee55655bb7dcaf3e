#pragma once
// The executor of ADD <url> (ir::HttpSource), as BuildKit's HTTP source:
// the output is a snapshot holding the single file /<filename>, mode 0600,
// owned by root, with the mtime of the response's Last-Modified header (the
// epoch without one).
//
// Cache key:
//  - with --checksum: the filename and the checksum; nothing is downloaded
//    until the step runs, and the download must match it;
//  - without: the filename, the content's digest and Last-Modified, so the
//    URL is fetched on every build while keys are computed. A conditional
//    GET with the ETag seen last time (kept in the cache index under the
//    URL) saves the body when the server answers 304; otherwise the body is
//    downloaded into an active snapshot right away and run() commits that
//    very download, so the file is fetched once per build.
//
// Lifecycle: one per build, owned by the BuildExecutor; downloads that no
// step used (the step was cached) are removed on destruction. Thread-safe.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "base/digest.h"
#include "base/result.h"
#include "snapshotter/snapshotter.h"
#include "solver/core/cache_index.h"
#include "solver/core/executor.h"
#include "solver/ir/ir.h"
#include "solver/ops/http/fetch.h"

namespace solver::ops::http {

// What the last download of a URL returned, kept to make the next request
// conditional.
struct EtagRecord {
  std::string etag;
  base::Digest digest;
  std::string last_modified;
};
std::string serialize_etag_record(const EtagRecord& record);
base::Result<EtagRecord> parse_etag_record(std::string_view text);

// The content part of an HttpSource's cache key.
base::Digest http_content_key(const std::string& filename, const base::Digest& content,
                              const std::string& last_modified);

struct DownloadedFile {
  base::Digest digest;
  std::string etag;
  std::string last_modified;
  bool not_modified = false;  // 304: nothing was written
};

// Downloads `source.url` into `dir`/`source.filename` (which must not
// exist), with the mode and mtime above.
base::Result<DownloadedFile> download_into(const ir::HttpSource& source, const std::string& dir,
                                           const FetchOptions& options);

class HttpSourceRunner {
 public:
  HttpSourceRunner(snapshotter::Snapshotter& snapshots, CacheIndex& index, FetchOptions options = {})
      : m_snapshots(snapshots), m_index(index), m_options(std::move(options)) {}
  ~HttpSourceRunner();
  HttpSourceRunner(const HttpSourceRunner&) = delete;
  HttpSourceRunner& operator=(const HttpSourceRunner&) = delete;

  base::Result<ContentKey> content_key(uint32_t op, const ir::HttpSource& source);
  base::Result<VertexResult> run(uint32_t op, const ir::HttpSource& source, StepContext& step);
  // Reasons for two details of kind "http".
  static std::vector<std::string> explain(const std::string& before, const std::string& after);

 private:
  // A download into active snapshot `active`, made by content_key().
  struct Pending {
    std::string active;
    base::Digest digest;
  };
  base::Result<std::pair<std::string, DownloadedFile>> download_snapshot(const ir::HttpSource& source,
                                                                         const FetchOptions& options);

  snapshotter::Snapshotter& m_snapshots;
  CacheIndex& m_index;
  FetchOptions m_options;
  std::mutex m_mutex;
  std::map<uint32_t, Pending> m_pending;        // op → download not yet committed
  std::map<uint32_t, base::Digest> m_expected;  // op → digest its key was made from
};

}  // namespace solver::ops::http
