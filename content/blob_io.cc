#include "content/blob_io.h"

#include <sys/stat.h>

#include <cerrno>
#include <utility>

#include "content/file_ops.h"

namespace content {

BlobWriter::BlobWriter(TmpEntry tmp, std::string blob_dir, WriterOptions options)
    : m_tmp(std::move(tmp)), m_blob_dir(std::move(blob_dir)), m_options(std::move(options)) {
  if (m_options.write_behind && m_tmp.fd.valid())
    m_behind = std::make_unique<WriteBehind>(m_tmp.fd.get(), m_tmp.path, k_writeback_chunk);
}

BlobWriter::~BlobWriter() { abort(); }

BlobWriter::BlobWriter(BlobWriter&& other) noexcept
    : m_tmp(std::move(other.m_tmp)),
      m_blob_dir(std::move(other.m_blob_dir)),
      m_options(std::move(other.m_options)),
      m_hash(std::move(other.m_hash)),
      m_written(other.m_written),
      m_writeback_from(other.m_writeback_from),
      m_behind(std::move(other.m_behind)),
      m_done(std::exchange(other.m_done, true)) {}

BlobWriter& BlobWriter::operator=(BlobWriter&& other) noexcept {
  if (this != &other) {
    abort();
    m_tmp = std::move(other.m_tmp);
    m_blob_dir = std::move(other.m_blob_dir);
    m_options = std::move(other.m_options);
    m_hash = std::move(other.m_hash);
    m_written = other.m_written;
    m_writeback_from = other.m_writeback_from;
    m_behind = std::move(other.m_behind);
    m_done = std::exchange(other.m_done, true);
  }
  return *this;
}

void BlobWriter::abort() {
  m_behind.reset();  // its thread stops before the file goes
  if (m_done || m_tmp.path.empty()) return;
  m_done = true;
  // Best effort: if unlink fails, the entry is unclaimed once our fd closes
  // and the next TmpDir::clean() removes it.
  (void)remove_file(m_tmp.path);
  m_tmp.fd.reset();
}

Result<void> BlobWriter::write(std::string_view bytes) {
  if (m_done) return base::make_error("blob writer already committed or aborted");
  int64_t after = m_written + static_cast<int64_t>(bytes.size());
  if (m_options.expected_size && after > *m_options.expected_size) {
    abort();
    return base::make_error("blob size mismatch: expected " + std::to_string(*m_options.expected_size) +
                            " bytes, got at least " + std::to_string(after));
  }
  auto r = m_behind ? m_behind->write(bytes) : write_all(m_tmp.fd.get(), bytes, m_tmp.path);
  if (!r) {
    abort();
    return r;
  }
  if (!m_options.digest_from_caller) m_hash.update(bytes);
  m_written = after;
  if (!m_behind && m_written - m_writeback_from >= k_writeback_chunk) {
    start_writeback(m_tmp.fd.get(), m_writeback_from, m_written - m_writeback_from);
    m_writeback_from = m_written;
  }
  return {};
}

Result<BlobInfo> BlobWriter::commit() {
  if (m_done) return base::make_error("blob writer already committed or aborted");
  if (m_options.digest_from_caller) {
    abort();
    return base::make_error("blob writer: the caller hashed the blob and must name its digest");
  }
  return publish(BlobInfo{m_hash.finish(), m_written});
}

Result<BlobInfo> BlobWriter::commit(const base::Digest& digest) {
  if (m_done) return base::make_error("blob writer already committed or aborted");
  if (!m_options.digest_from_caller) {
    abort();
    return base::make_error("blob writer: a digest from the caller needs digest_from_caller");
  }
  if (!digest.sha256_bytes()) {
    abort();
    return base::make_error("unsupported digest " + digest.str() + ": the store holds sha256 blobs");
  }
  return publish(BlobInfo{digest, m_written});
}

Result<BlobInfo> BlobWriter::publish(BlobInfo info) {
  auto fail = [this](base::Error e) -> Result<BlobInfo> {
    abort();
    return e;
  };
  if (m_behind) {
    auto written = m_behind->finish();
    m_behind.reset();
    if (!written) return fail(std::move(written).error());
  }
  if (m_options.expected_digest && *m_options.expected_digest != info.digest)
    return fail(base::make_error("blob digest mismatch: expected " + m_options.expected_digest->str() +
                                 ", got " + info.digest.str()));
  if (m_options.expected_size && *m_options.expected_size != info.size)
    return fail(base::make_error("blob size mismatch for " + info.digest.str() + ": expected " +
                                 std::to_string(*m_options.expected_size) + " bytes, got " +
                                 std::to_string(info.size)));
  // Blobs are immutable: read-only for everyone, writable by nobody.
  if (::fchmod(m_tmp.fd.get(), 0444) != 0) return fail(errno_error("cannot chmod", m_tmp.path, errno));
  if (auto r = fsync_fd(m_tmp.fd.get(), m_tmp.path); !r) return fail(std::move(r).error());
  if (m_options.guard) {
    if (auto r = m_options.guard->protect(info.digest); !r)
      return fail(with_context(std::move(r), "protecting blob " + info.digest.str()).error());
  }
  // rename() replaces an existing copy atomically: concurrent writers of the
  // same content both succeed, and a corrupt copy is repaired.
  std::string target = m_blob_dir + "/" + info.digest.hex();
  if (auto r = rename_file(m_tmp.path, target); !r) return fail(std::move(r).error());
  m_done = true;
  m_tmp.fd.reset();
  TRY(fsync_dir(m_blob_dir));
  return info;
}

Result<size_t> BlobReader::read(char* buf, size_t size) {
  if (m_failure) return *m_failure;
  if (m_verified) return size_t{0};
  TRY_ASSIGN(size_t n, read_some(m_fd.get(), buf, size, m_path));
  if (n > 0) {
    m_hash.update(buf, n);
    m_read += static_cast<int64_t>(n);
    if (m_read > m_expected.size) {
      m_failure = base::make_error("blob " + m_expected.digest.str() + " is corrupt: larger than " +
                                   std::to_string(m_expected.size) + " bytes");
      return *m_failure;
    }
    return n;
  }
  base::Digest actual = m_hash.finish();
  if (m_read != m_expected.size) {
    m_failure = base::make_error("blob " + m_expected.digest.str() + " is corrupt: " +
                                 std::to_string(m_read) + " bytes instead of " +
                                 std::to_string(m_expected.size));
  } else if (actual != m_expected.digest) {
    m_failure = base::make_error("blob " + m_expected.digest.str() +
                                 " is corrupt: content hashes to " + actual.str());
  }
  if (m_failure) return *m_failure;
  m_verified = true;
  return size_t{0};
}

Result<std::string> BlobReader::read_all() {
  std::string out;
  out.reserve(static_cast<size_t>(m_expected.size));
  char buf[65536];
  for (;;) {
    TRY_ASSIGN(size_t n, read(buf, sizeof buf));
    if (n == 0) return out;
    out.append(buf, n);
  }
}

}  // namespace content
