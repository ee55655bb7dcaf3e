// ExecStepRunner on a copy snapshotter with a fake process runner (no root
// needed): what reaches the process, what gets committed, and that a failed
// or canceled step leaves no snapshot. The real sandbox is covered by
// tests/run.
#include "solver/ops/exec/exec_step.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "snapshotter/open.h"

namespace solver_ops::exec_step {
namespace {

namespace fs = std::filesystem;

class RecordingStep final : public solver::StepContext {
 public:
  void log(int stream, std::string_view data) override { logged += std::to_string(stream) + ":" + std::string(data); }
  bool canceled() const override { return cancel; }
  std::string logged;
  bool cancel = false;
};

// Runs a function in place of the process; the root is the host path.
class FakeRunner final : public exec::ProcessRunner {
 public:
  using Body = std::function<exec::ProcessResult(const exec::ProcessSpec&, exec::OutputSink&)>;
  explicit FakeRunner(Body body) : m_body(std::move(body)) {}
  base::Result<exec::ProcessResult> run(const exec::ProcessSpec& spec, exec::OutputSink& out,
                                        const exec::Cancel& cancel) override {
    seen = spec;
    state_dir_existed = fs::is_directory(spec.state_dir);
    exec::ProcessResult result = m_body(spec, out);
    if (cancel.requested()) result.canceled = true;
    return result;
  }
  exec::ProcessSpec seen;
  bool state_dir_existed = false;

 private:
  Body m_body;
};

void write_file(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

class ExecStepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "kiln-exec-step-XXXXXX").string();
    root = ::mkdtemp(tmpl.data());
    auto s = snapshotter::open_snapshotter(root, "copy", clock);
    ASSERT_TRUE(s.ok()) << s.error().message;
    snaps = std::move(s).value();
    ASSERT_TRUE(tmp.init().ok());
  }
  void TearDown() override {
    snaps.reset();
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  // A committed base with /etc/passwd and /etc/group.
  std::string base_snapshot() {
    std::string id = snaps->prepare("").value();
    {
      auto view = snaps->mount(id).value();
      write_file(view->path() + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
      write_file(view->path() + "/etc/group", "root:x:0:\nwheel:x:10:app\n");
    }
    return snaps->commit(id).value();
  }
  size_t snapshot_count() { return snaps->list().value().size(); }

  base::FixedClock clock{1700000000};
  std::string root;
  std::unique_ptr<snapshotter::Snapshotter> snaps;
  content::TmpDir tmp{root + "/tmp"};
  RecordingStep step;
};

ir::Exec shell(const std::string& command) {
  ir::Exec op;
  op.argv = {"/bin/sh", "-c", command};
  op.env.set("PATH", "/usr/bin:/bin");
  op.cwd = "/work";
  return op;
}

TEST_F(ExecStepTest, CommitsWhatTheProcessWroteAndStreamsItsOutput) {
  std::string base = base_snapshot();
  FakeRunner runner([](const exec::ProcessSpec& spec, exec::OutputSink& out) {
    write_file(spec.rootfs + "/built.txt", "made");
    out.write(1, "hello\n");
    out.write(2, "warning\n");
    return exec::ProcessResult{};
  });
  ExecStepRunner steps(*snaps, runner, tmp, nullptr, RunSettings{});
  auto committed = steps.run(shell("make"), {{base, {}}}, step);
  ASSERT_TRUE(committed.ok()) << committed.error().message;
  auto view = snaps->mount(*committed).value();
  std::ifstream in(view->path() + "/built.txt");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "made");
  EXPECT_TRUE(fs::exists(view->path() + "/etc/passwd"));
  EXPECT_EQ(step.logged, "1:hello\n2:warning\n");
  EXPECT_TRUE(runner.state_dir_existed);
  EXPECT_FALSE(fs::exists(runner.seen.state_dir)) << "the per-step state dir is removed";
}

TEST_F(ExecStepTest, ProcessGetsArgvEnvHomeCwdAndTheResolvedUser) {
  std::string base = base_snapshot();
  FakeRunner runner([](const exec::ProcessSpec&, exec::OutputSink&) { return exec::ProcessResult{}; });
  RunSettings settings;
  settings.limits.memory_bytes = 64 << 20;
  settings.extra_hosts = {{"db", "10.0.0.2"}};
  ExecStepRunner steps(*snaps, runner, tmp, nullptr, settings);
  ir::Exec op = shell("id");
  op.user = "app";
  op.proxy_env = {{"http_proxy", "http://proxy:3128"}};
  ASSERT_TRUE(steps.run(op, {{base, {}}}, step).ok());
  const exec::ProcessSpec& spec = runner.seen;
  EXPECT_EQ(spec.argv, (std::vector<std::string>{"/bin/sh", "-c", "id"}));
  EXPECT_EQ(spec.env, (std::vector<std::string>{"PATH=/usr/bin:/bin", "http_proxy=http://proxy:3128",
                                                "HOME=/home/app"}));
  EXPECT_EQ(spec.cwd, "/work");
  EXPECT_EQ(spec.uid, 1000u);
  EXPECT_EQ(spec.gid, 1000u);
  EXPECT_EQ(spec.additional_gids, (std::vector<uint32_t>{10}));
  EXPECT_EQ(spec.network, exec::Network::host);
  EXPECT_EQ(spec.limits.memory_bytes, 64 << 20);
  ASSERT_EQ(spec.extra_hosts.size(), 1u);
  EXPECT_FALSE(spec.cgroup_name.empty());
  EXPECT_FALSE(spec.privileged);
}

TEST_F(ExecStepTest, ImageHomeWinsAndNetworkFollowsTheStepThenTheBuild) {
  FakeRunner runner([](const exec::ProcessSpec&, exec::OutputSink&) { return exec::ProcessResult{}; });
  RunSettings settings;
  settings.network = exec::Network::none;
  ExecStepRunner steps(*snaps, runner, tmp, nullptr, settings);
  ir::Exec op = shell("true");
  op.env.set("HOME", "/custom");
  ASSERT_TRUE(steps.run(op, {{}}, step).ok());
  EXPECT_EQ(runner.seen.network, exec::Network::none);
  EXPECT_EQ(std::count(runner.seen.env.begin(), runner.seen.env.end(), "HOME=/custom"), 1);
  op.network = ir::NetworkMode::host;
  ASSERT_TRUE(steps.run(op, {{}}, step).ok());
  EXPECT_EQ(runner.seen.network, exec::Network::host);
}

TEST_F(ExecStepTest, FailedProcessNamesTheCommandAndLeavesNoSnapshot) {
  std::string base = base_snapshot();
  size_t before = snapshot_count();
  FakeRunner runner([](const exec::ProcessSpec& spec, exec::OutputSink&) {
    write_file(spec.rootfs + "/partial", "x");
    exec::ProcessResult r;
    r.exit_code = 2;
    return r;
  });
  ExecStepRunner steps(*snaps, runner, tmp, nullptr, RunSettings{});
  auto committed = steps.run(shell("make"), {{base, {}}}, step);
  ASSERT_FALSE(committed.ok());
  EXPECT_EQ(committed.error().message,
            "process \"/bin/sh -c make\" did not complete successfully: exit code: 2");
  EXPECT_EQ(snapshot_count(), before);
}

TEST_F(ExecStepTest, CanceledStepLeavesNoSnapshot) {
  FakeRunner runner([](const exec::ProcessSpec&, exec::OutputSink&) { return exec::ProcessResult{}; });
  ExecStepRunner steps(*snaps, runner, tmp, nullptr, RunSettings{});
  step.cancel = true;
  auto committed = steps.run(shell("sleep 100"), {{}}, step);
  ASSERT_FALSE(committed.ok());
  EXPECT_EQ(committed.error().message, "canceled");
  EXPECT_EQ(snapshot_count(), 0u);
}

TEST_F(ExecStepTest, UnknownUserFailsBeforeRunning) {
  bool ran = false;
  FakeRunner runner([&](const exec::ProcessSpec&, exec::OutputSink&) {
    ran = true;
    return exec::ProcessResult{};
  });
  ExecStepRunner steps(*snaps, runner, tmp, nullptr, RunSettings{});
  ir::Exec op = shell("id");
  op.user = "ghost";
  auto committed = steps.run(op, {{base_snapshot(), {}}}, step);
  ASSERT_FALSE(committed.ok());
  EXPECT_EQ(committed.error().message, "USER ghost: unable to find user ghost: no matching entries in passwd file");
  EXPECT_FALSE(ran);
}

TEST_F(ExecStepTest, InsecureNeedsTheEntitlement) {
  FakeRunner runner([](const exec::ProcessSpec&, exec::OutputSink&) { return exec::ProcessResult{}; });
  ir::Exec op = shell("true");
  op.security = ir::SecurityMode::insecure;
  ExecStepRunner refused(*snaps, runner, tmp, nullptr, RunSettings{});
  auto denied = refused.run(op, {{}}, step);
  ASSERT_FALSE(denied.ok());
  EXPECT_NE(denied.error().message.find("security.insecure"), std::string::npos);
  RunSettings allowed;
  allowed.allow_insecure = true;
  ExecStepRunner granted(*snaps, runner, tmp, nullptr, allowed);
  ASSERT_TRUE(granted.run(op, {{}}, step).ok());
  EXPECT_TRUE(runner.seen.privileged);
}

}  // namespace
}  // namespace solver_ops::exec_step
