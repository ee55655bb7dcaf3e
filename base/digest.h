#pragma once
// Content digests ("sha256:<64 hex>") and the hashers that make them.
// Sha256 is a plain streaming hash for content; Hasher is the typed hasher every
// cache key goes through, so that two different field sequences can never
// produce the same byte stream.

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace base {

// The 32 raw bytes of a sha256, for binary records that keep many digests.
using Sha256Bytes = std::array<uint8_t, 32>;

class Digest {
 public:
  Digest() = default;
  // Parses "sha256:<64 lowercase hex>"; anything else is an error naming the text.
  static Result<Digest> parse(std::string_view text);
  static Digest from_hex(std::string algorithm, std::string hex);
  static Digest from_sha256_bytes(const Sha256Bytes& raw);

  // The raw bytes of a sha256 digest; nullopt for any other algorithm or for
  // text that is not 64 lowercase hex characters.
  std::optional<Sha256Bytes> sha256_bytes() const;

  const std::string& algorithm() const { return m_algorithm; }
  const std::string& hex() const { return m_hex; }
  std::string str() const { return m_algorithm + ":" + m_hex; }
  bool empty() const { return m_hex.empty(); }

  friend bool operator==(const Digest&, const Digest&) = default;
  friend auto operator<=>(const Digest&, const Digest&) = default;

 private:
  std::string m_algorithm;
  std::string m_hex;
};

// Streaming SHA-256 (OpenSSL EVP). Not thread-safe; one per stream.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view bytes);
  void update(const void* data, size_t size);
  Digest finish();  // the hasher cannot be updated afterwards

  static Digest of(std::string_view bytes);

 private:
  struct State;
  std::unique_ptr<State> m_state;
};

// Typed hasher: every field is written as (type tag, length, bytes), and every
// key starts with a schema string, so keys change when the schema version is
// bumped and never collide across field layouts.
class Hasher {
 public:
  explicit Hasher(std::string_view schema);

  Hasher& str(std::string_view value);
  // The same field as str(value.str()) ("" for an empty digest), without
  // building the string.
  Hasher& str(const Digest& value);
  Hasher& u64(uint64_t value);
  Hasher& i64(int64_t value);
  Hasher& boolean(bool value);
  Hasher& digest(const Digest& value);
  Hasher& bytes(std::string_view value);
  // Marks the start of a list of `count` elements, so that ["ab"] and ["a","b"]
  // hash differently even when their elements are written with str().
  Hasher& list(uint64_t count);

  Digest finish();

 private:
  Hasher& number(char tag, uint64_t value);
  void field(char tag, std::string_view payload);
  void field(char tag, std::initializer_list<std::string_view> parts);
  void flush();
  Sha256 m_sha;
  std::string m_buffer;
};

}  // namespace base
