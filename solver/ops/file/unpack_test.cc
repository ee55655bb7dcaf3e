// ADD's archive extraction: formats detected by content, entries kept inside
// the destination whatever the archive says.
#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "solver/ops/file/apply.h"
#include "solver/ops/file/test_util.h"

namespace solver_ops::file {
namespace {

using testing::dump;
using testing::Entry;
using testing::TempDir;
using testing::tree;
using testing::write_file;

struct TarEntry {
  std::string name;
  char type = 'f';  // f d l h (hard link)
  std::string data;  // content, or link target
  unsigned mode = 0644;
  unsigned uid = 0;
  unsigned gid = 0;
};

// Builds a tar stream in memory with the given compression filter
// ("none", "gzip", "bzip2", "xz", "zstd").
std::string make_tar(const std::vector<TarEntry>& entries, const std::string& filter = "none") {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (filter != "none") archive_write_add_filter_by_name(a, filter.c_str());
  std::vector<char> buf(1 << 20);
  size_t used = 0;
  EXPECT_EQ(archive_write_open_memory(a, buf.data(), buf.size(), &used), ARCHIVE_OK);
  for (const auto& t : entries) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, t.name.c_str());
    archive_entry_set_uid(e, t.uid);
    archive_entry_set_gid(e, t.gid);
    archive_entry_set_mtime(e, 1600000000, 0);
    if (t.type == 'd') {
      archive_entry_set_filetype(e, AE_IFDIR);
      archive_entry_set_perm(e, t.mode);
    } else if (t.type == 'l') {
      archive_entry_set_filetype(e, AE_IFLNK);
      archive_entry_set_symlink(e, t.data.c_str());
      archive_entry_set_perm(e, 0777);
    } else if (t.type == 'h') {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_hardlink(e, t.data.c_str());
      archive_entry_set_perm(e, t.mode);
    } else {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_perm(e, t.mode);
      archive_entry_set_size(e, static_cast<la_int64_t>(t.data.size()));
    }
    EXPECT_EQ(archive_write_header(a, e), ARCHIVE_OK) << archive_error_string(a);
    if (t.type == 'f') archive_write_data(a, t.data.data(), t.data.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return std::string(buf.data(), used);
}

class UnpackTest : public ::testing::Test {
 protected:
  base::Result<void> add(const std::string& src, const std::string& dest, std::string chown = "") {
    ir::Copy c;
    c.src_input = 1;
    c.src = src;
    c.dest = dest;
    c.chown = std::move(chown);
    c.follow_symlinks = true;
    c.dir_contents_only = true;
    c.allow_wildcard = true;
    c.allow_empty_wildcard = true;
    c.create_dest_path = true;
    c.attempt_unpack = true;
    ir::File op;
    op.actions.push_back(c);
    return apply_file_actions(m_dest.path(), op,
                              {{m_dest.path(), {}, SourceKind::snapshot}, {m_ctx.path(), {}, SourceKind::context}});
  }
  std::map<std::string, Entry> dest() { return tree(m_dest.path()); }

  TempDir m_ctx;
  TempDir m_dest;
};

TEST_F(UnpackTest, EveryCompressionIsDetectedByContent) {
  const std::vector<TarEntry> entries = {{"pkg/", 'd', "", 0750}, {"pkg/bin/tool", 'f', "T", 0755},
                                         {"pkg/lib", 'l', "bin"}};
  for (std::string filter : {"none", "gzip", "bzip2", "xz", "zstd"}) {
    SCOPED_TRACE(filter);
    // Names say nothing: the content decides.
    write_file(m_ctx / ("archive-" + filter + ".bin"), make_tar(entries, filter));
    auto r = add("/archive-" + filter + ".bin", "/opt/" + filter);
    ASSERT_TRUE(r.ok()) << r.error().message;
    auto t = tree(m_dest / ("opt/" + filter));
    EXPECT_EQ(t["pkg"], (Entry{'d', 0750, 0, 0, ""})) << dump(m_dest.path());
    EXPECT_EQ(t["pkg/bin"], (Entry{'d', 0755, 0, 0, ""}));  // implied parent
    EXPECT_EQ(t["pkg/bin/tool"], (Entry{'f', 0755, 0, 0, "T"}));
    EXPECT_EQ(t["pkg/lib"], (Entry{'l', 0, 0, 0, "bin"}));
    struct stat st {};
    ASSERT_EQ(stat((m_dest / ("opt/" + filter + "/pkg/bin/tool")).c_str(), &st), 0);
    EXPECT_EQ(st.st_mtim.tv_sec, 1600000000);
  }
}

TEST_F(UnpackTest, NonArchivesAreCopiedAsFiles) {
  write_file(m_ctx / "notes.tar.gz", "just text, despite the name");
  write_file(m_ctx / "empty.tar", std::string(1024, '\0'));  // no entries: not an archive
  ASSERT_TRUE(add("/notes.tar.gz", "/d/").ok());
  ASSERT_TRUE(add("/empty.tar", "/d/").ok());
  EXPECT_EQ(dest(), (std::map<std::string, Entry>{{"d", {'d', 0755, 0, 0, ""}},
                                                  {"d/notes.tar.gz", {'f', 0644, 0, 0, "just text, despite the name"}},
                                                  {"d/empty.tar", {'f', 0644, 0, 0, std::string(1024, '\0')}}}))
      << dump(m_dest.path());
}

TEST_F(UnpackTest, OwnersComeFromTheArchiveOrChown) {
  if (!testing::is_root()) GTEST_SKIP() << "chown needs root";
  write_file(m_ctx / "a.tar", make_tar({{"f", 'f', "x", 0600, 123, 456}}));
  ASSERT_TRUE(add("/a.tar", "/keep").ok());
  ASSERT_TRUE(add("/a.tar", "/mine", "7:8").ok());
  auto t = dest();
  EXPECT_EQ(t["keep/f"], (Entry{'f', 0600, 123, 456, "x"}));
  EXPECT_EQ(t["mine/f"], (Entry{'f', 0600, 7, 8, "x"}));
  EXPECT_EQ(t["mine"], (Entry{'d', 0755, 7, 8, ""}));
}

// As docker and BuildKit extract chrooted into the destination, ".." at its
// top stays there.
TEST_F(UnpackTest, DotDotEntriesStayInsideTheDestination) {
  write_file(m_ctx / "evil.tar", make_tar({{"ok.txt", 'f', "ok"}, {"../../escaped.txt", 'f', "bad"},
                                           {"a/../../b.txt", 'f', "b"}}));
  auto r = add("/evil.tar", "/x/");
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto t = dest();
  EXPECT_EQ(t["x/escaped.txt"], (Entry{'f', 0644, 0, 0, "bad"})) << dump(m_dest.path());
  EXPECT_EQ(t["x/b.txt"], (Entry{'f', 0644, 0, 0, "b"})) << dump(m_dest.path());
  EXPECT_FALSE(std::filesystem::exists(m_dest / "escaped.txt"));
  EXPECT_FALSE(std::filesystem::exists(m_dest / "../escaped.txt"));
}

TEST_F(UnpackTest, AbsoluteNamesLandInsideTheDestination) {
  write_file(m_ctx / "abs.tar", make_tar({{"/etc/motd", 'f', "hi"}}));
  ASSERT_TRUE(add("/abs.tar", "/x").ok());
  EXPECT_EQ(dest()["x/etc/motd"], (Entry{'f', 0644, 0, 0, "hi"})) << dump(m_dest.path());
}

TEST_F(UnpackTest, FilesThroughAnAbsoluteSymlinkStayInside) {
  TempDir outside;
  // A symlink to a host directory, then a file written "through" it.
  write_file(m_ctx / "sym.tar", make_tar({{"link", 'l', outside.path()}, {"link/pwned", 'f', "bad"},
                                          {"root", 'l', "/"}, {"root/etc/shadow", 'f', "bad2"}}));
  auto r = add("/sym.tar", "/x/");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(tree(outside.path()).empty()) << dump(outside.path());
  auto t = dest();
  // Absolute targets resolve inside the extraction directory.
  EXPECT_EQ(t["x/" + outside.path().substr(1) + "/pwned"], (Entry{'f', 0644, 0, 0, "bad"})) << dump(m_dest.path());
  EXPECT_EQ(t["x/etc/shadow"], (Entry{'f', 0644, 0, 0, "bad2"})) << dump(m_dest.path());
}

TEST_F(UnpackTest, RelativeSymlinksClimbNoHigherThanTheDestination) {
  write_file(m_ctx / "rel.tar", make_tar({{"up", 'l', "../.."}, {"up/etc/passwd", 'f', "bad"}}));
  auto r = add("/rel.tar", "/x/");
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto t = dest();
  EXPECT_EQ(t["x/up"], (Entry{'l', 0, 0, 0, "../.."})) << dump(m_dest.path());
  EXPECT_EQ(t["x/etc/passwd"], (Entry{'f', 0644, 0, 0, "bad"})) << dump(m_dest.path());
  EXPECT_FALSE(std::filesystem::exists(m_dest / "etc/passwd"));
}

TEST_F(UnpackTest, HardlinksStayInside) {
  write_file(m_ctx / "h.tar", make_tar({{"a", 'f', "A"}, {"b", 'h', "a"}}));
  ASSERT_TRUE(add("/h.tar", "/x/").ok());
  struct stat a {}, b {};
  ASSERT_EQ(stat((m_dest / "x/a").c_str(), &a), 0);
  ASSERT_EQ(stat((m_dest / "x/b").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  // "../../etc/passwd" means the destination's etc/passwd, which is absent.
  write_file(m_ctx / "h2.tar", make_tar({{"b", 'h', "../../etc/passwd"}}));
  auto r = add("/h2.tar", "/y/");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("target not found"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace solver_ops::file
