#include "cli/progress/build_trace.h"

#include <gtest/gtest.h>

#include "cli/progress/test_events.h"

namespace cli::progress {
namespace {

using solver::EventKind;
using testing::event;
using testing::log_event;

TEST(BuildTrace, KeepsOnlyTheLastLinesOfEachStep) {
  BuildTrace trace;
  trace.apply(event(EventKind::step_started, 1, 0, "[1/1] RUN x"));
  for (int i = 0; i < 50; ++i) trace.apply(log_event(1, i, "line " + std::to_string(i) + "\n"));
  const StepRecord* rec = trace.find(1);
  ASSERT_NE(rec, nullptr);
  ASSERT_EQ(rec->tail.size(), BuildTrace::k_tail_lines);
  EXPECT_EQ(rec->tail.front().text, "line 30");
  EXPECT_EQ(rec->tail.back().text, "line 49");
  EXPECT_EQ(rec->tail.back().offset_ns, 49'000'000);
}

TEST(BuildTrace, AProgressBarRedrawnWithCarriageReturnsStaysSmall) {
  BuildTrace trace;
  trace.apply(event(EventKind::step_started, 1, 0, "[1/1] RUN curl"));
  for (int i = 0; i < 10000; ++i) trace.apply(log_event(1, 1, "progress " + std::to_string(i) + "%\r"));
  EXPECT_LT(trace.find(1)->partial.size(), 64u);
  auto lines = trace.apply(log_event(1, 2, "\n"));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].text, "progress 9999%");
}

TEST(BuildTrace, AnEndlessLineIsCutIntoLinesNotLost) {
  BuildTrace trace;
  trace.apply(event(EventKind::step_started, 1, 0, "[1/1] RUN yes"));
  std::string chunk(64 * 1024, 'y');
  size_t emitted = 0;
  for (int i = 0; i < 20; ++i) {
    for (const LogLine& line : trace.apply(log_event(1, i, chunk))) emitted += line.text.size();
  }
  EXPECT_LE(trace.find(1)->partial.size(), BuildTrace::k_max_partial_bytes);
  EXPECT_EQ(emitted + trace.find(1)->partial.size(), 20 * chunk.size());
  EXPECT_LE(trace.find(1)->tail.back().text.size(), BuildTrace::k_tail_line_bytes);
}

TEST(BuildTrace, CountsStepsAndKeepsTheirOrder) {
  BuildTrace trace;
  trace.apply(event(EventKind::step_started, 5, 10, "[a] RUN a"));
  trace.apply(event(EventKind::step_cached, 2, 20, "[b] FROM b"));
  trace.apply(testing::message_event(30, "exporting"));
  trace.apply(testing::failed_event(5, 40, "boom"));
  trace.apply(event(EventKind::step_finished, 5, 50));  // a second end changes nothing
  EXPECT_EQ(trace.start_ns(), 10'000'000);
  EXPECT_EQ(trace.step_count(), 2);
  EXPECT_EQ(trace.finished_count(), 2);
  ASSERT_EQ(trace.rows().size(), 3u);
  EXPECT_EQ(trace.rows()[0].step, 5);
  EXPECT_EQ(trace.rows()[1].step, 2);
  EXPECT_EQ(trace.rows()[2].message, "exporting");
  EXPECT_EQ(trace.find(5)->state, StepState::failed);
  EXPECT_EQ(trace.find(5)->error, "boom");
  EXPECT_EQ(trace.find(5)->finished_ns, 40'000'000);
}

}  // namespace
}  // namespace cli::progress
