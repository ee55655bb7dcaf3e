#include "base/digest.h"

#include <openssl/evp.h>

#include <array>
#include <cstring>

namespace base {
namespace {

// The value of a lowercase hex digit, or -1.
int hex_nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool is_lower_hex(std::string_view s) {
  for (char c : s)
    if (hex_nibble(c) < 0) return false;
  return true;
}

std::string to_hex(const unsigned char* data, size_t size) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = k_digits[data[i] >> 4];
    out[2 * i + 1] = k_digits[data[i] & 0xf];
  }
  return out;
}

void write_big_endian(char* out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(value >> (8 * (7 - i)));
}

}  // namespace

Result<Digest> Digest::parse(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos)
    return make_error("invalid digest \"" + std::string(text) + "\": missing algorithm prefix");
  std::string_view algorithm = text.substr(0, colon);
  std::string_view hex = text.substr(colon + 1);
  if (algorithm != "sha256")
    return make_error("invalid digest \"" + std::string(text) + "\": unsupported algorithm \"" +
                      std::string(algorithm) + "\"");
  if (hex.size() != 64 || !is_lower_hex(hex))
    return make_error("invalid digest \"" + std::string(text) +
                      "\": expected 64 lowercase hex characters");
  return Digest::from_hex(std::string(algorithm), std::string(hex));
}

Digest Digest::from_hex(std::string algorithm, std::string hex) {
  Digest d;
  d.m_algorithm = std::move(algorithm);
  d.m_hex = std::move(hex);
  return d;
}

Digest Digest::from_sha256_bytes(const Sha256Bytes& raw) {
  return from_hex("sha256", to_hex(raw.data(), raw.size()));
}

std::optional<Sha256Bytes> Digest::sha256_bytes() const {
  if (m_algorithm != "sha256" || m_hex.size() != 2 * Sha256Bytes{}.size()) return std::nullopt;
  Sha256Bytes raw{};
  for (size_t i = 0; i < raw.size(); ++i) {
    const int hi = hex_nibble(m_hex[2 * i]);
    const int lo = hex_nibble(m_hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    raw[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return raw;
}

struct Sha256::State {
  EVP_MD_CTX* ctx = nullptr;
  ~State() { EVP_MD_CTX_free(ctx); }
};

namespace {
// OpenSSL 3 looks the algorithm up in its provider tables on every
// EVP_DigestInit_ex(EVP_sha256()): a few microseconds, and a cache key is a
// new hash. The fetched algorithm is immutable and thread-safe, so it is
// fetched once per process and never freed.
const EVP_MD* sha256_algorithm() {
  static const EVP_MD* const fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return fetched;
}
}  // namespace

Sha256::Sha256() : m_state(std::make_unique<State>()) {
  m_state->ctx = EVP_MD_CTX_new();
  // Allocation failure of a 200-byte context is not recoverable.
  const EVP_MD* md = sha256_algorithm();
  if (!m_state->ctx || !md || EVP_DigestInit_ex(m_state->ctx, md, nullptr) != 1) std::abort();
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(std::string_view bytes) { update(bytes.data(), bytes.size()); }

void Sha256::update(const void* data, size_t size) {
  if (size == 0) return;
  if (EVP_DigestUpdate(m_state->ctx, data, size) != 1) std::abort();
}

Digest Sha256::finish() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(m_state->ctx, out.data(), &len) != 1) std::abort();
  return Digest::from_hex("sha256", to_hex(out.data(), len));
}

Digest Sha256::of(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.finish();
}

namespace {
// Fields are gathered and handed to SHA-256 in large pieces: a key over
// 20,000 files is 100,000 small fields, and each EVP update has a fixed cost.
constexpr size_t k_hasher_buffer = 64 * 1024;
}  // namespace

Hasher::Hasher(std::string_view schema) { field('S', schema); }

void Hasher::field(char tag, std::string_view payload) {
  // The common case (one part) without the list: the selection of a large
  // context writes over a hundred thousand fields.
  char header[9];
  header[0] = tag;
  write_big_endian(header + 1, payload.size());
  m_buffer.append(header, sizeof header);
  if (payload.size() >= k_hasher_buffer) {
    flush();
    m_sha.update(payload);
  } else {
    m_buffer.append(payload);
  }
  if (m_buffer.size() >= k_hasher_buffer) flush();
}

void Hasher::field(char tag, std::initializer_list<std::string_view> parts) {
  uint64_t size = 0;
  for (std::string_view p : parts) size += p.size();
  char header[9];
  header[0] = tag;
  write_big_endian(header + 1, size);
  m_buffer.append(header, sizeof header);
  for (std::string_view p : parts) {
    if (p.size() >= k_hasher_buffer) {
      flush();
      m_sha.update(p);
    } else {
      m_buffer += p;
    }
  }
  if (m_buffer.size() >= k_hasher_buffer) flush();
}

void Hasher::flush() {
  m_sha.update(m_buffer);
  m_buffer.clear();
}

Hasher& Hasher::str(std::string_view value) { field('s', value); return *this; }
Hasher& Hasher::str(const Digest& value) {
  if (value.empty()) field('s', std::string_view());
  else field('s', {value.algorithm(), ":", value.hex()});
  return *this;
}
Hasher& Hasher::bytes(std::string_view value) { field('b', value); return *this; }
Hasher& Hasher::digest(const Digest& value) { field('d', {value.algorithm(), ":", value.hex()}); return *this; }
Hasher& Hasher::boolean(bool value) { field('t', value ? "1" : "0"); return *this; }

Hasher& Hasher::u64(uint64_t value) { return number('u', value); }
Hasher& Hasher::i64(int64_t value) { return number('i', static_cast<uint64_t>(value)); }
Hasher& Hasher::list(uint64_t count) { return number('l', count); }

Hasher& Hasher::number(char tag, uint64_t value) {
  char bytes[8];
  write_big_endian(bytes, value);
  field(tag, std::string_view(bytes, sizeof bytes));
  return *this;
}

Digest Hasher::finish() {
  flush();
  return m_sha.finish();
}

}  // namespace base
