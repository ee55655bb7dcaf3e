#include "exec/sandbox/in_root.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "exec/sandbox/sandbox_testing.h"

namespace exec::sandbox {
namespace {

namespace fs = std::filesystem;

class InRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    root = tmp.path() + "/root";
    outside = tmp.path() + "/outside";
    fs::create_directories(root);
    fs::create_directories(outside);
    root_fd.reset(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(root_fd.valid());
  }
  exec::testing::TempDir tmp;
  std::string root, outside;
  base::UniqueFd root_fd;
};

TEST_F(InRoot, CreatesMissingParentsAndReportsThemOutermostFirst) {
  auto made = make_in_root(root_fd.get(), "/a/b/c", NodeKind::directory, 0755);
  ASSERT_TRUE(made.ok()) << made.error().message;
  EXPECT_EQ(made->created, (std::vector<std::string>{"a", "a/b", "a/b/c"}));
  EXPECT_TRUE(fs::is_directory(root + "/a/b/c"));
  auto again = make_in_root(root_fd.get(), "/a/b/c", NodeKind::directory, 0755);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->created.empty());
}

TEST_F(InRoot, FilesAreEmptyAndKindMismatchIsAnError) {
  auto made = make_in_root(root_fd.get(), "etc/hosts", NodeKind::file, 0644);
  ASSERT_TRUE(made.ok()) << made.error().message;
  EXPECT_EQ(made->created, (std::vector<std::string>{"etc", "etc/hosts"}));
  EXPECT_TRUE(fs::is_regular_file(root + "/etc/hosts"));
  auto wrong = make_in_root(root_fd.get(), "/etc", NodeKind::file, 0644);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().message, "/etc exists and is a directory");
}

TEST_F(InRoot, AbsoluteSymlinksAndDotDotStayInsideTheRoot) {
  // /etc -> <outside> on the host; inside the root it means <root><outside>.
  fs::create_directory_symlink(outside, root + "/etc");
  fs::create_directory_symlink("../../../../../..", root + "/up");
  auto hosts = make_in_root(root_fd.get(), "/etc/hosts", NodeKind::file, 0644);
  ASSERT_TRUE(hosts.ok()) << hosts.error().message;
  auto up = make_in_root(root_fd.get(), "/up/../../x", NodeKind::directory, 0755);
  ASSERT_TRUE(up.ok()) << up.error().message;
  EXPECT_TRUE(fs::is_empty(outside));
  EXPECT_TRUE(fs::is_regular_file(root + outside + "/hosts"));
  EXPECT_TRUE(fs::is_directory(root + "/x"));
  EXPECT_EQ(hosts->created.back(), outside.substr(1) + "/hosts");
}

TEST_F(InRoot, DanglingSymlinkIsFollowedInsideTheRoot) {
  fs::create_directories(root + "/etc");
  fs::create_symlink("/run/real-hosts", root + "/etc/hosts");
  auto made = make_in_root(root_fd.get(), "/etc/hosts", NodeKind::file, 0644);
  ASSERT_TRUE(made.ok()) << made.error().message;
  EXPECT_EQ(made->created, (std::vector<std::string>{"run", "run/real-hosts"}));
  EXPECT_TRUE(fs::is_regular_file(root + "/run/real-hosts"));
  fs::create_symlink("loop", root + "/loop");
  EXPECT_FALSE(make_in_root(root_fd.get(), "/loop/x", NodeKind::directory, 0755).ok());
}

TEST_F(InRoot, MagicLinksAreRefused) {
  fs::create_directories(root + "/proc");
  fs::create_directory_symlink("/proc/self/root", root + "/host");
  // Inside the root "/proc/self/root" is just <root>/proc/self/root: missing.
  auto made = open_in_root(root_fd.get(), "/host/etc", O_PATH);
  EXPECT_FALSE(made.ok());
  // A real proc inside the root: its magic links must not be followed.
  base::UniqueFd host_proc(::open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC));
  EXPECT_FALSE(open_in_root(host_proc.get(), "self/root/etc", O_PATH).ok());
}

TEST_F(InRoot, RemoveStubsTakesOnlyWhatIsStillEmptyAndFollowsNoSymlink) {
  fs::create_directories(root + "/proc");
  fs::create_directories(root + "/etc");
  exec::testing::write_file(root + "/etc/hosts", "");
  exec::testing::write_file(root + "/etc/resolv.conf", "nameserver 1.1.1.1\n");
  fs::create_directories(root + "/dev/kept");
  // A symlink where a stub was: removal must not go through it.
  fs::create_directory_symlink(outside, root + "/sys");
  exec::testing::write_file(outside + "/x", "");
  remove_stubs(root, {"proc", "etc", "etc/hosts", "etc/resolv.conf", "dev", "sys/x", "sys"});
  EXPECT_FALSE(fs::exists(root + "/proc"));
  EXPECT_FALSE(fs::exists(root + "/etc/hosts"));
  EXPECT_TRUE(fs::exists(root + "/etc/resolv.conf"));
  EXPECT_TRUE(fs::exists(root + "/dev/kept"));
  EXPECT_TRUE(fs::exists(outside + "/x"));
  EXPECT_TRUE(fs::is_symlink(root + "/sys"));
}

}  // namespace
}  // namespace exec::sandbox
