#include "base/base64.h"

#include <gtest/gtest.h>

namespace base {
namespace {

TEST(Base64, RoundTripsEveryLengthAndByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t len = 0; len <= all.size(); len += 7) {
    std::string bytes = all.substr(0, len);
    auto decoded = base64_decode(base64_encode(bytes));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, bytes);
  }
  EXPECT_EQ(base64_encode("hi"), "aGk=");
}

TEST(Base64, RejectsMalformedText) {
  EXPECT_FALSE(base64_decode("abc").ok());
  EXPECT_FALSE(base64_decode("a*c=").ok());
}

}  // namespace
}  // namespace base
