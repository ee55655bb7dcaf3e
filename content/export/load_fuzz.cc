// Fuzzes the archive reader and the loaders: any bytes as a (possibly
// compressed) tar must give images or an error, never a crash, a hang or a
// write outside the content store; and a failed load must leave no new blob.

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "content/export/archive_in.h"
#include "content/export/load.h"
#include "content/file_ops.h"

namespace {

char g_dir[] = "/tmp/kiln-load-fuzz-XXXXXX";

void remove_dir() { (void)content::remove_tree(g_dir); }

// One store for the whole run: creating it per input would dominate. The
// directory goes when the process exits normally.
const content::ContentStore& store() {
  static const content::ContentStore* s = [] {
    if (!::mkdtemp(g_dir)) std::abort();
    std::atexit(remove_dir);
    auto opened = content::ContentStore::open(std::string(g_dir) + "/store");
    if (!opened) std::abort();
    return new content::ContentStore(std::move(*opened));
  }();
  return *s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fd = ::memfd_create("archive", MFD_CLOEXEC);
  if (fd < 0) return 0;
  size_t off = 0;
  while (off < size) {
    ssize_t n = ::write(fd, data + off, size - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  ::lseek(fd, 0, SEEK_SET);
  content::archives::IngestLog log;
  auto source = content::archives::scan_tar(fd, "fuzz input", store(), log);
  if (source) {
    auto images = content::archives::read_images(store(), **source, log, {});
    (void)images;
  }
  // Every blob of the run is new to the store; drop them so the next input
  // starts from an empty store.
  for (const auto& d : log.created) (void)store().remove(d);
  ::close(fd);
  return 0;
}
