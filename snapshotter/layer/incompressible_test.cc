#include "snapshotter/layer/incompressible.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace snapshotter::layer {
namespace {

std::string random_bytes(size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

TEST(ByteEntropy, MeasuresBitsPerByte) {
  EXPECT_EQ(byte_entropy(""), 0.0);
  EXPECT_EQ(byte_entropy(std::string(1000, 'x')), 0.0);
  EXPECT_DOUBLE_EQ(byte_entropy("abab"), 1.0);
  std::string all;
  for (int i = 0; i < 256 * 16; ++i) all.push_back(static_cast<char>(i % 256));
  EXPECT_DOUBLE_EQ(byte_entropy(all), 8.0);
  EXPECT_GT(byte_entropy(random_bytes(k_entropy_segment_size, 1)), k_incompressible_bits_per_byte);
}

std::string text_bytes(size_t size) {
  std::string text;
  while (text.size() < size) text += "RUN apt-get install -y build-essential\n";
  text.resize(size);
  return text;
}

TEST(EntropyRuns, RandomBlockIsOneIncompressibleRun) {
  auto runs = entropy_runs(random_bytes(size_t{1} << 20, 2));
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].offset, 0u);
  EXPECT_EQ(runs[0].size, size_t{1} << 20);
  EXPECT_TRUE(runs[0].incompressible);
}

TEST(EntropyRuns, TextAndRandomAlternate) {
  const size_t seg = k_entropy_segment_size;
  // 2 segments random, 1 text, 3 random, then a short random tail.
  std::string block = random_bytes(2 * seg, 3) + text_bytes(seg) + random_bytes(3 * seg + 100, 4);
  auto runs = entropy_runs(block);
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_TRUE(runs[0].incompressible);
  EXPECT_EQ(runs[0].size, 2 * seg);
  EXPECT_FALSE(runs[1].incompressible);
  EXPECT_EQ(runs[1].offset, 2 * seg);
  EXPECT_EQ(runs[1].size, seg);
  EXPECT_TRUE(runs[2].incompressible);
  EXPECT_EQ(runs[2].size, 3 * seg);
  // Too short to judge: compressed as usual.
  EXPECT_FALSE(runs[3].incompressible);
  EXPECT_EQ(runs[3].offset + runs[3].size, block.size());
}

TEST(EntropyRuns, TextZerosAndEmptyInput) {
  EXPECT_TRUE(entropy_runs("").empty());
  auto text = entropy_runs(text_bytes(size_t{1} << 20));
  ASSERT_EQ(text.size(), 1u);
  EXPECT_FALSE(text[0].incompressible);
  auto zeros = entropy_runs(std::string(size_t{1} << 20, '\0'));
  ASSERT_EQ(zeros.size(), 1u);
  EXPECT_FALSE(zeros[0].incompressible);
}

}  // namespace
}  // namespace snapshotter::layer
