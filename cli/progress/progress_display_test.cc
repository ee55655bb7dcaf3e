#include "cli/progress/progress_display.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "base/unique_fd.h"
#include "cli/progress/test_events.h"

namespace cli::progress {
namespace {

using solver::EventKind;
using testing::event;
using testing::log_event;

// A pipe whose write end stands in for the display's output.
struct Pipe {
  base::UniqueFd read_end;
  base::UniqueFd write_end;
};

Pipe make_pipe() {
  int fds[2];
  EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
  return Pipe{base::UniqueFd(fds[0]), base::UniqueFd(fds[1])};
}

// Reads what is available on `fd` until it has been quiet for `quiet`,
// reaches end of file or a second has passed (a live view never goes quiet).
std::string drain(int fd, std::chrono::milliseconds quiet = std::chrono::milliseconds(50)) {
  std::string out;
  char buf[4096];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(quiet.count())) <= 0) break;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

TEST(ProgressMode, ParsesDockerNames) {
  EXPECT_EQ(*parse_progress_mode("auto"), ProgressMode::automatic);
  EXPECT_EQ(*parse_progress_mode("tty"), ProgressMode::tty);
  EXPECT_EQ(*parse_progress_mode("plain"), ProgressMode::plain);
  EXPECT_EQ(*parse_progress_mode("json"), ProgressMode::json);
  EXPECT_EQ(*parse_progress_mode("quiet"), ProgressMode::quiet);
  auto bad = parse_progress_mode("fancy");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "invalid progress mode \"fancy\": expected auto, tty, plain, json or quiet");
}

TEST(ProgressMode, AutoIsTtyOnlyOnAUsableTerminal) {
  EXPECT_EQ(resolve_progress_mode(ProgressMode::automatic, true, "xterm-256color"), ProgressMode::tty);
  EXPECT_EQ(resolve_progress_mode(ProgressMode::automatic, true, "dumb"), ProgressMode::plain);
  EXPECT_EQ(resolve_progress_mode(ProgressMode::automatic, false, "xterm"), ProgressMode::plain);
  EXPECT_EQ(resolve_progress_mode(ProgressMode::automatic, true, ""), ProgressMode::tty);
  EXPECT_EQ(resolve_progress_mode(ProgressMode::json, true, "xterm"), ProgressMode::json);
  EXPECT_EQ(resolve_progress_mode(ProgressMode::plain, true, "xterm"), ProgressMode::plain);
}

TEST(MakeProgressSink, AutoOnAPipeIsPlain) {
  Pipe p = make_pipe();
  auto sink = make_progress_sink(ProgressMode::automatic, p.write_end.get());
  ASSERT_TRUE(sink.ok()) << sink.error().message;
  (*sink)->on_event(event(EventKind::step_cached, 1, 0, "[1/1] FROM alpine"));
  (*sink)->finish();
  EXPECT_EQ(drain(p.read_end.get()), "#1 [1/1] FROM alpine\n#1 CACHED\n");
}

TEST(MakeProgressSink, TtyOnAPipeFails) {
  Pipe p = make_pipe();
  auto sink = make_progress_sink(ProgressMode::tty, p.write_end.get());
  ASSERT_FALSE(sink.ok());
  EXPECT_NE(sink.error().message.find("not one"), std::string::npos);
}

TEST(MakeProgressSink, JsonWritesLinesAsEventsCome) {
  Pipe p = make_pipe();
  auto sink = make_progress_sink(ProgressMode::json, p.write_end.get());
  ASSERT_TRUE(sink.ok());
  (*sink)->on_event(event(EventKind::step_started, 1, 0, "[1/1] RUN x"));
  std::string first = drain(p.read_end.get());
  EXPECT_EQ(nlohmann::json::parse(first)["kind"], "step_started");
  (*sink)->on_event(log_event(1, 10, "partial"));
  EXPECT_EQ(nlohmann::json::parse(drain(p.read_end.get()))["data"], "partial");
}

TEST(MakeProgressSink, QuietPrintsNothing) {
  Pipe p = make_pipe();
  auto sink = make_progress_sink(ProgressMode::quiet, p.write_end.get());
  ASSERT_TRUE(sink.ok());
  (*sink)->on_event(event(EventKind::step_started, 1, 0, "[1/1] RUN x"));
  (*sink)->on_event(testing::failed_event(1, 5, "boom"));
  (*sink)->finish();
  p.write_end.reset();
  EXPECT_EQ(drain(p.read_end.get()), "");
}

TEST(StreamDisplay, ConcurrentStepsNeverSplitALine) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  int fd = fileno(file);
  {
    auto sink = make_progress_sink(ProgressMode::plain, fd);
    ASSERT_TRUE(sink.ok());
    std::vector<std::thread> threads;
    for (int step = 1; step <= 4; ++step) {
      threads.emplace_back([&, step] {
        (*sink)->on_event(event(EventKind::step_started, step, 0, "[" + std::to_string(step) + "/4] RUN x"));
        for (int i = 0; i < 200; ++i) (*sink)->on_event(log_event(step, i, "line " + std::to_string(i) + "\n"));
        (*sink)->on_event(event(EventKind::step_finished, step, 300));
      });
    }
    for (auto& t : threads) t.join();
  }  // the destructor finishes
  std::string out;
  lseek(fd, 0, SEEK_SET);
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  std::fclose(file);
  int done = 0;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    ASSERT_NE(end, std::string::npos);
    std::string line = out.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    ASSERT_EQ(line[0], '#') << line;
    if (line.find(" DONE ") != std::string::npos) ++done;
  }
  EXPECT_EQ(done, 4);
}

// A pseudo-terminal: the display draws on the slave side, the test reads the
// master side.
struct Pty {
  base::UniqueFd master;
  base::UniqueFd slave;
};

Pty open_pty(unsigned short cols, unsigned short rows) {
  Pty pty;
  pty.master = base::UniqueFd(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.master.valid() || grantpt(pty.master.get()) != 0 || unlockpt(pty.master.get()) != 0) return pty;
  const char* name = ptsname(pty.master.get());
  if (name == nullptr) return pty;
  pty.slave = base::UniqueFd(open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  struct winsize ws {};
  ws.ws_col = cols;
  ws.ws_row = rows;
  ioctl(pty.slave.get(), TIOCSWINSZ, &ws);
  return pty;
}

TEST(TtyDisplay, DrawsLiveFramesAndAFinalFrameOnATerminal) {
  Pty pty = open_pty(70, 20);
  if (!pty.slave.valid()) GTEST_SKIP() << "no pseudo-terminal available";
  auto sink = make_progress_sink(ProgressMode::tty, pty.slave.get());
  ASSERT_TRUE(sink.ok()) << sink.error().message;
  int64_t t0 = now_ns();
  (*sink)->on_event(event(EventKind::step_cached, 1, 0, "[1/2] FROM alpine"));
  solver::ProgressEvent started = event(EventKind::step_started, 2, 0, "[2/2] RUN make");
  started.time_ns = t0;
  (*sink)->on_event(started);
  solver::ProgressEvent out = log_event(2, 0, "compiling\n");
  out.time_ns = t0;
  (*sink)->on_event(out);

  // A live frame appears within a few frame intervals, without any finish().
  std::string live;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (live.find("compiling") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    live += drain(pty.master.get(), std::chrono::milliseconds(200));
  }
  EXPECT_NE(live.find("[+] Building"), std::string::npos) << live;
  EXPECT_NE(live.find(" => [2/2] RUN make"), std::string::npos) << live;
  EXPECT_NE(live.find(" => => # compiling"), std::string::npos) << live;

  solver::ProgressEvent failed = testing::failed_event(2, 0, "exit code: 2");
  failed.time_ns = now_ns();
  (*sink)->on_event(failed);
  (*sink)->finish();
  std::string rest = drain(pty.master.get());
  EXPECT_NE(rest.find("FINISHED"), std::string::npos) << rest;
  EXPECT_NE(rest.find("ERROR [2/2] RUN make"), std::string::npos) << rest;
  EXPECT_NE(rest.find("------"), std::string::npos) << rest;
  EXPECT_NE(rest.find(" > [2/2] RUN make:"), std::string::npos) << rest;
  EXPECT_NE(rest.find("compiling"), std::string::npos) << rest;
  EXPECT_NE(rest.find("\x1b["), std::string::npos);  // redrawn in place
  (*sink)->on_event(event(EventKind::step_started, 3, 0, "[late] RUN y"));  // ignored
  EXPECT_EQ(drain(pty.master.get()), "");
}

TEST(TtyDisplay, NothingIsDrawnWithoutEvents) {
  Pty pty = open_pty(80, 24);
  if (!pty.slave.valid()) GTEST_SKIP() << "no pseudo-terminal available";
  {
    auto sink = make_progress_sink(ProgressMode::tty, pty.slave.get());
    ASSERT_TRUE(sink.ok());
  }
  EXPECT_EQ(drain(pty.master.get()), "");
}

}  // namespace
}  // namespace cli::progress
