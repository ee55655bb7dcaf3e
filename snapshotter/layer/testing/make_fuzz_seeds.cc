// Writes the seed corpus of layer_apply_fuzz: `make_fuzz_seeds <dir>`. The
// seeds are built with TarBuilder, so they can be regenerated at any time.
#include <cstdio>
#include <fstream>
#include <string>

#include "snapshotter/layer/compression.h"
#include "snapshotter/layer/testing/tar_builder.h"

using snapshotter::layer::testing::EntryMeta;
using snapshotter::layer::testing::TarBuilder;

namespace {
void put(const std::string& dir, const std::string& name, const std::string& bytes) {
  std::ofstream(dir + "/" + name, std::ios::binary) << bytes;
}
std::string compress(const std::string& tar, snapshotter::layer::Compression kind) {
  snapshotter::layer::StringSink out;
  auto sink = snapshotter::layer::make_compressing_sink({kind, -1, 1}, out);
  if (!sink.ok() || !(*sink)->write(tar).ok() || !(*sink)->finish().ok()) return {};
  return out.data();
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  EntryMeta x;
  x.xattrs = {{"user.k", "v"}, {"security.capability", std::string("\x01\x00\x00\x02", 4)}};
  std::string basic = TarBuilder()
                          .dir("etc")
                          .file("etc/hosts", "127.0.0.1 localhost\n", x)
                          .symlink("bin", "usr/bin")
                          .hardlink("etc/hosts2", "etc/hosts")
                          .fifo("run/fifo")
                          .finish();
  put(dir, "basic.tar", basic);
  put(dir, "basic.tar.gz", compress(basic, snapshotter::layer::Compression::gzip));
  put(dir, "basic.tar.zst", compress(basic, snapshotter::layer::Compression::zstd));
  put(dir, "whiteouts.tar",
      TarBuilder().file("d/a", "1").whiteout("d/a").opaque("d").file("d/b", "2").whiteout("x").finish());
  put(dir, "escapes.tar",
      TarBuilder()
          .symlink("up", "../../..")
          .file("up/f", "x")
          .symlink("abs", "/")
          .file("abs/tmp/f", "x")
          .hardlink("h", "up/etc/passwd")
          .file("../dotdot", "x")
          .finish());
  put(dir, "absolute.tar", TarBuilder().file("/tmp/absolute", "x").finish());
  put(dir, "long-names.tar",
      TarBuilder().file(std::string(150, 'a') + "/" + std::string(150, 'b'), "long").finish());
  return 0;
}
