// Measures gzip layer compression against single-threaded zlib at level 6 on
// the same input: `kiln_layer_compress_bench <file>` (e.g. an uncompressed
// layer tar). Prints throughput and ratio for each configuration. Built with
// KILN_BENCH; the numbers in docs/layers.md come from it.
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "snapshotter/layer/compression.h"

namespace {

using Clock = std::chrono::steady_clock;

size_t zlib_gzip(const std::string& in, int level) {
  z_stream z{};
  deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(1 << 20, '\0');
  size_t total = 0;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int r = Z_OK;
  while (r != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    r = deflate(&z, Z_FINISH);
    total += out.size() - z.avail_out;
  }
  deflateEnd(&z);
  return total;
}

void report(const char* name, const std::string& in, size_t out_size, Clock::duration d,
            double baseline_mbps) {
  double secs = std::chrono::duration<double>(d).count();
  double mbps = static_cast<double>(in.size()) / 1e6 / secs;
  std::printf("%-44s %8.1f MB/s  ratio %.4f  speedup x%.2f\n", name, mbps,
              static_cast<double>(out_size) / static_cast<double>(in.size()),
              baseline_mbps > 0 ? mbps / baseline_mbps : 1.0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <input file>\n", argv[0]);
    return 2;
  }
  std::ifstream f(argv[1], std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string in = ss.str();
  std::printf("input %.1f MB, %u cores\n", static_cast<double>(in.size()) / 1e6,
              std::thread::hardware_concurrency());

  auto t0 = Clock::now();
  size_t zsize = zlib_gzip(in, 6);
  auto zd = Clock::now() - t0;
  double base_mbps = static_cast<double>(in.size()) / 1e6 / std::chrono::duration<double>(zd).count();
  report("zlib level 6, 1 thread (baseline)", in, zsize, zd, 0);

  using namespace snapshotter::layer;
  for (unsigned threads : {1u, 2u}) {
    for (int level : {6, 5, 4}) {
      NullSink sink;
      auto c = make_compressing_sink({Compression::gzip, level, threads}, sink);
      if (!c.ok()) return 1;
      auto t = Clock::now();
      for (size_t pos = 0; pos < in.size(); pos += 1 << 20)
        if (!(*c)->write(std::string_view(in).substr(pos, 1 << 20)).ok()) return 1;
      auto blob = (*c)->finish();
      if (!blob.ok()) return 1;
      auto d = Clock::now() - t;
      std::string name = "kiln gzip level " + std::to_string(level) + ", " + std::to_string(threads) +
                         " thread" + (threads > 1 ? "s" : "") +
                         (level == effective_level({Compression::gzip, -1, threads}) ? " (default)" : "");
      report(name.c_str(), in, blob->size, d, base_mbps);
    }
  }
  return 0;
}
