#include "snapshotter/layer/compression.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <random>
#include <string>

namespace snapshotter::layer {
namespace {

// Mixed data: text-like runs that compress well and random bytes that do not.
std::string mixed_data(size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out;
  out.reserve(size);
  const std::string words[] = {"layer ", "kiln ", "gzip ", "RUN apt-get ", "\n", "0123 "};
  while (out.size() < size) {
    if (rng() % 4 == 0) {
      for (int i = 0; i < 64 && out.size() < size; ++i) out.push_back(static_cast<char>(rng()));
    } else {
      out += words[rng() % 6];
    }
  }
  out.resize(size);
  return out;
}

// Plain zlib, member after member, as any gzip reader does.
std::string zlib_gunzip(const std::string& gz) {
  std::string out;
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  char buf[65536];
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    int r = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
    if (r == Z_STREAM_END) {
      if (z.avail_in == 0) break;
      inflateReset(&z);
    } else if (r != Z_OK) {
      ADD_FAILURE() << "inflate failed: " << r;
      break;
    }
  }
  inflateEnd(&z);
  return out;
}

struct Compressed {
  std::string bytes;
  CompressedBlob blob;
};

Compressed compress(const std::string& input, CompressionOptions options, size_t chunk = 7919) {
  StringSink out;
  auto sink = make_compressing_sink(options, out);
  EXPECT_TRUE(sink.ok());
  for (size_t pos = 0; pos < input.size(); pos += chunk)
    EXPECT_TRUE((*sink)->write(std::string_view(input).substr(pos, chunk)).ok());
  auto blob = (*sink)->finish();
  EXPECT_TRUE(blob.ok());
  return {out.data(), *blob};
}

std::string read_all(ByteSource& src) {
  std::string out;
  char buf[10000];
  for (;;) {
    auto n = src.read(buf, sizeof buf);
    EXPECT_TRUE(n.ok());
    if (!n.ok() || *n == 0) break;
    out.append(buf, *n);
  }
  return out;
}

TEST(LayerGzipSink, OutputDecompressesWithPlainZlib) {
  for (size_t size : {size_t{0}, size_t{1}, k_gzip_block_size - 1, k_gzip_block_size,
                      k_gzip_block_size * 3 + 12345}) {
    std::string input = mixed_data(size, 1);
    auto c = compress(input, {Compression::gzip, -1, 2});
    ASSERT_GE(c.bytes.size(), 18u) << size;
    EXPECT_EQ(c.bytes.substr(0, 2), "\x1f\x8b");
    EXPECT_EQ(zlib_gunzip(c.bytes), input) << size;
    EXPECT_EQ(c.blob.size, c.bytes.size());
    EXPECT_EQ(c.blob.digest, base::Sha256::of(c.bytes));
  }
}

TEST(LayerGzipSink, OutputDoesNotDependOnThreadsOrWriteSizes) {
  std::string input = mixed_data(k_gzip_block_size * 2 + 999, 2);
  auto one = compress(input, {Compression::gzip, 6, 1}, 4096);
  auto four = compress(input, {Compression::gzip, 6, 4}, 1 << 20);
  EXPECT_EQ(one.blob.digest, four.blob.digest);
  EXPECT_EQ(one.bytes, four.bytes);
}

TEST(LayerGzipSink, CompressesTextWell) {
  std::string input(1 << 20, 'a');
  auto c = compress(input, {});
  EXPECT_LT(c.bytes.size(), 10000u);
}

TEST(LayerGzipSink, StoresRandomBlocksAndStillCompressesTheOthers) {
  std::mt19937 rng(7);
  std::string random_part(k_gzip_block_size * 2, '\0');
  for (char& c : random_part) c = static_cast<char>(rng());
  std::string text_part(k_gzip_block_size, 'a');
  std::string input = random_part + text_part;
  auto c = compress(input, {Compression::gzip, 6, 2});
  EXPECT_EQ(zlib_gunzip(c.bytes), input);
  // The random MiBs as stored deflate blocks (5 bytes of header per 64 KiB
  // block, plus each member's gzip header and trailer), the text MiB shrunk.
  EXPECT_LT(c.bytes.size(), random_part.size() + 1000 + 10000);
  EXPECT_GT(c.bytes.size(), random_part.size());
}

TEST(LayerZstdSink, OutputDecompressesWithLibzstd) {
  std::string input = mixed_data(3 * 1000 * 1000, 3);
  auto c = compress(input, {Compression::zstd, 9, 2});
  EXPECT_EQ(c.bytes.substr(0, 4), std::string("\x28\xb5\x2f\xfd", 4));
  std::string out(input.size(), '\0');
  size_t n = ZSTD_decompress(out.data(), out.size(), c.bytes.data(), c.bytes.size());
  ASSERT_FALSE(ZSTD_isError(n)) << ZSTD_getErrorName(n);
  EXPECT_EQ(n, input.size());
  EXPECT_EQ(out, input);
  EXPECT_EQ(c.blob.digest, base::Sha256::of(c.bytes));
  // Same input, same level: same bytes.
  EXPECT_EQ(compress(input, {Compression::zstd, 9, 1}).bytes, c.bytes);
}

TEST(LayerCompressingSink, RejectsLevelsOutOfRange) {
  StringSink out;
  auto gz = make_compressing_sink({Compression::gzip, 10, 1}, out);
  ASSERT_FALSE(gz.ok());
  EXPECT_EQ(gz.error().message, "invalid gzip compression level 10 (expected 1 to 9)");
  EXPECT_FALSE(make_compressing_sink({Compression::zstd, 99, 1}, out).ok());
}

TEST(LayerParseCompression, KnowsTheNames) {
  EXPECT_EQ(*parse_compression("zstd"), Compression::zstd);
  EXPECT_EQ(*parse_compression("gzip"), Compression::gzip);
  auto bad = parse_compression("lz4");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "unknown compression \"lz4\"");
}

TEST(LayerOpenDecompressed, DetectsAndDecodesEachKind) {
  std::string input = mixed_data(k_gzip_block_size + 5000, 4);
  for (auto kind : {Compression::none, Compression::gzip, Compression::zstd}) {
    auto c = compress(input, {kind, -1, 2});
    MemorySource src(c.bytes);
    auto dec = open_decompressed(src);
    ASSERT_TRUE(dec.ok());
    EXPECT_EQ((*dec)->compression(), kind);
    EXPECT_EQ(read_all(**dec), input) << compression_name(kind);
  }
}

TEST(LayerOpenDecompressed, ReportsTruncatedAndCorruptStreams) {
  std::string input = mixed_data(100000, 5);
  for (auto kind : {Compression::gzip, Compression::zstd}) {
    auto c = compress(input, {kind, -1, 1});
    std::string cut = c.bytes.substr(0, c.bytes.size() / 2);
    MemorySource src(cut);
    auto dec = open_decompressed(src);
    ASSERT_TRUE(dec.ok());
    char buf[4096];
    base::Result<size_t> r = size_t{1};
    while (r.ok() && *r > 0) r = (*dec)->read(buf, sizeof buf);
    ASSERT_FALSE(r.ok()) << compression_name(kind);
    EXPECT_NE(r.error().message.find("truncated"), std::string::npos) << r.error().message;
  }
  std::string garbage = "\x1f\x8b\x08\x00garbage-that-is-not-deflate";
  MemorySource src(garbage);
  auto dec = open_decompressed(src);
  ASSERT_TRUE(dec.ok());
  char buf[64];
  auto r = (*dec)->read(buf, sizeof buf);
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace snapshotter::layer
