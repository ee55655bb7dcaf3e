// WriteBehind: the bytes arrive in order, a failing write is reported, and
// giving up with writes queued neither hangs nor writes after the end.

#include "content/write_behind.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "content/test_support.h"

namespace content {
namespace {

using testing::TempDir;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(WriteBehind, WritesEveryByteInOrder) {
  TempDir dir;
  const std::string path = dir.path() + "/out";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  std::string expected;
  {
    WriteBehind writer(fd, path, int64_t{1} << 20);
    for (int i = 0; i < 2000; ++i) {
      std::string piece(static_cast<size_t>(i % 7 == 0 ? 100'003 : i % 13), static_cast<char>('a' + i % 26));
      expected += piece;
      ASSERT_TRUE(writer.write(piece).ok());
    }
    ASSERT_TRUE(writer.finish().ok());
  }
  ::close(fd);
  EXPECT_GT(expected.size(), k_write_behind_limit);  // the queue filled up and drained
  EXPECT_TRUE(slurp(path) == expected);
}

// One write larger than the queue: the writer drains it while it arrives.
TEST(WriteBehind, OneWriteLargerThanTheQueue) {
  TempDir dir;
  const std::string path = dir.path() + "/out";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  std::string big(k_write_behind_limit * 2 + 12345, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31 + i / 4096);
  {
    WriteBehind writer(fd, path, int64_t{1} << 20);
    ASSERT_TRUE(writer.write(big).ok());
    ASSERT_TRUE(writer.finish().ok());
  }
  ::close(fd);
  EXPECT_TRUE(slurp(path) == big);
}

TEST(WriteBehind, AFailedWriteIsReportedAndStopsTheRest) {
  TempDir dir;
  const std::string path = dir.path() + "/read-only";
  { std::ofstream(path) << "x"; }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);  // write() fails with EBADF
  ASSERT_GE(fd, 0);
  WriteBehind writer(fd, path, int64_t{1} << 20);
  const std::string chunk(1 << 20, 'z');
  bool failed = false;
  for (int i = 0; i < 64 && !failed; ++i) failed = !writer.write(chunk).ok();
  auto finished = writer.finish();
  ASSERT_FALSE(finished.ok());
  EXPECT_NE(finished.error().message.find(path), std::string::npos) << finished.error().message;
  EXPECT_FALSE(writer.write("more").ok());
  ::close(fd);
}

TEST(WriteBehind, GivingUpWithWritesQueuedReturnsAtOnce) {
  TempDir dir;
  const std::string path = dir.path() + "/out";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  {
    WriteBehind writer(fd, path, int64_t{1} << 20);
    const std::string chunk(4 << 20, 'q');
    for (int i = 0; i < 8; ++i) ASSERT_TRUE(writer.write(chunk).ok());
  }  // destroyed without finish()
  ::close(fd);
  EXPECT_LE(slurp(path).size(), size_t{32} << 20);
}

}  // namespace
}  // namespace content
