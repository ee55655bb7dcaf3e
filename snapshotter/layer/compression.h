#pragma once
// Layer compression: gzip (the default, what docker produces and every runtime
// reads) and zstd, plus detection of a layer's compression from its first bytes.
//
// gzip output is a series of gzip members, one per 1 MiB block of input, each
// compressed independently with libdeflate on a pool of threads. RFC 1952
// defines a gzip file as a series of members, and Go's compress/gzip (docker,
// containerd, BuildKit), gunzip, pigz and zlib's gzread all read it as one
// stream; eStargz layers rely on the same property. Because the block size and
// level are fixed, the output is byte-identical for the same input whatever the
// number of threads. See docs/layers.md for the measurements behind the choice.

#include <cstdint>
#include <memory>
#include <string_view>

#include "base/digest.h"
#include "base/result.h"
#include "snapshotter/layer/stream.h"

namespace snapshotter::layer {

enum class Compression { none, gzip, zstd };

std::string_view compression_name(Compression c);
// "gzip", "zstd" or "uncompressed"; anything else is an error naming the text.
base::Result<Compression> parse_compression(std::string_view name);

struct CompressionOptions {
  Compression kind = Compression::gzip;
  int level = -1;          // -1: the default (gzip 5, zstd 3)
  unsigned threads = 0;    // 0: one per core; never changes the output bytes
};

// The level actually used: `level`, or the compression's default for -1
// (gzip 6, zstd 3, 0 for uncompressed).
int effective_level(const CompressionOptions& options);

// Size of the blocks that are compressed independently (gzip members).
inline constexpr size_t k_gzip_block_size = size_t{1} << 20;

// What came out of a compressor: the blob's digest and size.
struct CompressedBlob {
  base::Digest digest;
  uint64_t size = 0;
};

// A sink that compresses what it is given into `out` and hashes the output.
// finish() flushes, closes nothing downstream, and returns the blob's digest and
// size; the sink is unusable afterwards. Not thread-safe (it uses threads
// internally). Errors from `out` are reported by the write or finish that hit them.
class CompressingSink : public ByteSink {
 public:
  virtual base::Result<CompressedBlob> finish() = 0;
};

base::Result<std::unique_ptr<CompressingSink>> make_compressing_sink(
    const CompressionOptions& options, ByteSink& out);

// Detects gzip (1f 8b) and zstd (28 b5 2f fd) by magic bytes; anything else is
// taken as an uncompressed tar.
Compression detect_compression(std::string_view first_bytes);

// A source yielding the decompressed bytes of `in`, whose compression is
// detected from its first bytes. Multi-member gzip is read as one stream.
// Corrupt input is an error; trailing garbage after a complete stream is too.
class DecompressingSource : public ByteSource {
 public:
  virtual Compression compression() const = 0;
};

base::Result<std::unique_ptr<DecompressingSource>> open_decompressed(ByteSource& in);

}  // namespace snapshotter::layer
