#include "snapshotter/layer/background_hash.h"

#include <gtest/gtest.h>

#include <string>

namespace snapshotter::layer {
namespace {

// Bytes that differ from chunk to chunk, so a chunk hashed twice, skipped
// or out of order changes the digest.
std::string sample(size_t size) {
  std::string out(size, '\0');
  uint32_t state = 2463534242u;
  for (char& c : out) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    c = static_cast<char>(state);
  }
  return out;
}

// Writes `data` in pieces of `piece` bytes and checks what came out.
void check(const std::string& data, size_t piece) {
  StringSink downstream;
  BackgroundHashingSink sink(downstream);
  for (size_t at = 0; at < data.size(); at += piece) {
    ASSERT_TRUE(sink.write(std::string_view(data).substr(at, piece)).ok());
  }
  ASSERT_TRUE(sink.flush().ok());
  EXPECT_EQ(sink.size(), data.size());
  EXPECT_EQ(sink.finish(), base::Sha256::of(data));
  EXPECT_TRUE(downstream.data() == data) << "downstream differs for " << data.size() << " bytes";
}

TEST(BackgroundHashingSink, HashesAndForwardsEveryByteInOrder) {
  check(sample(3 * (size_t{1} << 20) + 12345), 10240);  // several chunks, in tar-block pieces
  check(sample(2 * (size_t{1} << 20)), size_t{1} << 20);  // whole chunks exactly
  check(sample(5 * (size_t{1} << 20) + 1), 3 * (size_t{1} << 20));  // pieces larger than a chunk
}

TEST(BackgroundHashingSink, ShortAndEmptyStreams) {
  check(sample(1000), 7);
  check(std::string(), 1);
}

TEST(BackgroundHashingSink, AbandonedMidStreamStopsItsThread) {
  StringSink downstream;
  {
    BackgroundHashingSink sink(downstream);
    ASSERT_TRUE(sink.write(sample(3 * (size_t{1} << 20))).ok());
  }  // destroyed without flush or finish: must not hang or crash
  EXPECT_EQ(downstream.data().size(), 3 * (size_t{1} << 20));
}

}  // namespace
}  // namespace snapshotter::layer
