#pragma once
// TarBuilder builds tar streams in code for tests: ordinary entries, OCI
// whiteouts and opaque markers, and hostile entries (`..`, absolute names,
// links pointing out of the root) written verbatim. It uses libarchive's pax
// writer, so what the tests feed to the layer code is a real tar stream, and no
// binary fixtures are checked in. Holds the archive in memory: tests only.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

struct archive;

namespace snapshotter::layer::testing {

struct EntryMeta {
  uint32_t mode = 0;  // permission bits; 0 means 0644 (files) or 0755 (dirs)
  int64_t uid = 0;
  int64_t gid = 0;
  int64_t mtime = 1'700'000'000;
  std::vector<std::pair<std::string, std::string>> xattrs;  // name, raw value
};

class TarBuilder {
 public:
  TarBuilder();
  ~TarBuilder();
  TarBuilder(const TarBuilder&) = delete;
  TarBuilder& operator=(const TarBuilder&) = delete;

  // Names are written exactly as given: "a/b", "./a", "../etc", "/abs".
  TarBuilder& file(const std::string& name, const std::string& content, EntryMeta meta = {});
  TarBuilder& dir(const std::string& name, EntryMeta meta = {});
  TarBuilder& symlink(const std::string& name, const std::string& target, EntryMeta meta = {});
  TarBuilder& hardlink(const std::string& name, const std::string& target);
  TarBuilder& fifo(const std::string& name, EntryMeta meta = {});
  TarBuilder& char_device(const std::string& name, unsigned major, unsigned minor,
                          EntryMeta meta = {});
  // `.wh.<base>` next to `path`: deletes `path` from the layers below.
  TarBuilder& whiteout(const std::string& path);
  // `<dir>/.wh..wh..opq`: hides everything below `dir` from the layers below.
  TarBuilder& opaque(const std::string& dir);

  // Closes the archive and returns its bytes; the builder is done afterwards.
  std::string finish();

 private:
  void add(int type, const std::string& name, const std::string& content,
           const std::string& link, bool hard, const EntryMeta& meta, uint64_t rdev);
  static long append(archive*, void* self, const void* buf, size_t size);

  archive* m_archive = nullptr;
  std::string m_out;
  bool m_finished = false;
};

}  // namespace snapshotter::layer::testing
