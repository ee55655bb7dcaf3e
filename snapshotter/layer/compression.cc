#include "snapshotter/layer/compression.h"

#include <libdeflate.h>
#include <zstd.h>

#include <deque>
#include <future>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "snapshotter/layer/incompressible.h"

namespace snapshotter::layer {

std::string_view compression_name(Compression c) {
  switch (c) {
    case Compression::none: return "uncompressed";
    case Compression::gzip: return "gzip";
    case Compression::zstd: return "zstd";
  }
  return "unknown";
}

base::Result<Compression> parse_compression(std::string_view name) {
  if (name == "gzip") return Compression::gzip;
  if (name == "zstd") return Compression::zstd;
  if (name == "uncompressed") return Compression::none;
  base::Error e = base::make_error("unknown compression \"" + std::string(name) + "\"");
  e.hint = "use gzip, zstd or uncompressed";
  return e;
}

int effective_level(const CompressionOptions& options) {
  if (options.level >= 0) return options.level;
  switch (options.kind) {
    // libdeflate's level 5, not 6: the fastest level whose output is no
    // larger than zlib's level 6 (gzip -6, pigz, docker's classic push) on
    // every corpus in docs/layers.md, at 1.2-1.6x the speed of level 6.
    case Compression::gzip: return 5;
    case Compression::zstd: return 3;
    case Compression::none: return 0;
  }
  return 0;
}

Compression detect_compression(std::string_view b) {
  if (b.size() >= 2 && b[0] == '\x1f' && b[1] == '\x8b') return Compression::gzip;
  if (b.size() >= 4 && b.substr(0, 4) == std::string_view("\x28\xb5\x2f\xfd", 4))
    return Compression::zstd;
  return Compression::none;
}

namespace {

unsigned effective_threads(unsigned requested) {
  if (requested != 0) return requested;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

// Owns libdeflate compressors so that each block borrows one instead of
// allocating its own (a level-6 compressor is several hundred KiB).
class DeflatePool {
 public:
  explicit DeflatePool(int level) : m_level(level) {}
  ~DeflatePool() {
    for (auto* c : m_free) libdeflate_free_compressor(c);
  }
  DeflatePool(const DeflatePool&) = delete;
  DeflatePool& operator=(const DeflatePool&) = delete;

  // One gzip member holding `block`. Thread-safe.
  std::string compress(std::string_view block) {
    libdeflate_compressor* c = take();
    std::string out(libdeflate_gzip_compress_bound(c, block.size()), '\0');
    size_t n = libdeflate_gzip_compress(c, block.data(), block.size(), out.data(), out.size());
    give_back(c);
    out.resize(n);  // n > 0: the buffer is the library's own bound
    return out;
  }

 private:
  libdeflate_compressor* take() {
    {
      std::lock_guard lock(m_mutex);
      if (!m_free.empty()) {
        auto* c = m_free.back();
        m_free.pop_back();
        return c;
      }
    }
    return libdeflate_alloc_compressor(m_level);
  }
  void give_back(libdeflate_compressor* c) {
    std::lock_guard lock(m_mutex);
    m_free.push_back(c);
  }

  int m_level;
  std::mutex m_mutex;
  std::vector<libdeflate_compressor*> m_free;
};

// The block's gzip members: stretches that look random are stored (level 0),
// since deflate at any level would spend its time finding nothing to shrink
// in them; the rest is compressed at the sink's level. A block with no random
// stretch is one member, as it would be without the test.
class BlockCompressor {
 public:
  explicit BlockCompressor(int level) : m_chosen(level), m_stored(0), m_level(level) {}
  std::string compress(const std::string& block) {
    if (m_level == 0) return m_stored.compress(block);
    auto runs = entropy_runs(block);
    if (runs.size() <= 1 && (runs.empty() || !runs[0].incompressible)) return m_chosen.compress(block);
    std::string members;
    for (const EntropyRun& run : runs) {
      std::string_view part = std::string_view(block).substr(run.offset, run.size);
      members += run.incompressible ? m_stored.compress(part) : m_chosen.compress(part);
    }
    return members;
  }

 private:
  DeflatePool m_chosen;
  DeflatePool m_stored;
  int m_level;
};

// Blocks of k_gzip_block_size are compressed on up to `threads` threads; their
// members are written in input order, so at most `threads` blocks are in memory.
class GzipSink final : public CompressingSink {
 public:
  GzipSink(int level, unsigned threads, ByteSink& out)
      : m_pool(level), m_threads(threads), m_out(out) {
    m_block.reserve(k_gzip_block_size);
  }

  base::Result<void> write(std::string_view bytes) override {
    while (!bytes.empty()) {
      size_t n = std::min(bytes.size(), k_gzip_block_size - m_block.size());
      m_block.append(bytes.substr(0, n));
      bytes.remove_prefix(n);
      if (m_block.size() == k_gzip_block_size) TRY(submit());
    }
    return {};
  }

  base::Result<CompressedBlob> finish() override {
    // An empty input still becomes one (empty) member: a valid gzip stream.
    if (!m_block.empty() || !m_submitted_any) TRY(submit());
    while (!m_inflight.empty()) TRY(write_oldest());
    return CompressedBlob{m_out.finish(), m_out.size()};
  }

 private:
  base::Result<void> submit() {
    m_submitted_any = true;
    std::string block = std::move(m_block);
    m_block = std::string();
    m_block.reserve(k_gzip_block_size);
    if (m_threads <= 1) return m_out.write(m_pool.compress(block));
    while (m_inflight.size() >= m_threads) TRY(write_oldest());
    // Shared, so the block is still here if no thread can be started.
    auto shared = std::make_shared<const std::string>(std::move(block));
    try {
      m_inflight.push_back(std::async(std::launch::async, [this, shared] {
        return m_pool.compress(*shared);
      }));
    } catch (const std::system_error&) {
      // No thread available: compress here. The bytes are the same either way.
      std::promise<std::string> done;
      done.set_value(m_pool.compress(*shared));
      m_inflight.push_back(done.get_future());
    }
    return {};
  }

  base::Result<void> write_oldest() {
    std::string member = m_inflight.front().get();
    m_inflight.pop_front();
    return m_out.write(member);
  }

  BlockCompressor m_pool;  // outlives the tasks in m_inflight (declared before it)
  unsigned m_threads;
  HashingSink m_out;
  std::string m_block;
  bool m_submitted_any = false;
  std::deque<std::future<std::string>> m_inflight;
};

class ZstdSink final : public CompressingSink {
 public:
  explicit ZstdSink(ByteSink& out) : m_out(out), m_buf(ZSTD_CStreamOutSize(), '\0') {}
  ~ZstdSink() override { ZSTD_freeCCtx(m_ctx); }
  ZstdSink(const ZstdSink&) = delete;
  ZstdSink& operator=(const ZstdSink&) = delete;

  base::Result<void> init(int level, unsigned threads) {
    if (m_ctx == nullptr) return base::make_error("cannot create zstd compressor");
    size_t r = ZSTD_CCtx_setParameter(m_ctx, ZSTD_c_compressionLevel, level);
    if (ZSTD_isError(r))
      return base::make_error("invalid zstd compression level " + std::to_string(level));
    // Multithreaded zstd output does not depend on the worker count (as long as
    // it is at least one), so the blob stays reproducible across machines.
    ZSTD_CCtx_setParameter(m_ctx, ZSTD_c_nbWorkers, static_cast<int>(std::max(1u, threads)));
    return {};
  }

  base::Result<void> write(std::string_view bytes) override {
    ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
    while (in.pos < in.size) TRY(step(in, ZSTD_e_continue));
    return {};
  }

  base::Result<CompressedBlob> finish() override {
    ZSTD_inBuffer in{nullptr, 0, 0};
    for (;;) {
      TRY_ASSIGN(size_t remaining, step(in, ZSTD_e_end));
      if (remaining == 0) break;
    }
    return CompressedBlob{m_out.finish(), m_out.size()};
  }

 private:
  base::Result<size_t> step(ZSTD_inBuffer& in, ZSTD_EndDirective mode) {
    ZSTD_outBuffer out{m_buf.data(), m_buf.size(), 0};
    size_t r = ZSTD_compressStream2(m_ctx, &out, &in, mode);
    if (ZSTD_isError(r))
      return base::make_error(std::string("zstd compression failed: ") + ZSTD_getErrorName(r));
    if (out.pos > 0) TRY(m_out.write(std::string_view(m_buf.data(), out.pos)));
    return r;
  }

  ZSTD_CCtx* m_ctx = ZSTD_createCCtx();
  HashingSink m_out;
  std::string m_buf;
};

class PlainSink final : public CompressingSink {
 public:
  explicit PlainSink(ByteSink& out) : m_out(out) {}
  base::Result<void> write(std::string_view bytes) override { return m_out.write(bytes); }
  base::Result<CompressedBlob> finish() override {
    return CompressedBlob{m_out.finish(), m_out.size()};
  }

 private:
  HashingSink m_out;
};

}  // namespace

base::Result<std::unique_ptr<CompressingSink>> make_compressing_sink(
    const CompressionOptions& options, ByteSink& out) {
  unsigned threads = effective_threads(options.threads);
  switch (options.kind) {
    case Compression::none:
      return std::unique_ptr<CompressingSink>(std::make_unique<PlainSink>(out));
    case Compression::gzip: {
      int level = effective_level(options);
      if (level < 1 || level > 9)
        return base::make_error("invalid gzip compression level " + std::to_string(level) +
                                " (expected 1 to 9)");
      return std::unique_ptr<CompressingSink>(std::make_unique<GzipSink>(level, threads, out));
    }
    case Compression::zstd: {
      int level = effective_level(options);
      if (level < 1 || level > ZSTD_maxCLevel())
        return base::make_error("invalid zstd compression level " + std::to_string(level) +
                                " (expected 1 to " + std::to_string(ZSTD_maxCLevel()) + ")");
      auto sink = std::make_unique<ZstdSink>(out);
      TRY(sink->init(level, threads));
      return std::unique_ptr<CompressingSink>(std::move(sink));
    }
  }
  return base::make_error("unknown compression");
}

}  // namespace snapshotter::layer
