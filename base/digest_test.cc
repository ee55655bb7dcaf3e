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

// Cache keys must not change when the hasher's internals do: the digest is
// SHA-256 of the fields' bytes (tag, 8-byte big-endian length, payload),
// however they are buffered.
TEST(Hasher, DigestIsShaOfTheFieldStream) {
  auto be = [](uint64_t v) {
    std::string out(8, '\0');
    for (int i = 7; i >= 0; --i, v >>= 8) out[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
    return out;
  };
  auto field = [&](char tag, std::string_view payload) { return std::string(1, tag) + be(payload.size()) + std::string(payload); };
  const Digest d = Sha256::of("x");
  const std::string big(200 * 1024, 'b');  // larger than the hasher's buffer
  Hasher h("kiln.test.v1");
  std::string stream = field('S', "kiln.test.v1");
  for (int i = 0; i < 10'000; ++i) {  // many small fields, across buffer flushes
    h.str("path/" + std::to_string(i)).u64(static_cast<uint64_t>(i)).str(d).str(Digest());
    stream += field('s', "path/" + std::to_string(i)) + field('u', be(static_cast<uint64_t>(i))) +
              field('s', d.str()) + field('s', "");
  }
  h.bytes(big).digest(d).list(3).boolean(true).i64(-1);
  stream += field('b', big) + field('d', d.str()) + field('l', be(3)) + field('t', "1") +
            field('i', be(~uint64_t{0}));
  EXPECT_EQ(h.finish(), Sha256::of(stream));
}

TEST(Digest, Sha256BytesRoundTrip) {
  const Digest d = Sha256::of("kiln");
  const auto raw = d.sha256_bytes();
  ASSERT_TRUE(raw.has_value());
  EXPECT_EQ(Digest::from_sha256_bytes(*raw), d);
  EXPECT_EQ((*raw)[0], static_cast<uint8_t>(std::stoi(d.hex().substr(0, 2), nullptr, 16)));
}

TEST(Digest, Sha256BytesRefusesOtherDigests) {
  EXPECT_FALSE(Digest().sha256_bytes().has_value());
  EXPECT_FALSE(Digest::from_hex("sha512", std::string(64, 'a')).sha256_bytes().has_value());
  EXPECT_FALSE(Digest::from_hex("sha256", std::string(63, 'a')).sha256_bytes().has_value());
  EXPECT_FALSE(Digest::from_hex("sha256", std::string(63, 'a') + "G").sha256_bytes().has_value());
}

}  // namespace
}  // namespace base
