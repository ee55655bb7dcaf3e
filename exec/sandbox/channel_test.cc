#include "exec/sandbox/channel.h"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace exec::sandbox {
namespace {

TEST(Channel, RecordsSurviveAPipeAndByteWiseFeeding) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  write_record(fds[1], RecordType::pid, "42");
  write_record(fds[1], RecordType::error, std::string("mounts\0cannot mount /proc", 25));
  write_record(fds[1], RecordType::created, "");
  ::close(fds[1]);
  std::string bytes;
  char buf[256];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) bytes.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);

  RecordReader reader;
  for (char c : bytes) reader.feed(std::string_view(&c, 1));
  auto records = reader.take();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].type, RecordType::pid);
  EXPECT_EQ(records[0].payload, "42");
  EXPECT_EQ(records[1].type, RecordType::error);
  EXPECT_EQ(records[1].payload, std::string("mounts\0cannot mount /proc", 25));
  EXPECT_EQ(records[2].type, RecordType::created);
  EXPECT_EQ(records[2].payload, "");
  EXPECT_TRUE(reader.take().empty());
}

TEST(Channel, LongPayloadsAreCutToOneAtomicWrite) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  write_record(fds[1], RecordType::error, std::string(10000, 'x'));
  ::close(fds[1]);
  char buf[PIPE_BUF * 2];
  ssize_t n = ::read(fds[0], buf, sizeof buf);
  ::close(fds[0]);
  ASSERT_EQ(n, PIPE_BUF);
  RecordReader reader;
  reader.feed(std::string_view(buf, static_cast<size_t>(n)));
  auto records = reader.take();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].payload.size(), static_cast<size_t>(PIPE_BUF - 3));
}

}  // namespace
}  // namespace exec::sandbox
