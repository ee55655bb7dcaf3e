#include "content/export/tar_out.h"

#include <archive.h>
#include <archive_entry.h>

namespace content::archives {

namespace {

// Blob data is copied in chunks of this size, never loaded whole.
constexpr size_t k_chunk = 1 << 16;

struct ArchiveDeleter {
  void operator()(::archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(::archive_entry* e) const { archive_entry_free(e); }
};

}  // namespace

struct TarOut::Impl {
  std::unique_ptr<::archive, ArchiveDeleter> a;
  std::string what;
  bool finished = false;

  base::Error fail(std::string_view doing, std::string_view path) const {
    const char* msg = archive_error_string(a.get());
    return base::make_error(std::string(doing) + " " + std::string(path) + " in " + what + ": " +
                            (msg ? msg : "unknown libarchive error"));
  }

  Result<void> header(std::string_view path, unsigned type, unsigned mode, int64_t size) {
    std::unique_ptr<::archive_entry, EntryDeleter> e(archive_entry_new());
    std::string name(path);
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_filetype(e.get(), type);
    archive_entry_set_perm(e.get(), static_cast<mode_t>(mode));
    archive_entry_set_size(e.get(), size);
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    archive_entry_set_mtime(e.get(), 0, 0);
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK) return fail("cannot write header of", path);
    return {};
  }

  Result<void> data(std::string_view path, const char* buf, size_t n) {
    while (n > 0) {
      la_ssize_t w = archive_write_data(a.get(), buf, n);
      if (w <= 0) return fail("cannot write", path);
      buf += w;
      n -= static_cast<size_t>(w);
    }
    return {};
  }
};

TarOut::TarOut(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
TarOut::~TarOut() = default;
TarOut::TarOut(TarOut&&) noexcept = default;
TarOut& TarOut::operator=(TarOut&&) noexcept = default;

Result<TarOut> TarOut::open_fd(int fd, std::string what) {
  auto impl = std::make_unique<Impl>();
  impl->a.reset(archive_write_new());
  impl->what = std::move(what);
  if (!impl->a) return base::make_error("cannot create a tar writer for " + impl->what);
  if (archive_write_set_format_pax_restricted(impl->a.get()) != ARCHIVE_OK ||
      archive_write_add_filter_none(impl->a.get()) != ARCHIVE_OK ||
      archive_write_open_fd(impl->a.get(), fd) != ARCHIVE_OK)
    return impl->fail("cannot start", "tar stream");
  return TarOut(std::move(impl));
}

Result<void> TarOut::add_dir(std::string_view path) { return m_impl->header(path, AE_IFDIR, 0755, 0); }

Result<void> TarOut::add_bytes(std::string_view path, std::string_view bytes) {
  TRY(m_impl->header(path, AE_IFREG, 0644, static_cast<int64_t>(bytes.size())));
  return m_impl->data(path, bytes.data(), bytes.size());
}

Result<void> TarOut::add_blob(std::string_view path, const ContentStore& store, const BlobInfo& blob) {
  TRY_ASSIGN(auto reader, store.open_reader(blob.digest));
  if (reader.info().size != blob.size)
    return base::make_error("blob " + blob.digest.str() + " has " + std::to_string(reader.info().size) +
                            " bytes in the store, the image says " + std::to_string(blob.size));
  TRY(m_impl->header(path, AE_IFREG, 0644, blob.size));
  std::string buf(k_chunk, '\0');
  for (;;) {
    // The reader verifies the digest when it reaches the end; a mismatch
    // surfaces here and aborts the archive.
    TRY_ASSIGN(size_t n, reader.read(buf.data(), buf.size()));
    if (n == 0) return {};
    TRY(m_impl->data(path, buf.data(), n));
  }
}

Result<void> TarOut::finish() {
  if (m_impl->finished) return {};
  m_impl->finished = true;
  if (archive_write_close(m_impl->a.get()) != ARCHIVE_OK) return m_impl->fail("cannot finish", "tar stream");
  return {};
}

}  // namespace content::archives
