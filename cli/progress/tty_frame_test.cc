#include "cli/progress/tty_frame.h"

#include <gtest/gtest.h>

#include <vector>

#include "cli/progress/test_events.h"
#include "cli/progress/text_util.h"

namespace cli::progress {
namespace {

using solver::EventKind;
using testing::event;
using testing::failed_event;
using testing::log_event;

constexpr int64_t k_ms = 1'000'000;

BuildTrace trace_of(const std::vector<solver::ProgressEvent>& events) {
  BuildTrace trace;
  for (const auto& e : events) trace.apply(e);
  return trace;
}

std::vector<std::string> lines_of(const Frame& frame) {
  std::vector<std::string> out;
  for (const FrameLine& line : frame.lines) out.push_back(line.text);
  return out;
}

FrameOptions plain_options(int width, int height = 0) {
  FrameOptions options;
  options.width = width;
  options.height = height;
  options.color = false;
  return options;
}

BuildTrace sample_trace() {
  return trace_of({
      event(EventKind::step_started, 1, 0, "[internal] load build definition"),
      event(EventKind::step_finished, 1, 120),
      event(EventKind::step_cached, 2, 200, "[build 1/3] FROM docker.io/library/alpine:3.20"),
      event(EventKind::step_started, 3, 300, "[build 2/3] RUN make"),
      log_event(3, 400, "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\n"),
      log_event(3, 500, "building 42%"),
  });
}

TEST(TtyFrame, LiveFrameForAFixedWidthAndTime) {
  Frame frame = render_frame(sample_trace(), 2'680 * k_ms, plain_options(60));
  std::vector<std::string> expected = {
      "[+] Building 2.7s (2/3)",
      " => [internal] load build definition                   0.1s",
      " => CACHED [build 1/3] FROM docker.io/library/alpine:3 0.0s",
      " => [build 2/3] RUN make                               2.4s",
      " => => # line 3",
      " => => # line 4",
      " => => # line 5",
      " => => # line 6",
      " => => # line 7",
      " => => # building 42%",
  };
  EXPECT_EQ(lines_of(frame), expected);
  for (size_t i = 1; i < 4; ++i) EXPECT_EQ(frame.lines[i].columns, 59) << frame.lines[i].text;
}

TEST(TtyFrame, RunningTimersTick) {
  BuildTrace trace = sample_trace();
  Frame early = render_frame(trace, 1'000 * k_ms, plain_options(60));
  Frame later = render_frame(trace, 61'300 * k_ms, plain_options(60));
  EXPECT_NE(early.lines[3].text.find(" 0.7s"), std::string::npos) << early.lines[3].text;
  EXPECT_NE(later.lines[3].text.find(" 61.0s"), std::string::npos) << later.lines[3].text;
  EXPECT_EQ(later.lines[0].text, "[+] Building 61.3s (2/3)");
  // finished steps keep their own duration
  EXPECT_EQ(early.lines[1].text, later.lines[1].text);
}

TEST(TtyFrame, FollowsTheWidth) {
  BuildTrace trace = sample_trace();
  for (int width : {40, 80, 132}) {
    Frame frame = render_frame(trace, 2'680 * k_ms, plain_options(width));
    for (const FrameLine& line : frame.lines) {
      EXPECT_LE(line.columns, width - 1) << line.text;
      EXPECT_EQ(line.columns, display_columns(line.text));
    }
    EXPECT_EQ(frame.lines[1].columns, width - 1);
    EXPECT_EQ(frame.lines[1].text.substr(frame.lines[1].text.size() - 5), " 0.1s");
  }
}

TEST(TtyFrame, ColoursMarkStatesAndDimOutput) {
  BuildTrace trace = trace_of({
      event(EventKind::step_cached, 1, 0, "[1/4] FROM a"),
      event(EventKind::step_started, 2, 0, "[2/4] RUN b"),
      log_event(2, 5, "out\n"),
      failed_event(2, 10, "exit code: 1"),
      event(EventKind::step_canceled, 3, 20, "[3/4] RUN c"),
      event(EventKind::step_started, 4, 20, "[4/4] RUN d"),
  });
  FrameOptions options;
  options.width = 50;
  Frame frame = render_frame(trace, 100 * k_ms, options);
  ASSERT_EQ(frame.lines.size(), 6u);
  EXPECT_EQ(frame.lines[1].text.rfind("\x1b[34m => CACHED [1/4] FROM a", 0), 0u) << frame.lines[1].text;
  EXPECT_EQ(frame.lines[2].text.rfind("\x1b[31m => ERROR [2/4] RUN b", 0), 0u) << frame.lines[2].text;
  EXPECT_EQ(frame.lines[3].text, "\x1b[2m => => # out\x1b[0m");  // the failed step's tail stays
  EXPECT_EQ(frame.lines[4].text.rfind("\x1b[33m => CANCELED [3/4] RUN c", 0), 0u) << frame.lines[4].text;
  EXPECT_EQ(frame.lines[5].text.find('\x1b'), std::string::npos);  // running: no colour
  EXPECT_EQ(frame.lines[1].columns, 49);
}

TEST(TtyFrame, LongNamesAndOutputAreCutToTheWidth) {
  BuildTrace trace = trace_of({
      event(EventKind::step_started, 1, 0, "[1/1] RUN " + std::string(200, 'a')),
      log_event(1, 0, std::string(300, 'b') + "\n"),
  });
  Frame frame = render_frame(trace, 0, plain_options(40));
  ASSERT_EQ(frame.lines.size(), 3u);
  EXPECT_EQ(frame.lines[1].text, " => [1/1] RUN " + std::string(20, 'a') + " 0.0s");
  EXPECT_EQ(frame.lines[2].text, " => => # " + std::string(30, 'b'));
}

TEST(TtyFrame, LiveFrameFitsTheHeightAndKeepsRunningSteps) {
  std::vector<solver::ProgressEvent> events;
  events.push_back(event(EventKind::step_started, 1, 0, "[1/12] RUN slow"));
  events.push_back(log_event(1, 1, "a\nb\nc\n"));
  for (int i = 2; i <= 12; ++i) {
    events.push_back(event(EventKind::step_cached, i, i, "[" + std::to_string(i) + "/12] COPY x"));
  }
  BuildTrace trace = trace_of(events);
  Frame frame = render_frame(trace, 5'000 * k_ms, plain_options(60, 8));
  ASSERT_EQ(frame.lines.size(), 7u);  // height - 1
  EXPECT_EQ(frame.lines[1].text.rfind(" => [1/12] RUN slow", 0), 0u);
  EXPECT_EQ(frame.lines[6].text.rfind(" => CACHED [12/12] COPY x", 0), 0u);
  // No room for output lines here; a roomier terminal shows them.
  Frame tall = render_frame(trace, 5'000 * k_ms, plain_options(60, 40));
  EXPECT_EQ(tall.lines.size(), 1u + 12u + 3u);
}

TEST(TtyFrame, FinalFrameShowsEveryRowAndNoOutput) {
  BuildTrace trace = sample_trace();
  trace.apply(event(EventKind::step_finished, 3, 3'000));
  FrameOptions options = plain_options(60, 3);
  options.final = true;
  Frame frame = render_frame(trace, 3'100 * k_ms, options);
  std::vector<std::string> expected = {
      "[+] Building 3.1s (3/3) FINISHED",
      " => [internal] load build definition                   0.1s",
      " => CACHED [build 1/3] FROM docker.io/library/alpine:3 0.0s",
      " => [build 2/3] RUN make                               2.7s",
  };
  EXPECT_EQ(lines_of(frame), expected);
}

TEST(TtyFrame, TotalStepsFromTheCaller) {
  FrameOptions options = plain_options(60);
  options.total_steps = 9;
  Frame frame = render_frame(sample_trace(), 2'680 * k_ms, options);
  EXPECT_EQ(frame.lines[0].text, "[+] Building 2.7s (2/9)");
}

TEST(TtyFrame, WideCharactersAreMeasuredInColumns) {
  BuildTrace trace = trace_of({event(EventKind::step_started, 1, 0, "RUN echo \xe6\x97\xa5\xe6\x9c\xac")});
  Frame frame = render_frame(trace, 0, plain_options(30));
  EXPECT_EQ(frame.lines[1].columns, 29);
  EXPECT_EQ(display_columns(frame.lines[1].text), 29);
}

TEST(TtyRedraw, FirstFrameIsDrawnWhereTheCursorIs) {
  Frame next{{{"[+] Building 0.0s (0/1)", 23}, {" => x", 5}}};
  EXPECT_EQ(redraw(Frame{}, next, 80),
            "\x1b[?25l\r[+] Building 0.0s (0/1)\x1b[K\n => x\x1b[K\n\x1b[J\x1b[?25h");
}

TEST(TtyRedraw, LaterFramesMoveUpOverThePreviousOne) {
  Frame previous{{{"a", 1}, {"b", 1}, {"c", 1}}};
  Frame next{{{"d", 1}}};
  EXPECT_EQ(redraw(previous, next, 80), "\x1b[?25l\x1b[3A\rd\x1b[K\n\x1b[J\x1b[?25h");
}

TEST(TtyRedraw, ANarrowerTerminalCountsWrappedRows) {
  // Drawn at width 80 (79 columns), now 40 wide: 2 rows each, plus a short one.
  Frame previous{{{std::string(79, 'x'), 79}, {std::string(79, 'y'), 79}, {"z", 1}}};
  Frame next{{{"n", 1}}};
  std::string bytes = redraw(previous, next, 40);
  EXPECT_EQ(bytes.substr(0, 11), "\x1b[?25l\x1b[5A\r");
}

}  // namespace
}  // namespace cli::progress
