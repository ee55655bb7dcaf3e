#include "cli/progress/plain_printer.h"

#include <gtest/gtest.h>

#include <vector>

#include "cli/progress/test_events.h"

namespace cli::progress {
namespace {

using solver::EventKind;
using testing::event;
using testing::failed_event;
using testing::log_event;
using testing::message_event;

std::string print_all(const std::vector<solver::ProgressEvent>& events, bool finish = true) {
  PlainPrinter printer;
  std::string out;
  for (const auto& e : events) out += printer.on_event(e);
  if (finish) out += printer.finish();
  return out;
}

TEST(PlainPrinter, StepsCachedLogsAndDone) {
  std::string out = print_all({
      event(EventKind::step_started, 1, 0, "[internal] load build definition from Dockerfile"),
      event(EventKind::step_finished, 1, 100),
      event(EventKind::step_cached, 2, 120, "[build 1/3] FROM docker.io/library/alpine:3.20"),
      event(EventKind::step_started, 3, 200, "[build 2/3] RUN echo hello && echo world"),
      log_event(3, 732, "hello\nwor"),
      log_event(3, 900, "ld\n"),
      log_event(3, 1000, "tail without newline"),
      event(EventKind::step_finished, 3, 1450),
  });
  EXPECT_EQ(out,
            "#1 [internal] load build definition from Dockerfile\n"
            "#1 DONE 0.1s\n"
            "\n"
            "#2 [build 1/3] FROM docker.io/library/alpine:3.20\n"
            "#2 CACHED\n"
            "\n"
            "#3 [build 2/3] RUN echo hello && echo world\n"
            "#3 0.532 hello\n"
            "#3 0.532 world\n"
            "#3 0.800 tail without newline\n"
            "#3 DONE 1.2s\n");
}

TEST(PlainPrinter, InterleavedStepsFailureAndCancel) {
  std::string out = print_all({
      event(EventKind::step_started, 4, 0, "[a 2/2] RUN sleep 1"),
      event(EventKind::step_started, 5, 10, "[b 2/2] RUN false"),
      log_event(5, 60, "oops\n", 2),
      failed_event(5, 110, "process \"/bin/sh -c false\" did not complete successfully: exit code: 1"),
      event(EventKind::step_canceled, 4, 120),
  });
  EXPECT_EQ(out,
            "#4 [a 2/2] RUN sleep 1\n"
            "#4 ...\n"
            "\n"
            "#5 [b 2/2] RUN false\n"
            "#5 0.050 oops\n"
            "#5 ERROR: process \"/bin/sh -c false\" did not complete successfully: exit code: 1\n"
            "\n"
            "#4 [a 2/2] RUN sleep 1\n"
            "#4 CANCELED\n"
            "------\n"
            " > [b 2/2] RUN false:\n"
            "0.050 oops\n"
            "------\n");
}

TEST(PlainPrinter, ResumedStepRepeatsItsHeader) {
  std::string out = print_all({
      event(EventKind::step_started, 1, 0, "[a 1/1] RUN one"),
      log_event(1, 100, "a1\n"),
      event(EventKind::step_started, 2, 150, "[b 1/1] RUN two"),
      log_event(2, 200, "b1\n"),
      log_event(1, 1500, "a2\n"),
      event(EventKind::step_finished, 1, 2000),
      event(EventKind::step_finished, 2, 2250),
  });
  EXPECT_EQ(out,
            "#1 [a 1/1] RUN one\n"
            "#1 0.100 a1\n"
            "#1 ...\n"
            "\n"
            "#2 [b 1/1] RUN two\n"
            "#2 0.050 b1\n"
            "#2 ...\n"
            "\n"
            "#1 [a 1/1] RUN one\n"
            "#1 1.500 a2\n"
            "#1 DONE 2.0s\n"
            "\n"
            "#2 [b 1/1] RUN two\n"
            "#2 DONE 2.1s\n");
}

TEST(PlainPrinter, PartialLinesWaitForTheirNewline) {
  PlainPrinter printer;
  printer.on_event(event(EventKind::step_started, 1, 0, "[1/1] RUN x"));
  EXPECT_EQ(printer.on_event(log_event(1, 10, "no newline yet")), "");
  EXPECT_EQ(printer.on_event(log_event(1, 20, " still")), "");
  EXPECT_EQ(printer.on_event(log_event(1, 30, " done\nnext")), "#1 0.010 no newline yet still done\n");
  EXPECT_EQ(printer.on_event(event(EventKind::step_finished, 1, 40)), "#1 0.030 next\n#1 DONE 0.0s\n");
}

TEST(PlainPrinter, LongLinesAreNotShortened) {
  std::string long_line(5000, 'x');
  std::string out = print_all({
      event(EventKind::step_started, 1, 0, "[1/1] RUN " + std::string(300, 'n')),
      log_event(1, 5, long_line + "\n"),
      event(EventKind::step_finished, 1, 10),
  });
  EXPECT_NE(out.find("#1 [1/1] RUN " + std::string(300, 'n') + "\n"), std::string::npos);
  EXPECT_NE(out.find("#1 0.005 " + long_line + "\n"), std::string::npos);
}

TEST(PlainPrinter, NeverWritesAnEscapeByte) {
  std::string out = print_all({
      event(EventKind::step_started, 1, 0, "[1/2] RUN \x1b[31mcolour\x1b[0m"),
      log_event(1, 5, "\x1b[1;32mgreen\x1b[0m text\n"),
      log_event(1, 6, "10%\r\x1b[2K50%\r100%\r\n"),
      log_event(1, 7, "\x1b]0;title\x07" "after osc\n"),
      failed_event(1, 8, "exit \x1b[31mcode\x1b[0m 1"),
      event(EventKind::step_canceled, 2, 9, "[2/2] RUN y"),
  });
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_NE(out.find("#1 0.005 green text\n"), std::string::npos) << out;
  EXPECT_NE(out.find("#1 0.006 100%\n"), std::string::npos) << out;
  EXPECT_NE(out.find("#1 0.007 after osc\n"), std::string::npos) << out;
  EXPECT_NE(out.find("#1 ERROR: exit code 1\n"), std::string::npos) << out;
}

TEST(PlainPrinter, BuildMessagesFormTheirOwnBlock) {
  std::string out = print_all({
      event(EventKind::step_cached, 1, 0, "[1/1] FROM alpine"),
      message_event(10, "exporting to image"),
      message_event(20, "writing image sha256:abc"),
  });
  EXPECT_EQ(out,
            "#1 [1/1] FROM alpine\n"
            "#1 CACHED\n"
            "\n"
            "exporting to image\n"
            "writing image sha256:abc\n");
}

TEST(PlainPrinter, FinishPrintsUnfinishedLinesOfInterruptedSteps) {
  std::string out = print_all({
      event(EventKind::step_started, 7, 0, "[1/1] RUN long"),
      log_event(7, 250, "half a line"),
  });
  EXPECT_EQ(out, "#7 [1/1] RUN long\n#7 0.250 half a line\n");
}

TEST(PlainPrinter, LogsWithoutStartCountFromTheirFirstEvent) {
  std::string out = print_all({
      log_event(3, 1000, "early\n"),
      event(EventKind::step_finished, 3, 1500),
  });
  EXPECT_EQ(out, "#3\n#3 0.000 early\n#3 DONE 0.5s\n");
}

}  // namespace
}  // namespace cli::progress
