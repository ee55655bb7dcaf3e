// serialize_selection / parse_selection: the binary form of selection.h.

#include <cstring>

#include "solver/ops/context/selection.h"

namespace solver::ops::context {

namespace {

constexpr std::string_view k_magic = "KSEL";
// 2: the digest is selection_digest's v2 schema (blockwise).
constexpr uint8_t k_version = 2;
constexpr size_t k_sha256_size = 32;

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Appends the 32 raw bytes of a sha256 digest, or zeros for an empty one
// (which the parser's digest check then refuses). A base::Digest passes
// through ContentDigest, empty for anything but a sha256.
void put_digest(std::string& out, const ContentDigest& d) {
  if (d.empty()) {
    out.append(k_sha256_size, '\0');
    return;
  }
  out.append(reinterpret_cast<const char*>(d.bytes().data()), d.bytes().size());
}

class Reader {
 public:
  explicit Reader(std::string_view in) : m_in(in) {}
  bool done() const { return m_pos == m_in.size(); }

  Result<uint64_t> varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (m_pos >= m_in.size()) return truncated();
      const auto byte = static_cast<uint8_t>(m_in[m_pos++]);
      v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    return base::make_error("invalid selection record: varint too long");
  }
  Result<std::string_view> bytes(uint64_t n) {
    if (n > m_in.size() - m_pos) return truncated();
    std::string_view out = m_in.substr(m_pos, static_cast<size_t>(n));
    m_pos += static_cast<size_t>(n);
    return out;
  }
  Result<ContentDigest> content() {
    TRY_ASSIGN(std::string_view raw, bytes(k_sha256_size));
    base::Sha256Bytes sha{};
    std::memcpy(sha.data(), raw.data(), sha.size());
    return ContentDigest(sha);
  }
  Result<base::Digest> digest() {
    TRY_ASSIGN(ContentDigest raw, content());
    return raw.digest();
  }

 private:
  static base::Error truncated() { return base::make_error("invalid selection record: truncated"); }
  std::string_view m_in;
  size_t m_pos = 0;
};

}  // namespace

std::string serialize_selection(const Selection& selection) {
  std::string out(k_magic);
  out.push_back(static_cast<char>(k_version));
  // A selection always carries a sha256 digest made by selection_digest; a
  // default-constructed one is written as zeros and fails the check on parse.
  put_digest(out, selection.digest);
  put_varint(out, selection.entries.size());
  std::string_view previous;
  for (const SelectedEntry& e : selection.entries) {
    size_t shared = 0;
    while (shared < previous.size() && shared < e.path.size() && previous[shared] == e.path[shared]) {
      ++shared;
    }
    put_varint(out, shared);
    put_varint(out, e.path.size() - shared);
    out.append(e.path, shared, std::string::npos);
    out.push_back(static_cast<char>(e.type));
    put_varint(out, e.mode);
    put_varint(out, e.size);
    if (e.type == base::FileType::regular) {
      put_digest(out, e.content);
    }
    if (e.type == base::FileType::symlink) {
      put_varint(out, e.link_target.size());
      out += e.link_target;
    }
    previous = e.path;
  }
  return out;
}

Result<Selection> parse_selection(std::string_view bytes) {
  Reader in(bytes);
  TRY_ASSIGN(std::string_view magic, in.bytes(k_magic.size()));
  if (magic != k_magic) return base::make_error("invalid selection record: bad magic");
  TRY_ASSIGN(std::string_view version, in.bytes(1));
  if (static_cast<uint8_t>(version[0]) != k_version) {
    return base::make_error("unsupported selection record version " +
                            std::to_string(static_cast<uint8_t>(version[0])));
  }
  Selection s;
  TRY_ASSIGN(s.digest, in.digest());
  TRY_ASSIGN(uint64_t count, in.varint());
  if (count > bytes.size()) return base::make_error("invalid selection record: bad entry count");
  s.entries.reserve(static_cast<size_t>(count));
  std::string previous;
  for (uint64_t n = 0; n < count; ++n) {
    SelectedEntry e;
    TRY_ASSIGN(uint64_t shared, in.varint());
    TRY_ASSIGN(uint64_t suffix_len, in.varint());
    if (shared > previous.size()) return base::make_error("invalid selection record: bad path prefix");
    TRY_ASSIGN(std::string_view suffix, in.bytes(suffix_len));
    e.path = previous.substr(0, static_cast<size_t>(shared));
    e.path += suffix;
    TRY_ASSIGN(std::string_view type, in.bytes(1));
    const auto type_value = static_cast<uint8_t>(type[0]);
    if (type_value > static_cast<uint8_t>(base::FileType::other)) {
      return base::make_error("invalid selection record: bad type of \"" + e.path + "\"");
    }
    e.type = static_cast<base::FileType>(type_value);
    TRY_ASSIGN(uint64_t mode, in.varint());
    if (mode > 07777) return base::make_error("invalid selection record: bad mode of \"" + e.path + "\"");
    e.mode = static_cast<uint32_t>(mode);
    TRY_ASSIGN(e.size, in.varint());
    if (e.type == base::FileType::regular) {
      TRY_ASSIGN(e.content, in.content());
    }
    if (e.type == base::FileType::symlink) {
      TRY_ASSIGN(uint64_t len, in.varint());
      TRY_ASSIGN(std::string_view target, in.bytes(len));
      e.link_target = std::string(target);
    }
    if (n > 0 && !path_less(previous, e.path)) {
      return base::make_error("invalid selection record: entries out of order at \"" + e.path + "\"");
    }
    previous = e.path;
    s.entries.push_back(std::move(e));
  }
  if (!in.done()) return base::make_error("invalid selection record: trailing bytes");
  if (selection_digest(s.entries) != s.digest) {
    return base::make_error("invalid selection record: digest does not match its entries");
  }
  return s;
}

}  // namespace solver::ops::context
