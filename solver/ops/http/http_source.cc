#include "solver/ops/http/http_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "base/unique_fd.h"

namespace solver::ops::http {

namespace {

constexpr const char* k_record_version = "kiln.http-etag.v1";
constexpr const char* k_record_prefix = "kiln.http-etag.v1:";

// The index record of a URL's last download. Keyed by URL and filename
// only: the ETag belongs to what the server sends for that URL.
std::string record_key(const ir::HttpSource& source) {
  base::Hasher h(k_record_version);
  h.str(source.url).str(source.filename);
  return k_record_prefix + h.finish().hex();
}

std::string detail_of(const ir::HttpSource& source, const base::Digest& digest) {
  return source.url + "\n" + digest.str();
}

// Removes an active snapshot unless released.
class ActiveGuard {
 public:
  ActiveGuard(snapshotter::Snapshotter& snapshots, std::string id) : m_snapshots(snapshots), m_id(std::move(id)) {}
  ~ActiveGuard() {
    if (!m_id.empty()) (void)m_snapshots.remove(m_id);
  }
  ActiveGuard(const ActiveGuard&) = delete;
  ActiveGuard& operator=(const ActiveGuard&) = delete;
  const std::string& id() const { return m_id; }
  std::string release() { return std::exchange(m_id, std::string()); }

 private:
  snapshotter::Snapshotter& m_snapshots;
  std::string m_id;
};

base::Error mismatch(const ir::HttpSource& source, const base::Digest& want, const base::Digest& got,
                     bool from_checksum) {
  if (from_checksum)
    return base::make_error("checksum mismatch for " + source.url + ": expected " + want.str() + ", got " +
                            got.str());
  return base::make_error("content of " + source.url + " changed while building: keyed on " + want.str() +
                          ", downloaded " + got.str());
}

}  // namespace

std::string serialize_etag_record(const EtagRecord& record) {
  return std::string(k_record_version) + "\n" + record.etag + "\n" + record.digest.str() + "\n" +
         record.last_modified + "\n";
}

base::Result<EtagRecord> parse_etag_record(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::string version, etag, digest, last_modified;
  if (!std::getline(in, version) || version != k_record_version || !std::getline(in, etag) ||
      !std::getline(in, digest) || !std::getline(in, last_modified))
    return base::make_error("malformed HTTP download record");
  EtagRecord out;
  out.etag = etag;
  TRY_ASSIGN(out.digest, base::Digest::parse(digest));
  out.last_modified = last_modified;
  return out;
}

base::Digest http_content_key(const std::string& filename, const base::Digest& content,
                              const std::string& last_modified) {
  base::Hasher h("kiln.http-source.v1");
  h.str(filename).digest(content).str(last_modified);
  return h.finish();
}

base::Result<DownloadedFile> download_into(const ir::HttpSource& source, const std::string& dir,
                                           const FetchOptions& options) {
  // The name comes from the URL's path: it must stay one entry of `dir`.
  if (source.filename.empty() || source.filename == "." || source.filename == ".." ||
      source.filename.find('/') != std::string::npos)
    return base::make_error("cannot download " + source.url + ": invalid file name \"" + source.filename + "\"");
  std::string path = dir + "/" + source.filename;
  base::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return base::make_error("cannot create " + path + ": " + std::strerror(errno));
  TRY_ASSIGN(FetchResult fetched, fetch(source.url, fd.get(), options));
  DownloadedFile out;
  out.etag = fetched.etag;
  out.last_modified = fetched.last_modified;
  if (fetched.not_modified) {
    fd.reset();
    ::unlink(path.c_str());
    out.not_modified = true;
    return out;
  }
  out.digest = fetched.digest;
  // umask may have narrowed the mode at creation; BuildKit's file is 0600.
  if (::fchmod(fd.get(), 0600) != 0) return base::make_error("cannot chmod " + path + ": " + std::strerror(errno));
  int64_t mtime = parse_http_date(fetched.last_modified).value_or(0);
  timespec times[2];
  times[0].tv_sec = static_cast<time_t>(mtime);
  times[0].tv_nsec = 0;
  times[1] = times[0];
  if (::futimens(fd.get(), times) != 0)
    return base::make_error("cannot set times of " + path + ": " + std::strerror(errno));
  return out;
}

HttpSourceRunner::~HttpSourceRunner() {
  // Downloads made for keys whose step came from the cache.
  for (const auto& [op, pending] : m_pending) (void)m_snapshots.remove(pending.active);
}

base::Result<std::pair<std::string, DownloadedFile>> HttpSourceRunner::download_snapshot(
    const ir::HttpSource& source, const FetchOptions& options) {
  TRY_ASSIGN(std::string id, m_snapshots.prepare(""));
  ActiveGuard active(m_snapshots, id);
  DownloadedFile file;
  {
    TRY_ASSIGN(auto mounted, m_snapshots.mount(active.id()));
    TRY_ASSIGN(file, download_into(source, mounted->path(), options));
  }
  if (file.not_modified) return std::pair<std::string, DownloadedFile>{std::string(), file};
  return std::pair<std::string, DownloadedFile>{active.release(), file};
}

base::Result<ContentKey> HttpSourceRunner::content_key(uint32_t op, const ir::HttpSource& source) {
  if (!source.checksum.empty()) {
    TRY_ASSIGN(base::Digest want, base::Digest::parse(source.checksum));
    {
      std::lock_guard lock(m_mutex);
      m_expected[op] = want;
    }
    return ContentKey{http_content_key(source.filename, want, ""), "http", detail_of(source, want)};
  }
  std::string rkey = record_key(source);
  std::optional<EtagRecord> known;
  TRY_ASSIGN(auto stored, m_index.lookup(rkey));
  if (stored) {
    // A record this kiln cannot read only costs a full download.
    auto parsed = parse_etag_record(stored->payload);
    if (parsed.ok() && !parsed->etag.empty()) known = *parsed;
  }
  FetchOptions options = m_options;
  if (known) options.if_none_match = {known->etag};
  TRY_ASSIGN(auto downloaded, download_snapshot(source, options));
  auto& [active, file] = downloaded;
  base::Digest digest;
  std::string last_modified;
  if (file.not_modified) {
    // Only a 304 for the ETag we sent says the content is the recorded one.
    if (!known || (!file.etag.empty() && file.etag != known->etag))
      return base::make_error("cannot download " + source.url + ": unexpected 304 Not Modified for ETag " +
                              (file.etag.empty() ? std::string("(none)") : file.etag));
    digest = known->digest;
    last_modified = known->last_modified;
  } else {
    digest = file.digest;
    last_modified = file.last_modified;
    if (!file.etag.empty()) TRY(m_index.store(rkey, VertexResult{"", serialize_etag_record({file.etag, digest, last_modified})}));
  }
  {
    std::lock_guard lock(m_mutex);
    if (!active.empty()) {
      if (auto old = m_pending.find(op); old != m_pending.end()) (void)m_snapshots.remove(old->second.active);
      m_pending[op] = Pending{active, digest};
    }
    m_expected[op] = digest;
  }
  return ContentKey{http_content_key(source.filename, digest, last_modified), "http", detail_of(source, digest)};
}

base::Result<VertexResult> HttpSourceRunner::run(uint32_t op, const ir::HttpSource& source, StepContext& step) {
  std::optional<Pending> pending;
  std::optional<base::Digest> expected;
  {
    std::lock_guard lock(m_mutex);
    if (auto it = m_pending.find(op); it != m_pending.end()) {
      pending = it->second;
      m_pending.erase(it);
    }
    if (auto it = m_expected.find(op); it != m_expected.end()) expected = it->second;
  }
  if (pending) {
    ActiveGuard active(m_snapshots, pending->active);
    TRY_ASSIGN(std::string committed, m_snapshots.commit(active.id()));
    active.release();
    return VertexResult{committed, ""};
  }
  step.log(1, "downloading " + source.url + "\n");
  TRY_ASSIGN(auto downloaded, download_snapshot(source, m_options));
  ActiveGuard active(m_snapshots, downloaded.first);
  if (downloaded.second.not_modified)
    return base::make_error("cannot download " + source.url + ": unexpected 304 Not Modified");
  const base::Digest& got = downloaded.second.digest;
  if (expected && got != *expected) return mismatch(source, *expected, got, !source.checksum.empty());
  TRY_ASSIGN(std::string committed, m_snapshots.commit(active.id()));
  active.release();
  return VertexResult{committed, ""};
}

std::vector<std::string> HttpSourceRunner::explain(const std::string& before, const std::string& after) {
  auto split = [](const std::string& s) {
    size_t nl = s.find('\n');
    return nl == std::string::npos ? std::pair<std::string, std::string>{s, ""}
                                   : std::pair<std::string, std::string>{s.substr(0, nl), s.substr(nl + 1)};
  };
  auto [url_a, digest_a] = split(before);
  auto [url_b, digest_b] = split(after);
  if (digest_a != digest_b) return {"content of " + url_b + " changed: " + digest_a + " -> " + digest_b};
  return {};
}

}  // namespace solver::ops::http
