#include "solver/ops/file/owner.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "solver/ops/file/test_util.h"

namespace solver_ops::file {
namespace {

using testing::TempDir;
using testing::write_file;

class OwnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(m_root / "etc/passwd",
               "root:x:0:0:root:/root:/bin/sh\n# comment\nbroken line\napp:x:1000:1001::/home/app:/bin/sh\n");
    write_file(m_root / "etc/group", "root:x:0:\nstaff:x:50:\napp:x:1001:\n");
    m_fd = open(m_root.path().c_str(), O_RDONLY | O_DIRECTORY);
  }
  void TearDown() override { close(m_fd); }
  Owner resolve(const std::string& spec) {
    auto r = resolve_owner(m_fd, spec);
    EXPECT_TRUE(r.ok()) << spec << ": " << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : Owner{9999, 9999};
  }

  TempDir m_root;
  int m_fd = -1;
};

TEST_F(OwnerTest, NumericIdsAreUsedAsIs) {
  EXPECT_EQ(resolve("1234"), (Owner{1234, 1234}));  // the group defaults to the same number
  EXPECT_EQ(resolve("1234:55"), (Owner{1234, 55}));
  EXPECT_EQ(resolve("root"), (Owner{0, 0}));
}

TEST_F(OwnerTest, NamesComeFromTheDestinationPasswdAndGroup) {
  EXPECT_EQ(resolve("app"), (Owner{1000, 1001}));  // primary group from passwd
  EXPECT_EQ(resolve("app:staff"), (Owner{1000, 50}));
  EXPECT_EQ(resolve("10:staff"), (Owner{10, 50}));
  EXPECT_EQ(resolve("app:"), (Owner{1000, 0}));  // BuildKit: an empty group is 0
}

// As BuildKit's file op: a name missing from the image is not an error.
TEST_F(OwnerTest, UnknownNamesFallBackAsBuildKitDoes) {
  EXPECT_EQ(resolve("nobody"), (Owner{0, 0}));          // unknown user: 0:0
  EXPECT_EQ(resolve("app:wheel"), (Owner{1000, 1001}));  // unknown group: the user's group
  EXPECT_EQ(resolve(":staff"), (Owner{0, 50}));          // an empty user is 0
  EXPECT_EQ(resolve(":"), (Owner{0, 0}));
}

TEST_F(OwnerTest, ARootWithoutPasswdOrGroupResolvesNamesToZero) {
  TempDir empty;
  int fd = open(empty.path().c_str(), O_RDONLY | O_DIRECTORY);
  auto r = resolve_owner(fd, "app:staff");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, (Owner{0, 0}));
  close(fd);
}

TEST_F(OwnerTest, PasswdIsReadInsideTheRootNotTheHost) {
  // /etc inside the root is an absolute symlink: it resolves inside the root
  // (to /real/etc there), never to the host's /etc.
  TempDir other;
  write_file(other / "real/etc/passwd", "builder:x:77:78::/:/bin/sh\n");
  testing::make_symlink("/real/etc", other / "etc");
  int fd = open(other.path().c_str(), O_RDONLY | O_DIRECTORY);
  auto r = resolve_owner(fd, "builder");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, (Owner{77, 78}));
  auto host_user = resolve_owner(fd, "daemon");  // a host user, absent from the root
  ASSERT_TRUE(host_user.ok());
  EXPECT_EQ(*host_user, (Owner{0, 0}));
  close(fd);
}

TEST(FindIdEntry, SkipsMalformedLines) {
  EXPECT_FALSE(find_id_entry("app:x:abc:1\n", "app", true).has_value());
  EXPECT_FALSE(find_id_entry("app:x:5\n", "app", true).has_value());  // passwd needs a gid
  auto g = find_id_entry("app:x:5\n", "app", false);
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->id, 5u);
  auto later = find_id_entry("app:x:bad:1\napp:x:9:10\n", "app", true);
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(later->id, 9u);
}

}  // namespace
}  // namespace solver_ops::file
