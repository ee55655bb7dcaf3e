// RUN --mount of every type, end to end.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "tests/run/run_fixture.h"

namespace tests {
namespace {

namespace fs = std::filesystem;

TEST_F(RunTest, CacheMountPersistsAcrossBuildsAndStaysOutOfTheImage) {
  std::string dockerfile =
      "FROM busybox\n"
      "ARG N\n"
      "RUN --mount=type=cache,target=/cache echo $N >> /cache/log && cat /cache/log > /seen\n";
  std::string first = build_to_dir(dockerfile, {"--build-arg", "N=1"});
  EXPECT_EQ(slurp(first + "/seen"), "1\n");
  EXPECT_FALSE(fs::exists(first + "/cache/log"));
  std::string second = build_to_dir(dockerfile, {"--build-arg", "N=2"});
  EXPECT_EQ(slurp(second + "/seen"), "1\n2\n");
}

TEST_F(RunTest, CacheMountSeededFromAStageWithOwnerAndIdsShared) {
  std::string out = build_to_dir(
      "FROM busybox AS seed\n"
      "RUN mkdir -p /seed && echo seeded > /seed/file\n"
      "FROM busybox\n"
      "RUN --mount=type=cache,id=shared-cache,target=/a,from=seed,source=/seed,uid=65534,gid=65534,mode=0750 "
      "cat /a/file > /from-seed && stat -c '%u:%g %a' /a > /owner && echo more > /a/second\n"
      "RUN --mount=type=cache,id=shared-cache,target=/b,sharing=locked,ro ls /b > /listing && "
      "(touch /b/x 2>/dev/null && echo writable || echo read-only) > /ro\n");
  EXPECT_EQ(slurp(out + "/from-seed"), "seeded\n");
  EXPECT_EQ(slurp(out + "/owner"), "65534:65534 750\n");
  EXPECT_EQ(slurp(out + "/listing"), "file\nsecond\n") << "one id, one directory, whatever the target";
  EXPECT_EQ(slurp(out + "/ro"), "read-only\n");
}

TEST_F(RunTest, BindMountFromContextAndStageWithDiscardedWrites) {
  write(ctx + "/data/input.txt", "from the context\n");
  std::string out = build_to_dir(
      "FROM busybox AS tools\n"
      "RUN mkdir /tools && echo tool > /tools/t\n"
      "FROM busybox\n"
      "RUN --mount=type=bind,source=data,target=/in cat /in/input.txt > /copied\n"
      "RUN --mount=type=bind,from=tools,source=/tools,target=/t cat /t/t > /tool\n"
      "RUN --mount=type=bind,source=data,target=/in,rw echo scribble > /in/input.txt && cat /in/input.txt > /rw\n");
  EXPECT_EQ(slurp(out + "/copied"), "from the context\n");
  EXPECT_EQ(slurp(out + "/tool"), "tool\n");
  EXPECT_EQ(slurp(out + "/rw"), "scribble\n");
  EXPECT_EQ(slurp(ctx + "/data/input.txt"), "from the context\n") << "rw bind writes are discarded";
  EXPECT_FALSE(fs::exists(out + "/in"));
}

TEST_F(RunTest, ChangedFilesUnderABindMountOfTheContextRunTheStepAgain) {
  const std::string dockerfile =
      "FROM busybox\n"
      "RUN --mount=type=bind,source=data,target=/in cat /in/input.txt > /copied\n";
  write(ctx + "/data/input.txt", "first\n");
  write(ctx + "/other.txt", "not mounted\n");
  EXPECT_EQ(slurp(build_to_dir(dockerfile) + "/copied"), "first\n");
  write(ctx + "/other.txt", "changed, still not mounted\n");
  auto unchanged = build(dockerfile);
  ASSERT_EQ(unchanged.exit_code, 0) << unchanged.err;
  EXPECT_NE(unchanged.err.find("CACHED"), std::string::npos) << unchanged.err;
  write(ctx + "/data/input.txt", "second\n");
  EXPECT_EQ(slurp(build_to_dir(dockerfile) + "/copied"), "second\n");
}

TEST_F(RunTest, TmpfsMountIsEmptyAndGone) {
  std::string out = build_to_dir(
      "FROM busybox\n"
      "RUN --mount=type=tmpfs,target=/scratch echo x > /scratch/f && grep ' /scratch ' /proc/mounts | cut -d' ' -f3 > /fstype\n");
  EXPECT_EQ(slurp(out + "/fstype"), "tmpfs\n");
  EXPECT_FALSE(fs::exists(out + "/scratch/f"));
}

TEST_F(RunTest, SecretIsReadableButNeverInTheImage) {
  write(work.path() + "/token", "s3cr3t-value");
  std::string dockerfile =
      "FROM busybox\n"
      "RUN --mount=type=secret,id=token cat /run/secrets/token | md5sum | cut -c1-32 > /ok && "
      "stat -c %a /run/secrets/token > /mode\n"
      "RUN --mount=type=secret,id=token,env=TOKEN echo -n \"$TOKEN\" | md5sum | cut -c1-32 > /ok-env\n";
  std::string secret = "id=token,src=" + work.path() + "/token";
  std::string out = build_to_dir(dockerfile, {"--secret", secret});
  KilnRun tagged = build(dockerfile, {"--secret", secret, "-t", "secretive"});
  ASSERT_EQ(tagged.exit_code, 0) << tagged.err;
  // md5 of "s3cr3t-value": the step saw the secret; the Dockerfile never names it.
  const std::string md5 = "e74a7345b906b2dd50c8e026a10bc02f\n";
  EXPECT_EQ(slurp(out + "/ok"), md5);
  EXPECT_EQ(slurp(out + "/ok-env"), md5);
  EXPECT_EQ(slurp(out + "/mode"), "400\n");
  EXPECT_FALSE(fs::exists(out + "/run/secrets/token"));
  // Not in any layer, config or history of the stored image.
  std::string archive = work.path() + "/image.tar";
  KilnRun saved = kiln({"save", "-o", archive, "secretive"});
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  EXPECT_EQ(slurp(archive).find("s3cr3t-value"), std::string::npos);
  KilnRun missing = build("FROM busybox\nRUN --mount=type=secret,id=absent,required=true true\n");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("secret absent"), std::string::npos) << missing.err;
}

TEST_F(RunTest, SshMountBindsTheAgentSocket) {
  std::string socket_path = work.path() + "/agent.sock";
  int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(socket_path.size(), sizeof addr.sun_path);
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  std::string out = build_to_dir(
      "FROM busybox\n"
      "RUN --mount=type=ssh test -S \"$SSH_AUTH_SOCK\" && echo \"$SSH_AUTH_SOCK\" > /sock\n",
      {"--ssh", "default=" + socket_path});
  ::close(listener);
  EXPECT_EQ(slurp(out + "/sock"), "/run/buildkit/ssh_agent.0\n");
  KilnRun missing = build("FROM busybox\nRUN --mount=type=ssh,required=true true\n");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("--ssh default"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace tests
