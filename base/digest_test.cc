#include "base/digest.h"

#include <gtest/gtest.h>

namespace base {
namespace {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(Sha256::of("").str(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Sha256 h;
  h.update("ab");
  h.update("c");
  EXPECT_EQ(h.finish().hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Digest, ParseValidatesAlgorithmAndHex) {
  auto ok = Digest::parse("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->algorithm(), "sha256");
  EXPECT_FALSE(Digest::parse("md5:abcd").ok());
  EXPECT_FALSE(Digest::parse("sha256:ABCD").ok());
  EXPECT_FALSE(Digest::parse("e3b0c442").ok());
}

TEST(Hasher, FieldBoundariesAndTypesChangeTheKey) {
  auto key = [](auto fill) {
    Hasher h("kiln.test.v1");
    fill(h);
    return h.finish();
  };
  EXPECT_NE(key([](Hasher& h) { h.str("ab").str("c"); }), key([](Hasher& h) { h.str("a").str("bc"); }));
  EXPECT_NE(key([](Hasher& h) { h.str("1"); }), key([](Hasher& h) { h.bytes("1"); }));
  EXPECT_NE(key([](Hasher& h) { h.list(1).str("ab"); }), key([](Hasher& h) { h.list(2).str("ab"); }));
  EXPECT_EQ(key([](Hasher& h) { h.u64(7).boolean(true); }), key([](Hasher& h) { h.u64(7).boolean(true); }));
  Hasher other_schema("kiln.test.v2");
  EXPECT_NE(other_schema.finish(), key([](Hasher&) {}));
}

}  // namespace
}  // namespace base
