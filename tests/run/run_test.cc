// RUN steps as a user writes them: what they produce, how they are cached,
// who they run as, how they fail; and `kiln run` of the result.
#include <sys/wait.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/run/run_fixture.h"

namespace tests {
namespace {

namespace fs = std::filesystem;

TEST_F(RunTest, RunStepWritesTheLayerAndNothingElse) {
  std::string out = build_to_dir(
      "FROM busybox\n"
      "RUN echo built > /built.txt && mkdir -p /app && echo x > /app/x && rm /etc/group\n"
      "RUN cat /etc/passwd > /dev/null\n");
  EXPECT_EQ(slurp(out + "/built.txt"), "built\n");
  EXPECT_EQ(slurp(out + "/app/x"), "x\n");
  EXPECT_FALSE(fs::exists(out + "/etc/group")) << "a deletion in RUN is a whiteout in the layer";
  EXPECT_TRUE(fs::exists(out + "/etc/passwd"));
  // The sandbox's mount points and /etc files never reach the image.
  for (const char* path : {"/proc", "/sys", "/dev", "/etc/hosts", "/etc/resolv.conf", "/etc/hostname"})
    EXPECT_FALSE(fs::exists(out + path)) << path;
}

TEST_F(RunTest, OneLayerPerRunAndReadsMakeNoChanges) {
  KilnRun r = build("FROM busybox\nRUN echo a > /a\nRUN cat /a /etc/passwd >/dev/null\n", {"-t", "layers"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  KilnRun save = kiln({"inspect", "layers"});
  ASSERT_EQ(save.exit_code, 0) << save.err;
  auto j = nlohmann::json::parse(save.out, nullptr, false);
  KilnRun base = kiln({"inspect", "busybox"});
  auto b = nlohmann::json::parse(base.out, nullptr, false);
  ASSERT_TRUE(j.is_array() && b.is_array());
  EXPECT_EQ(j[0]["RootFS"]["Layers"].size(), b[0]["RootFS"]["Layers"].size() + 2);
}

TEST_F(RunTest, SecondBuildIsCachedAndEnvChangesTheKey) {
  std::string dockerfile = "FROM busybox\nARG V=1\nRUN echo $V > /v && cat /proc/sys/kernel/random/uuid > /id\n";
  std::string first = build_to_dir(dockerfile);
  std::string id = slurp(first + "/id");
  ASSERT_FALSE(id.empty());
  KilnRun again = build(dockerfile);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("CACHED"), std::string::npos) << again.err;
  std::string cached = build_to_dir(dockerfile);
  EXPECT_EQ(slurp(cached + "/id"), id) << "a cached RUN is not run again";
  std::string changed = build_to_dir(dockerfile, {"--build-arg", "V=2"});
  EXPECT_EQ(slurp(changed + "/v"), "2\n");
  EXPECT_NE(slurp(changed + "/id"), id);
}

TEST_F(RunTest, EnvWorkdirUserShellAndHeredoc) {
  std::string out = build_to_dir(
      "FROM busybox\n"
      "ENV GREETING=hello\n"
      "WORKDIR /work/dir\n"
      "RUN pwd > /pwd && echo $GREETING > /greeting && echo $HOME > /roothome\n"
      "RUN chmod 1777 /tmp && mkdir -p /out && chmod 777 /out\n"
      "USER nobody\n"
      "RUN id -u > /out/uid && id -g > /out/gid && echo $HOME > /out/home\n"
      "USER 1234:5678\n"
      "RUN id -u > /out/uid2 && id -g > /out/gid2\n"
      "USER root\n"
      "SHELL [\"/bin/sh\", \"-ec\"]\n"
      "RUN <<EOF\n"
      "echo one > /heredoc\n"
      "echo two >> /heredoc\n"
      "EOF\n"
      "RUN [\"/bin/sh\", \"-c\", \"echo exec-form > /exec\"]\n");
  EXPECT_EQ(slurp(out + "/pwd"), "/work/dir\n");
  EXPECT_EQ(slurp(out + "/greeting"), "hello\n");
  EXPECT_EQ(slurp(out + "/roothome"), "/root\n");
  EXPECT_EQ(slurp(out + "/out/uid"), "65534\n");
  EXPECT_EQ(slurp(out + "/out/gid"), "65534\n");
  EXPECT_EQ(slurp(out + "/out/home"), "/nonexistent\n");
  EXPECT_EQ(slurp(out + "/out/uid2"), "1234\n");
  EXPECT_EQ(slurp(out + "/out/gid2"), "5678\n");
  EXPECT_EQ(slurp(out + "/heredoc"), "one\ntwo\n");
  EXPECT_EQ(slurp(out + "/exec"), "exec-form\n");
}

TEST_F(RunTest, FailingStepNamesCommandCodeAndLine) {
  KilnRun r = build("FROM busybox\nRUN echo about to fail && exit 3\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("process \"/bin/sh -c echo about to fail && exit 3\" did not complete successfully: exit code: 3"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("Dockerfile:2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("about to fail"), std::string::npos) << "the step's output is shown: " << r.err;
  KilnRun missing = build("FROM busybox\nRUN [\"/no/such/program\"]\n");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("/no/such/program"), std::string::npos) << missing.err;
  KilnRun user = build("FROM busybox\nUSER ghost\nRUN true\n");
  EXPECT_EQ(user.exit_code, 1);
  EXPECT_NE(user.err.find("unable to find user ghost"), std::string::npos) << user.err;
}

TEST_F(RunTest, KilnRunRunsTheImageAndPassesTheStatus) {
  KilnRun b = build("FROM busybox\nRUN echo content > /file\nENV WHO=world\nCMD [\"sh\", \"-c\", \"echo hello $WHO\"]\n",
                    {"-t", "runnable"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  KilnRun r = kiln({"run", "--rm", "runnable"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hello world\n");
  KilnRun cmd = kiln({"run", "-e", "WHO=you", "runnable", "sh", "-c", "cat /file; echo $WHO; exit 7"});
  EXPECT_EQ(cmd.exit_code, 7) << cmd.err;
  EXPECT_EQ(cmd.out, "content\nyou\n");
  KilnRun none = kiln({"run", "--network", "none", "runnable", "ls", "/sys/class/net"});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out, "lo\n");
  KilnRun missing = kiln({"run", "no-such-image"});
  EXPECT_EQ(missing.exit_code, 125);
  // Nothing of a run is kept: the same file is still the image's.
  KilnRun twice = kiln({"run", "runnable", "sh", "-c", "echo changed > /file"});
  EXPECT_EQ(twice.exit_code, 0) << twice.err;
  KilnRun after = kiln({"run", "runnable", "cat", "/file"});
  EXPECT_EQ(after.out, "content\n");
}

TEST_F(RunTest, MultiStageExampleBuildsTestsAndRuns) {
  std::string example = source_path("examples/multistage");
  KilnRun test = kiln({"build", "--progress=plain", "--target", "test", example});
  ASSERT_EQ(test.exit_code, 0) << test.err;
  KilnRun final_image = kiln({"build", "-q", "-t", "wordcount", example});
  ASSERT_EQ(final_image.exit_code, 0) << final_image.err;
  KilnRun help = kiln({"run", "wordcount"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_FALSE(help.out.empty() && help.err.empty());
  KilnRun id = kiln({"run", "--entrypoint", "id", "wordcount"});
  EXPECT_NE(id.out.find("uid=65534"), std::string::npos) << id.out << id.err;
}

TEST_F(RunTest, FinalImageRunsWithRuncAfterUmociUnpack) {
  for (const char* tool : {"/usr/bin/skopeo", "/usr/bin/umoci", "/usr/sbin/runc"})
    if (::access(tool, X_OK) != 0) GTEST_SKIP() << tool << " missing";
  std::string archive = work.path() + "/wordcount.tar";
  KilnRun b = kiln({"build", "-q", "-o", "type=oci,dest=" + archive, source_path("examples/multistage")});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  std::string layout = work.path() + "/layout";
  std::string bundle = work.path() + "/bundle";
  ASSERT_EQ(std::system(("skopeo copy -q oci-archive:" + archive + " oci:" + layout + ":wc").c_str()), 0);
  ASSERT_EQ(std::system(("umoci unpack --image " + layout + ":wc " + bundle + " >/dev/null").c_str()), 0);
  auto config = nlohmann::json::parse(slurp(bundle + "/config.json"));
  config["process"]["terminal"] = false;
  config["process"]["args"] = {"/bin/sh", "-c", "printf 'the cat and the hat\\nthe end\\n' | /usr/local/bin/wordcount -n 1; id -u"};
  write(bundle + "/config.json", config.dump());
  std::string id = "kiln-run-test-" + std::to_string(::getpid());
  std::string out = work.path() + "/runc.out";
  int status = std::system(("runc run --bundle " + bundle + " " + id + " > " + out + " 2>&1 < /dev/null").c_str());
  std::system(("runc delete --force " + id + " >/dev/null 2>&1").c_str());
  EXPECT_EQ(status, 0) << slurp(out);
  EXPECT_EQ(slurp(out), "the 3\n65534\n");
}

TEST_F(RunTest, ShebangHeredocRunsByItsInterpreter) {
  std::string out = build_to_dir(
      "FROM busybox\n"
      "RUN <<EOF\n"
      "#!/bin/sh -e\n"
      "echo \"from a script: $0\" > /script\n"
      "EOF\n");
  EXPECT_EQ(slurp(out + "/script").rfind("from a script: /dev/pipes/", 0), 0u) << slurp(out + "/script");
  EXPECT_FALSE(fs::exists(out + "/dev/pipes"));
}

TEST_F(RunTest, OnFailureShellOpensInTheFailedRoot) {
  write(ctx + "/Dockerfile", "FROM busybox\nENV FOO=bar\nWORKDIR /w\nRUN echo partial > /p && exit 4\n");
  KilnRun r = kiln({"build", "--progress=plain", "--on-failure", "shell", ctx},
                   "echo pwd=$(pwd) foo=$FOO; cat /p; exit\n");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("pwd=/w foo=bar\npartial\n"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.err.find("exit code: 4"), std::string::npos) << r.err;
}

TEST_F(RunTest, InterruptStopsRunningStepsAndLeavesAConsistentStore) {
  write(ctx + "/Dockerfile", "FROM busybox\nRUN echo started && sleep 4321\n");
  std::string log = work.path() + "/interrupted.log";
  std::string script = kiln_binary() + " build --root " + root() + " --progress=plain " + ctx + " > " + log +
                       " 2>&1 & pid=$!; "
                       "for i in $(seq 100); do grep -q started " + log + " && break; sleep 0.1; done; "
                       "kill -INT $pid; wait $pid; exit $?";
  int status = std::system(("bash -c '" + script + "'").c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130) << slurp(log);
  EXPECT_NE(slurp(log).find("build interrupted"), std::string::npos) << slurp(log);
  EXPECT_EQ(slurp("/proc/self/mountinfo").find(root()), std::string::npos) << "no mount of the store is left";
  KilnRun fsck = kiln({"fsck"});
  EXPECT_EQ(fsck.exit_code, 0) << fsck.out << fsck.err;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string cmdline = slurp(entry.path().string() + "/cmdline");
    EXPECT_EQ(cmdline.find(std::string("sleep\0" "4321", 10)), std::string::npos) << entry.path();
  }
}

}  // namespace
}  // namespace tests
