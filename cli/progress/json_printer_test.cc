#include "cli/progress/json_printer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "cli/progress/test_events.h"

namespace cli::progress {
namespace {

using solver::EventKind;
using testing::event;
using testing::failed_event;
using testing::log_event;
using testing::message_event;

std::vector<nlohmann::json> print_and_parse(const std::vector<solver::ProgressEvent>& events) {
  JsonPrinter printer;
  std::string out;
  for (const auto& e : events) out += printer.on_event(e);
  out += printer.finish();
  std::vector<nlohmann::json> parsed;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) parsed.push_back(nlohmann::json::parse(line));
  return parsed;
}

TEST(JsonPrinter, OneObjectPerEventWithAllFields) {
  auto objs = print_and_parse({
      event(EventKind::step_started, 2, 1000, "[build 2/4] RUN make"),
      log_event(2, 1532, "cc -c main.c\npartial", 2),
      failed_event(2, 3000, "exit code: 2"),
      event(EventKind::step_canceled, 3, 3100, "[build 3/4] RUN test"),
      event(EventKind::step_cached, 1, 3200, "[build 1/4] FROM alpine"),
      event(EventKind::step_finished, 4, 3300, "[build 4/4] COPY a b"),
      message_event(4000, "exporting to image"),
  });
  ASSERT_EQ(objs.size(), 7u);
  for (const auto& o : objs) {
    for (const char* field : {"kind", "step", "name", "time", "stream", "data", "message"}) {
      EXPECT_TRUE(o.contains(field)) << field << " missing in " << o.dump();
    }
  }
  EXPECT_EQ(objs[0]["kind"], "step_started");
  EXPECT_EQ(objs[0]["step"], 2);
  EXPECT_EQ(objs[0]["name"], "[build 2/4] RUN make");
  EXPECT_DOUBLE_EQ(objs[0]["time"].get<double>(), 0.0);
  EXPECT_EQ(objs[1]["kind"], "step_log");
  EXPECT_EQ(objs[1]["name"], "[build 2/4] RUN make");  // filled in from step_started
  EXPECT_EQ(objs[1]["stream"], 2);
  EXPECT_EQ(objs[1]["data"], "cc -c main.c\npartial");  // raw, unbuffered
  EXPECT_DOUBLE_EQ(objs[1]["time"].get<double>(), 0.532);
  EXPECT_EQ(objs[2]["kind"], "step_failed");
  EXPECT_EQ(objs[2]["message"], "exit code: 2");
  EXPECT_EQ(objs[3]["kind"], "step_canceled");
  EXPECT_EQ(objs[4]["kind"], "step_cached");
  EXPECT_EQ(objs[5]["kind"], "step_finished");
  EXPECT_EQ(objs[6]["kind"], "build_message");
  EXPECT_EQ(objs[6]["step"], -1);
  EXPECT_EQ(objs[6]["message"], "exporting to image");
  EXPECT_DOUBLE_EQ(objs[6]["time"].get<double>(), 3.0);
}

TEST(JsonPrinter, InvalidUtf8AndControlBytesStayValidJson) {
  auto objs = print_and_parse({
      event(EventKind::step_started, 1, 0, "[1/1] RUN x"),
      log_event(1, 1, std::string("bad \xff byte \x1b[31m red\n")),
  });
  ASSERT_EQ(objs.size(), 2u);
  EXPECT_EQ(objs[1]["data"], "bad \xef\xbf\xbd byte \x1b[31m red\n");
}

TEST(JsonPrinter, EachObjectIsOneLine) {
  JsonPrinter printer;
  std::string out = printer.on_event(log_event(1, 0, "a\nb\nc\n"));
  EXPECT_EQ(out.find('\n'), out.size() - 1);
}

}  // namespace
}  // namespace cli::progress
