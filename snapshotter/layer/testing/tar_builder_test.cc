#include "snapshotter/layer/testing/tar_builder.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace snapshotter::layer::testing {
namespace {

struct ReadEntry {
  std::string name, link, content;
  bool hard = false;
  unsigned type = 0;
  std::vector<std::string> xattrs;
};

std::vector<ReadEntry> read_all(const std::string& tar) {
  std::vector<ReadEntry> out;
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  EXPECT_EQ(archive_read_open_memory(a, tar.data(), tar.size()), ARCHIVE_OK);
  archive_entry* e = nullptr;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    ReadEntry r;
    r.name = archive_entry_pathname(e);
    r.type = archive_entry_filetype(e);
    if (archive_entry_hardlink(e)) { r.link = archive_entry_hardlink(e); r.hard = true; }
    if (archive_entry_symlink(e)) r.link = archive_entry_symlink(e);
    archive_entry_xattr_reset(e);
    const char* k; const void* v; size_t n;
    while (archive_entry_xattr_next(e, &k, &v, &n) == ARCHIVE_OK)
      r.xattrs.push_back(std::string(k) + "=" + std::string(static_cast<const char*>(v), n));
    char buf[256];
    la_ssize_t got;
    while ((got = archive_read_data(a, buf, sizeof buf)) > 0) r.content.append(buf, static_cast<size_t>(got));
    out.push_back(r);
  }
  archive_read_free(a);
  return out;
}

TEST(LayerTarBuilder, WritesEveryKindOfEntryVerbatim) {
  EntryMeta cap;
  cap.xattrs = {{"security.capability", std::string("\x01\x00\x00\x02", 4)}};
  std::string tar = TarBuilder()
                        .dir("d")
                        .file("d/f", "hello", cap)
                        .symlink("d/l", "/etc/passwd")
                        .hardlink("d/h", "d/f")
                        .whiteout("d/gone")
                        .opaque("d")
                        .file("../escape", "x")
                        .file("/abs", "y")
                        .finish();
  auto entries = read_all(tar);
  ASSERT_EQ(entries.size(), 8u);
  EXPECT_EQ(entries[0].name, "d/");  // libarchive marks directories
  EXPECT_EQ(entries[0].type, unsigned{AE_IFDIR});
  EXPECT_EQ(entries[1].content, "hello");
  ASSERT_EQ(entries[1].xattrs.size(), 1u);
  EXPECT_EQ(entries[1].xattrs[0], std::string("security.capability=\x01\x00\x00\x02", 24));
  EXPECT_EQ(entries[2].link, "/etc/passwd");
  EXPECT_TRUE(entries[3].hard);
  EXPECT_EQ(entries[3].link, "d/f");
  EXPECT_EQ(entries[4].name, "d/.wh.gone");
  EXPECT_EQ(entries[5].name, "d/.wh..wh..opq");
  EXPECT_EQ(entries[6].name, "../escape");
  EXPECT_EQ(entries[7].name, "/abs");
}

TEST(LayerTarBuilder, SameEntriesGiveSameBytes) {
  auto build = [] { return TarBuilder().dir("a").file("a/b", "x").finish(); };
  EXPECT_EQ(build(), build());
}

}  // namespace
}  // namespace snapshotter::layer::testing
