#include "snapshotter/layer/testing/fixtures.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include "snapshotter/layer/apply.h"
#include "snapshotter/layer/testing/tar_builder.h"

namespace snapshotter::layer::testing {

std::vector<TarLine> entries_of(const std::string& tar) {
  std::vector<TarLine> out;
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_open_memory(a, tar.data(), tar.size());
  archive_entry* e = nullptr;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    const char* h = archive_entry_hardlink(e);
    out.push_back({archive_entry_pathname(e), archive_entry_mtime(e), h ? h : ""});
  }
  archive_read_free(a);
  return out;
}

std::vector<std::string> names_of(const std::string& tar) {
  std::vector<std::string> out;
  for (const auto& e : entries_of(tar)) out.push_back(e.name);
  return out;
}

void apply_ok(const std::string& root, const std::string& tar) {
  MemorySource src(tar);
  auto r = apply_layer(root, src);
  ASSERT_TRUE(r.ok()) << r.error().message;
}

void make_sample_tree(const std::string& root) {
  std::string tar = TarBuilder()
                        .dir("etc", {.mode = 0755, .uid = 0, .gid = 0, .mtime = 1'600'000'000, .xattrs = {}})
                        .file("etc/passwd", "root:x:0:0\n")
                        .file("etc/shadow", "secret", {.mode = 0600, .uid = 0, .gid = 42, .mtime = 1'650'000'000, .xattrs = {}})
                        .dir("usr")
                        .dir("usr/bin")
                        .file("usr/bin/busybox", std::string(200000, 'b'), {.mode = 0755, .uid = 0, .gid = 0, .mtime = 1'700'000'000, .xattrs = {}})
                        .hardlink("usr/bin/sh", "usr/bin/busybox")
                        .hardlink("usr/bin/ls", "usr/bin/busybox")
                        .symlink("bin", "usr/bin")
                        .symlink("etc/mtab", "/proc/mounts")
                        .dir("run")
                        .fifo("run/initctl")
                        .dir("var")
                        .dir("var/empty", {.mode = 01777, .uid = 0, .gid = 0, .mtime = 1'700'000'000, .xattrs = {}})
                        .dir(std::string(120, 'n'))
                        .file(std::string(120, 'n') + "/" + std::string(120, 'm'), "long name")
                        .finish();
  apply_ok(root, tar);
}


}  // namespace snapshotter::layer::testing
