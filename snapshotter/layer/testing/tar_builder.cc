#include "snapshotter/layer/testing/tar_builder.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cstdlib>
#include <cstdio>

namespace snapshotter::layer::testing {

namespace {
void check(int r, archive* a, const char* what) {
  if (r < ARCHIVE_WARN) {
    std::fprintf(stderr, "TarBuilder: %s failed: %s\n", what, archive_error_string(a));
    std::abort();  // a test helper bug, not a test failure
  }
}
}  // namespace

TarBuilder::TarBuilder() : m_archive(archive_write_new()) {
  check(archive_write_set_format_pax_restricted(m_archive), m_archive, "set format");
  // SCHILY.xattr.* records only, as Go's archive/tar writes them.
  check(archive_write_set_format_option(m_archive, "pax", "xattrheader", "SCHILY"), m_archive,
        "set xattr header");
  check(archive_write_set_bytes_in_last_block(m_archive, 1), m_archive, "set block");
  check(archive_write_open(m_archive, this, nullptr, &TarBuilder::append, nullptr), m_archive,
        "open");
}

TarBuilder::~TarBuilder() {
  if (!m_finished) archive_write_close(m_archive);
  archive_write_free(m_archive);
}

long TarBuilder::append(archive*, void* self, const void* buf, size_t size) {
  static_cast<TarBuilder*>(self)->m_out.append(static_cast<const char*>(buf), size);
  return static_cast<long>(size);
}

void TarBuilder::add(int type, const std::string& name, const std::string& content,
                     const std::string& link, bool hard, const EntryMeta& meta,
                     uint64_t rdev) {
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, name.c_str());
  uint32_t perm = meta.mode != 0 ? meta.mode : (type == AE_IFDIR ? 0755u : 0644u);
  archive_entry_set_filetype(e, static_cast<unsigned>(type));
  archive_entry_set_perm(e, perm);
  archive_entry_set_uid(e, meta.uid);
  archive_entry_set_gid(e, meta.gid);
  archive_entry_set_mtime(e, meta.mtime, 0);
  if (hard) {
    archive_entry_set_hardlink(e, link.c_str());
  } else if (type == AE_IFLNK) {
    archive_entry_set_symlink(e, link.c_str());
  }
  if (type == AE_IFCHR) archive_entry_set_rdev(e, static_cast<dev_t>(rdev));
  for (const auto& [k, v] : meta.xattrs) archive_entry_xattr_add_entry(e, k.c_str(), v.data(), v.size());
  archive_entry_set_size(e, type == AE_IFREG && !hard ? static_cast<la_int64_t>(content.size()) : 0);
  check(archive_write_header(m_archive, e), m_archive, "write header");
  if (!content.empty() && !hard) {
    la_ssize_t n = archive_write_data(m_archive, content.data(), content.size());
    if (n < 0) check(ARCHIVE_FATAL, m_archive, "write data");
  }
  archive_entry_free(e);
}

TarBuilder& TarBuilder::file(const std::string& name, const std::string& content, EntryMeta meta) {
  add(AE_IFREG, name, content, {}, false, meta, 0);
  return *this;
}
TarBuilder& TarBuilder::dir(const std::string& name, EntryMeta meta) {
  add(AE_IFDIR, name, {}, {}, false, meta, 0);
  return *this;
}
TarBuilder& TarBuilder::symlink(const std::string& name, const std::string& target, EntryMeta meta) {
  add(AE_IFLNK, name, {}, target, false, meta, 0);
  return *this;
}
TarBuilder& TarBuilder::hardlink(const std::string& name, const std::string& target) {
  add(AE_IFREG, name, {}, target, true, {}, 0);
  return *this;
}
TarBuilder& TarBuilder::fifo(const std::string& name, EntryMeta meta) {
  add(AE_IFIFO, name, {}, {}, false, meta, 0);
  return *this;
}
TarBuilder& TarBuilder::char_device(const std::string& name, unsigned major, unsigned minor,
                                    EntryMeta meta) {
  add(AE_IFCHR, name, {}, {}, false, meta, makedev(major, minor));
  return *this;
}
TarBuilder& TarBuilder::whiteout(const std::string& path) {
  auto slash = path.rfind('/');
  std::string name = slash == std::string::npos
                         ? ".wh." + path
                         : path.substr(0, slash + 1) + ".wh." + path.substr(slash + 1);
  return file(name, "");
}
TarBuilder& TarBuilder::opaque(const std::string& dir) {
  return file(dir + "/.wh..wh..opq", "");
}

std::string TarBuilder::finish() {
  check(archive_write_close(m_archive), m_archive, "close");
  m_finished = true;
  return std::move(m_out);
}

}  // namespace snapshotter::layer::testing
