#include "content/export/archive_in.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <climits>
#include <cstdlib>
#include <variant>
#include <vector>

#include "base/path.h"
#include "content/file_ops.h"

namespace content::archives {

namespace {

constexpr size_t k_chunk = 1 << 16;
// Files up to this size that are not named by digest are kept in memory
// until the manifests say what they are; larger ones go to the store at once.
constexpr int64_t k_small = 1 << 20;
// All in-memory files together; beyond this, files go to the store.
constexpr int64_t k_memory_cap = 64 << 20;
// Link chains longer than this are treated as loops.
constexpr int k_max_links = 16;

// Resolves a link target against the archive root; `base` is the directory
// of the link for symlinks and the root for hard links.
Result<std::string> resolve_link(const std::string& entry, std::string_view target, const std::string& base) {
  std::optional<std::string> resolved;
  if (!target.empty() && target.front() != '/') resolved = base::resolve_within_root(base + "/" + std::string(target));
  if (!resolved)
    return base::make_error("archive entry \"" + entry + "\" links to \"" + std::string(target) +
                            "\", outside the archive");
  return *std::move(resolved);
}

std::string parent_dir(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

// The digest a "blobs/<alg>/<hex>" name promises, if it is one.
std::optional<base::Digest> digest_of_name(const std::string& path) {
  auto parts = base::split_path(path);
  if (parts.size() != 3 || parts[0] != "blobs") return std::nullopt;
  auto d = base::Digest::parse(parts[1] + ":" + parts[2]);
  if (!d) return std::nullopt;
  return *d;
}

std::string describe(const BlobInfo& b) { return b.digest.str() + " (" + std::to_string(b.size) + " bytes)"; }

Result<void> check_expected(const std::string& path, const std::string& what, const BlobInfo& got,
                            const std::optional<BlobInfo>& expected) {
  if (expected && (got.digest != expected->digest || got.size != expected->size))
    return base::make_error("entry " + path + " of " + what + " is " + describe(got) + ", expected " +
                            describe(*expected));
  return {};
}

// One blob being written from an archive: hashed on the side as well, so that
// before publishing we know whether the store already had it (a load must
// never remove a blob that was there before it).
class Upload {
 public:
  explicit Upload(BlobWriter writer) : m_writer(std::move(writer)) {}
  Result<void> write(std::string_view bytes) {
    m_hash.update(bytes);
    return m_writer.write(bytes);
  }
  int64_t written() const { return m_writer.written(); }
  BlobWriter& writer() { return m_writer; }
  base::Digest digest() { return m_hash.finish(); }

 private:
  BlobWriter m_writer;
  base::Sha256 m_hash;
};

// Writes archive files into the store and records in the IngestLog the blobs
// that are new.
class Ingester {
 public:
  Ingester(const ContentStore& store, IngestLog& log, SourceOptions options)
      : m_store(&store), m_log(&log), m_options(options) {}

  Result<Upload> start(const std::optional<BlobInfo>& expected) const {
    WriterOptions w;
    if (expected) {
      w.expected_digest = expected->digest;
      w.expected_size = expected->size;
    }
    w.guard = m_options.guard;
    TRY_ASSIGN(auto writer, m_store->writer(w));
    return Upload(std::move(writer));
  }

  Result<BlobInfo> commit(Upload& upload) {
    TRY_ASSIGN(bool present, m_store->exists(upload.digest()));
    TRY_ASSIGN(auto info, upload.writer().commit());
    if (!present) m_log->created.insert(info.digest);
    return info;
  }

  const ContentStore& store() const { return *m_store; }

 private:
  const ContentStore* m_store;
  IngestLog* m_log;
  SourceOptions m_options;
};

struct ArchiveReadDeleter {
  void operator()(::archive* a) const { archive_read_free(a); }
};

class TarSource final : public ArchiveSource {
 public:
  struct Link {
    std::string target;
  };
  using Entry = std::variant<std::string, BlobInfo, Link>;

  TarSource(std::string what, Ingester ingester) : m_what(std::move(what)), m_ingester(std::move(ingester)) {}

  Result<void> scan(int fd) {
    std::unique_ptr<::archive, ArchiveReadDeleter> a(archive_read_new());
    if (!a) return base::make_error("cannot create a tar reader for " + m_what);
    archive_read_support_filter_all(a.get());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    if (archive_read_open_fd(a.get(), fd, k_chunk) != ARCHIVE_OK) return fail(a.get(), "opening", "");
    std::string last = "(start)";
    int64_t in_memory = 0;
    for (;;) {
      ::archive_entry* e = nullptr;
      int r = archive_read_next_header(a.get(), &e);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) return fail(a.get(), "reading the entry after", last);
      const char* raw = archive_entry_pathname(e);
      if (!raw) return base::make_error("an entry of " + m_what + " after " + last + " has no name");
      TRY_ASSIGN(std::string path, with_context(clean_entry_name(raw), m_what));
      last = raw;
      if (const char* hard = archive_entry_hardlink(e)) {
        TRY_ASSIGN(std::string target, with_context(clean_entry_name(hard), m_what));
        m_entries[path] = Link{target};
        continue;
      }
      auto type = archive_entry_filetype(e);
      if (type == AE_IFLNK) {
        const char* target = archive_entry_symlink(e);
        TRY_ASSIGN(auto resolved, with_context(resolve_link(raw, target ? target : "", parent_dir(path)), m_what));
        m_entries[path] = Link{resolved};
        continue;
      }
      if (type != AE_IFREG) continue;  // directories and special files carry nothing we read
      if (path.empty()) return base::make_error(m_what + ": file entry \"" + last + "\" has an empty name");
      int64_t size = archive_entry_size(e);
      auto named = digest_of_name(path);
      if (!named && size <= k_small && in_memory + size <= k_memory_cap) {
        TRY_ASSIGN(std::string bytes, read_entry(a.get(), path, size));
        in_memory += size;
        m_entries[path] = std::move(bytes);
        continue;
      }
      std::optional<BlobInfo> expected;
      if (named) expected = BlobInfo{*named, size};
      TRY_ASSIGN(auto writer, m_ingester.start(expected));
      std::string buf(k_chunk, '\0');
      for (;;) {
        la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
        if (n < 0) return fail(a.get(), "reading entry", path);
        if (n == 0) break;
        TRY(with_context(writer.write(std::string_view(buf.data(), static_cast<size_t>(n))),
                         "entry " + path + " of " + m_what));
      }
      TRY_ASSIGN(auto info, with_context(m_ingester.commit(writer), "entry " + path + " of " + m_what));
      m_entries[path] = info;
    }
    return {};
  }

  Result<bool> has(const std::string& path) override {
    auto r = resolve(path);
    return r.ok();
  }

  Result<std::string> read_small(const std::string& path) override {
    TRY_ASSIGN(Entry * entry, resolve(path));
    if (auto* bytes = std::get_if<std::string>(entry)) return *bytes;
    const auto& info = std::get<BlobInfo>(*entry);
    if (info.size > k_small)
      return base::make_error("entry " + path + " of " + m_what + " is too large for a metadata file (" +
                              std::to_string(info.size) + " bytes)");
    return m_ingester.store().read(info.digest);
  }

  Result<BlobInfo> ingest(const std::string& path, const std::optional<BlobInfo>& expected) override {
    TRY_ASSIGN(Entry * entry, resolve(path));
    if (auto* bytes = std::get_if<std::string>(entry)) {
      TRY_ASSIGN(auto writer, m_ingester.start(expected));
      TRY(writer.write(*bytes));
      auto info = m_ingester.commit(writer);
      if (!info) {
        // Say what the entry holds instead of the writer's generic mismatch.
        BlobInfo got{base::Sha256::of(*bytes), static_cast<int64_t>(bytes->size())};
        TRY(check_expected(path, m_what, got, expected));
        return with_context(std::move(info), "entry " + path + " of " + m_what);
      }
      *entry = *info;
      return *info;
    }
    const auto& info = std::get<BlobInfo>(*entry);
    TRY(check_expected(path, m_what, info, expected));
    return info;
  }

  const std::string& what() const override { return m_what; }

 private:
  base::Error fail(::archive* a, std::string_view doing, std::string_view entry) const {
    const char* msg = archive_error_string(a);
    std::string text = std::string(doing);
    if (!entry.empty()) text += " " + std::string(entry);
    return base::make_error(m_what + ": " + text + ": " + (msg ? msg : "unknown libarchive error"));
  }

  Result<std::string> read_entry(::archive* a, const std::string& path, int64_t size) const {
    std::string out;
    out.reserve(static_cast<size_t>(size));
    std::string buf(k_chunk, '\0');
    for (;;) {
      la_ssize_t n = archive_read_data(a, buf.data(), buf.size());
      if (n < 0) return fail(a, "reading entry", path);
      if (n == 0) return out;
      out.append(buf.data(), static_cast<size_t>(n));
    }
  }

  Result<Entry*> resolve(const std::string& path) {
    std::string current = path;
    for (int hop = 0; hop <= k_max_links; ++hop) {
      auto it = m_entries.find(current);
      if (it == m_entries.end()) return base::make_error(m_what + " has no entry " + path);
      if (auto* link = std::get_if<Link>(&it->second)) {
        current = link->target;
        continue;
      }
      return &it->second;
    }
    return base::make_error("entry " + path + " of " + m_what + ": too many levels of links");
  }

  std::string m_what;
  Ingester m_ingester;
  std::map<std::string, Entry> m_entries;
};

class DirSource final : public ArchiveSource {
 public:
  DirSource(std::string dir, std::string real_dir, Ingester ingester)
      : m_dir(std::move(dir)), m_real_dir(std::move(real_dir)), m_what("OCI layout " + m_dir),
        m_ingester(std::move(ingester)) {}

  Result<bool> has(const std::string& path) override {
    struct stat st {};
    return ::stat((m_dir + "/" + path).c_str(), &st) == 0 && S_ISREG(st.st_mode);
  }

  Result<std::string> read_small(const std::string& path) override {
    TRY_ASSIGN(auto fd, open_inside(path));
    std::string out;
    std::string buf(k_chunk, '\0');
    for (;;) {
      TRY_ASSIGN(size_t n, read_some(fd.get(), buf.data(), buf.size(), m_dir + "/" + path));
      if (n == 0) return out;
      out.append(buf.data(), n);
      if (static_cast<int64_t>(out.size()) > k_small)
        return base::make_error("entry " + path + " of " + m_what + " is too large for a metadata file");
    }
  }

  Result<BlobInfo> ingest(const std::string& path, const std::optional<BlobInfo>& expected) override {
    TRY_ASSIGN(auto fd, open_inside(path));
    TRY_ASSIGN(auto writer, m_ingester.start(std::nullopt));
    std::string buf(k_chunk, '\0');
    for (;;) {
      TRY_ASSIGN(size_t n, read_some(fd.get(), buf.data(), buf.size(), m_dir + "/" + path));
      if (n == 0) break;
      TRY(writer.write(std::string_view(buf.data(), n)));
      if (expected && writer.written() > expected->size)
        return base::make_error("entry " + path + " of " + m_what + " is larger than the expected " +
                                describe(*expected));
    }
    // Written without expectations so that a mismatch can say what the file
    // holds; a wrong blob is committed under its own digest and removed again.
    TRY_ASSIGN(auto info, with_context(m_ingester.commit(writer), "entry " + path + " of " + m_what));
    TRY(check_expected(path, m_what, info, expected));
    return info;
  }

  const std::string& what() const override { return m_what; }

 private:
  // Opens a file of the layout, refusing paths that resolve outside it
  // through symlinks.
  Result<base::UniqueFd> open_inside(const std::string& path) {
    std::string full = m_dir + "/" + path;
    char real[PATH_MAX];
    if (!::realpath(full.c_str(), real)) return errno_error("cannot open entry", full, errno);
    std::string r(real);
    if (r.rfind(m_real_dir + "/", 0) != 0)
      return base::make_error("entry " + path + " of " + m_what + " resolves outside the layout");
    return open_file(r, O_RDONLY | O_CLOEXEC);
  }

  std::string m_dir;
  std::string m_real_dir;
  std::string m_what;
  Ingester m_ingester;
};

}  // namespace

Result<std::string> clean_entry_name(std::string_view name) {
  if (!name.empty() && name.front() == '/')
    return base::make_error("archive entry \"" + std::string(name) + "\" has an absolute path");
  auto parts = base::split_path(name);
  for (const auto& p : parts)
    if (p == "..") return base::make_error("archive entry \"" + std::string(name) + "\" contains \"..\"");
  return base::join_elements(parts);
}

Result<std::unique_ptr<ArchiveSource>> scan_tar(int fd, std::string what, const ContentStore& store,
                                                IngestLog& log, SourceOptions options) {
  auto source = std::make_unique<TarSource>(std::move(what), Ingester(store, log, options));
  TRY(source->scan(fd));
  return std::unique_ptr<ArchiveSource>(std::move(source));
}

Result<std::unique_ptr<ArchiveSource>> open_layout_dir(std::string dir, const ContentStore& store, IngestLog& log,
                                                       SourceOptions options) {
  char real[PATH_MAX];
  if (!::realpath(dir.c_str(), real)) return errno_error("cannot open OCI layout", dir, errno);
  return std::unique_ptr<ArchiveSource>(
      std::make_unique<DirSource>(std::move(dir), std::string(real), Ingester(store, log, options)));
}

}  // namespace content::archives
