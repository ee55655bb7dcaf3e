#include "solver/ops/exec/exec_user.h"

#include <gtest/gtest.h>

namespace solver_ops::exec_step {
namespace {

constexpr const char* k_passwd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# a comment\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "app:x:1000:1000:App:/home/app:/bin/sh\n"
    "broken:x:notanumber:1::/:/bin/sh\n"
    "nohome:x:1001:1001\n";
constexpr const char* k_group =
    "root:x:0:\n"
    "app:x:1000:\n"
    "audio:x:29:app,other\n"
    "video:x:44:other,app\n"
    "staff:x:50:other\n"
    "self:x:1000:app\n";

ExecUser resolve(std::string_view spec) {
  auto user = resolve_exec_user(spec, k_passwd, k_group);
  EXPECT_TRUE(user.ok()) << (user.ok() ? "" : user.error().message);
  return user.ok() ? user.value() : ExecUser{};
}

TEST(ExecUser, EmptyIsRootWithItsHome) {
  EXPECT_EQ(resolve(""), (ExecUser{0, 0, {}, "/root"}));
  EXPECT_EQ(resolve("root"), (ExecUser{0, 0, {}, "/root"}));
}

TEST(ExecUser, NameGivesIdsHomeAndSupplementaryGroups) {
  EXPECT_EQ(resolve("app"), (ExecUser{1000, 1000, {29, 44}, "/home/app"}));
}

TEST(ExecUser, NumericUserListedInPasswdTakesItsEntry) {
  EXPECT_EQ(resolve("1000"), (ExecUser{1000, 1000, {29, 44}, "/home/app"}));
}

TEST(ExecUser, NumericUserNotListedRunsWithGroupZero) {
  EXPECT_EQ(resolve("4242"), (ExecUser{4242, 0, {}, "/"}));
  EXPECT_EQ(resolve("4242:4343"), (ExecUser{4242, 4343, {}, "/"}));
}

TEST(ExecUser, ExplicitGroupReplacesPrimaryAndDropsSupplementary) {
  EXPECT_EQ(resolve("app:staff"), (ExecUser{1000, 50, {}, "/home/app"}));
  EXPECT_EQ(resolve("app:7"), (ExecUser{1000, 7, {}, "/home/app"}));
  EXPECT_EQ(resolve("daemon:audio"), (ExecUser{1, 29, {}, "/usr/sbin"}));
}

TEST(ExecUser, EntryWithoutHomeKeepsSlash) {
  EXPECT_EQ(resolve("nohome"), (ExecUser{1001, 1001, {}, "/"}));
}

TEST(ExecUser, UnknownNamesAreErrors) {
  auto user = resolve_exec_user("nobody", k_passwd, k_group);
  ASSERT_FALSE(user.ok());
  EXPECT_EQ(user.error().message, "unable to find user nobody: no matching entries in passwd file");
  auto group = resolve_exec_user("app:wheel", k_passwd, k_group);
  ASSERT_FALSE(group.ok());
  EXPECT_EQ(group.error().message, "unable to find group wheel: no matching entries in group file");
}

TEST(ExecUser, RootWorksWithoutPasswdFile) {
  EXPECT_EQ(resolve_exec_user("", "", "").value(), (ExecUser{0, 0, {}, "/"}));
  EXPECT_EQ(resolve_exec_user("0:0", "", "").value(), (ExecUser{0, 0, {}, "/"}));
  EXPECT_FALSE(resolve_exec_user("app", "", "").ok());
}

}  // namespace
}  // namespace solver_ops::exec_step
