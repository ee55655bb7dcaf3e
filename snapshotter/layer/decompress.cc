// Decompression half of compression.h: gzip through zlib (member after member),
// zstd through libzstd, and a pass-through for uncompressed tars.
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <string>

#include "snapshotter/layer/compression.h"

namespace snapshotter::layer {
namespace {

constexpr size_t k_in_chunk = 256 * 1024;

// Reads the compressed input in chunks, starting with the bytes consumed to
// detect the compression.
class InputBuffer {
 public:
  InputBuffer(ByteSource& in, std::string prefix) : m_in(in), m_buf(std::move(prefix)) {}
  // Ensures unread bytes are available unless the input ended; returns false at end.
  base::Result<bool> fill() {
    if (m_pos < m_buf.size()) return true;
    if (m_eof) return false;
    m_buf.resize(k_in_chunk);
    m_pos = 0;
    TRY_ASSIGN(size_t n, m_in.read(m_buf.data(), m_buf.size()));
    m_buf.resize(n);
    if (n == 0) m_eof = true;
    return n > 0;
  }
  const char* data() const { return m_buf.data() + m_pos; }
  size_t available() const { return m_buf.size() - m_pos; }
  void consume(size_t n) { m_pos += n; }

 private:
  ByteSource& m_in;
  std::string m_buf;
  size_t m_pos = 0;
  bool m_eof = false;
};

class PlainSource final : public DecompressingSource {
 public:
  PlainSource(ByteSource& in, std::string prefix) : m_in(in, std::move(prefix)) {}
  Compression compression() const override { return Compression::none; }
  base::Result<size_t> read(char* buf, size_t size) override {
    TRY_ASSIGN(bool more, m_in.fill());
    if (!more) return size_t{0};
    size_t n = std::min(size, m_in.available());
    std::memcpy(buf, m_in.data(), n);
    m_in.consume(n);
    return n;
  }

 private:
  InputBuffer m_in;
};

class GzipSource final : public DecompressingSource {
 public:
  GzipSource(ByteSource& in, std::string prefix) : m_in(in, std::move(prefix)) {}
  ~GzipSource() override {
    if (m_init) inflateEnd(&m_z);
  }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  base::Result<void> init() {
    std::memset(&m_z, 0, sizeof m_z);
    if (inflateInit2(&m_z, 16 + MAX_WBITS) != Z_OK)
      return base::make_error("cannot initialise gzip decompressor");
    m_init = true;
    return {};
  }
  Compression compression() const override { return Compression::gzip; }

  base::Result<size_t> read(char* buf, size_t size) override {
    while (!m_done) {
      TRY_ASSIGN(bool more, m_in.fill());
      if (!more) {
        if (m_between_members) {
          m_done = true;
          break;
        }
        return base::make_error("gzip stream is truncated");
      }
      if (m_between_members) {
        // Another member follows: it must be gzip again, not trailing garbage.
        if (m_in.available() >= 1 && m_in.data()[0] != '\x1f')
          return base::make_error("unexpected data after the end of the gzip stream");
        inflateReset(&m_z);
        m_between_members = false;
      }
      m_z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(m_in.data()));
      m_z.avail_in = static_cast<uInt>(m_in.available());
      m_z.next_out = reinterpret_cast<Bytef*>(buf);
      m_z.avail_out = static_cast<uInt>(std::min<size_t>(size, 1u << 30));
      int r = inflate(&m_z, Z_NO_FLUSH);
      m_in.consume(m_in.available() - m_z.avail_in);
      size_t produced = static_cast<size_t>(reinterpret_cast<char*>(m_z.next_out) - buf);
      if (r == Z_STREAM_END) {
        m_between_members = true;
      } else if (r != Z_OK && r != Z_BUF_ERROR) {
        return base::make_error(std::string("corrupt gzip stream: ") +
                                (m_z.msg != nullptr ? m_z.msg : "inflate failed"));
      }
      if (produced > 0) return produced;
    }
    return size_t{0};
  }

 private:
  InputBuffer m_in;
  z_stream m_z{};
  bool m_init = false;
  bool m_between_members = false;
  bool m_done = false;
};

class ZstdSource final : public DecompressingSource {
 public:
  ZstdSource(ByteSource& in, std::string prefix) : m_in(in, std::move(prefix)) {}
  ~ZstdSource() override { ZSTD_freeDCtx(m_ctx); }
  ZstdSource(const ZstdSource&) = delete;
  ZstdSource& operator=(const ZstdSource&) = delete;
  Compression compression() const override { return Compression::zstd; }

  base::Result<size_t> read(char* buf, size_t size) override {
    if (m_ctx == nullptr) return base::make_error("cannot create zstd decompressor");
    for (;;) {
      TRY_ASSIGN(bool more, m_in.fill());
      if (!more) {
        if (m_frame_done) return size_t{0};
        return base::make_error("zstd stream is truncated");
      }
      ZSTD_inBuffer in{m_in.data(), m_in.available(), 0};
      ZSTD_outBuffer out{buf, size, 0};
      size_t r = ZSTD_decompressStream(m_ctx, &out, &in);
      m_in.consume(in.pos);
      if (ZSTD_isError(r))
        return base::make_error(std::string("corrupt zstd stream: ") + ZSTD_getErrorName(r));
      m_frame_done = (r == 0);
      if (out.pos > 0) return out.pos;
    }
  }

 private:
  InputBuffer m_in;
  ZSTD_DCtx* m_ctx = ZSTD_createDCtx();
  bool m_frame_done = true;  // an empty input is an empty stream
};

}  // namespace

base::Result<std::unique_ptr<DecompressingSource>> open_decompressed(ByteSource& in) {
  std::string prefix(4, '\0');
  size_t have = 0;
  while (have < prefix.size()) {
    TRY_ASSIGN(size_t n, in.read(prefix.data() + have, prefix.size() - have));
    if (n == 0) break;
    have += n;
  }
  prefix.resize(have);
  switch (detect_compression(prefix)) {
    case Compression::gzip: {
      auto s = std::make_unique<GzipSource>(in, std::move(prefix));
      TRY(s->init());
      return std::unique_ptr<DecompressingSource>(std::move(s));
    }
    case Compression::zstd:
      return std::unique_ptr<DecompressingSource>(
          std::make_unique<ZstdSource>(in, std::move(prefix)));
    case Compression::none:
      break;
  }
  return std::unique_ptr<DecompressingSource>(std::make_unique<PlainSource>(in, std::move(prefix)));
}

}  // namespace snapshotter::layer
