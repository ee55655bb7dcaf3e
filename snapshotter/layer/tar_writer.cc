#include "snapshotter/layer/tar_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace snapshotter::layer {
namespace {
constexpr size_t k_chunk = 1 << 20;
}

TarWriter::TarWriter(ByteSink& sink) : m_sink(sink), m_archive(archive_write_new()) {
  // pax_restricted: ustar headers, with pax records only where ustar cannot
  // say it (long names, large ids, xattrs), the same shape Go's archive/tar
  // produces. xattrs go into SCHILY.xattr.* records only, which is what
  // containerd and docker read.
  archive_write_set_format_pax_restricted(m_archive);
  archive_write_set_format_option(m_archive, "pax", "xattrheader", "SCHILY");
  // Unblocked: libarchive hands every write straight to write_cb instead of
  // copying it into 10 KB blocks first (a copy of every layer byte), and adds
  // no padding beyond the two end-of-archive blocks: the tar is hashed and
  // compressed, never written to a tape.
  archive_write_set_bytes_per_block(m_archive, 0);
  archive_write_open(m_archive, this, nullptr, &TarWriter::write_cb, nullptr);
}

TarWriter::~TarWriter() {
  // Abandoned mid-way: let libarchive close normally (archive_write_fail
  // leaks its block buffer in 3.6) but drop whatever it still flushes.
  m_discarding = true;
  archive_write_free(m_archive);
}

long TarWriter::write_cb(archive* a, void* self_ptr, const void* buf, size_t size) {
  auto* self = static_cast<TarWriter*>(self_ptr);
  if (self->m_discarding) return static_cast<long>(size);
  auto r = self->m_sink.write(std::string_view(static_cast<const char*>(buf), size));
  if (!r.ok()) {
    self->m_sink_error = r.error();
    archive_set_error(a, EIO, "%s", r.error().message.c_str());
    return -1;
  }
  return static_cast<long>(size);
}

base::Error TarWriter::archive_failure(const std::string& what) {
  if (m_sink_error) return *m_sink_error;
  const char* msg = archive_error_string(m_archive);
  return base::make_error(what + ": " + (msg != nullptr ? msg : "unknown error"));
}

base::Result<void> TarWriter::add(const TarEntry& entry, int content_fd) {
  std::unique_ptr<archive_entry, void (*)(archive_entry*)> e(archive_entry_new(),
                                                             archive_entry_free);
  archive_entry_set_pathname(e.get(), entry.name.c_str());
  archive_entry_set_perm(e.get(), entry.mode & 07777);
  archive_entry_set_uid(e.get(), entry.uid);
  archive_entry_set_gid(e.get(), entry.gid);
  archive_entry_set_mtime(e.get(), entry.mtime, 0);
  unsigned type = AE_IFREG;
  switch (entry.type) {
    case TarEntry::Type::regular: archive_entry_set_size(e.get(), static_cast<la_int64_t>(entry.size)); break;
    case TarEntry::Type::directory: type = AE_IFDIR; break;
    case TarEntry::Type::symlink: type = AE_IFLNK; archive_entry_set_symlink(e.get(), entry.link.c_str()); break;
    case TarEntry::Type::hardlink: archive_entry_set_hardlink(e.get(), entry.link.c_str()); break;
    case TarEntry::Type::char_device: type = AE_IFCHR; break;
    case TarEntry::Type::block_device: type = AE_IFBLK; break;
    case TarEntry::Type::fifo: type = AE_IFIFO; break;
  }
  archive_entry_set_filetype(e.get(), type);
  if (type == AE_IFCHR || type == AE_IFBLK) {
    archive_entry_set_rdevmajor(e.get(), entry.dev_major);
    archive_entry_set_rdevminor(e.get(), entry.dev_minor);
  }
  for (const auto& [k, v] : entry.xattrs)
    archive_entry_xattr_add_entry(e.get(), k.c_str(), v.data(), v.size());
  if (archive_write_header(m_archive, e.get()) < ARCHIVE_WARN)
    return archive_failure("cannot write tar header for \"" + entry.name + "\"");
  ++m_entries;
  if (entry.type != TarEntry::Type::regular || entry.size == 0) return {};

  if (m_chunk.empty()) m_chunk.resize(k_chunk);
  uint64_t left = entry.size;
  bool eof = false;
  while (left > 0) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(left, k_chunk));
    size_t got = 0;
    while (!eof && got < want) {
      ssize_t n = read(content_fd, m_chunk.data() + got, want - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0)
        return base::make_error("cannot read \"" + entry.name + "\": " + std::strerror(errno));
      if (n == 0) eof = true;
      got += static_cast<size_t>(n);
    }
    // The header promised entry.size bytes: a file that shrank is zero-padded.
    std::fill(m_chunk.begin() + static_cast<std::ptrdiff_t>(got),
              m_chunk.begin() + static_cast<std::ptrdiff_t>(want), '\0');
    if (archive_write_data(m_archive, m_chunk.data(), want) < 0)
      return archive_failure("cannot write tar data for \"" + entry.name + "\"");
    left -= want;
  }
  return {};
}

base::Result<TarSummary> TarWriter::finish() {
  if (archive_write_close(m_archive) != ARCHIVE_OK) return archive_failure("cannot finish tar");
  TRY(with_context(m_sink.flush(), "cannot finish tar"));
  TarSummary s;
  s.size = m_sink.size();
  s.diff_id = m_sink.finish();
  s.entries = m_entries;
  return s;
}

}  // namespace snapshotter::layer
