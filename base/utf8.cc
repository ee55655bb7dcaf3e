#include "base/utf8.h"

#include <array>
#include <cstdint>

namespace base {
namespace {

bool is_continuation(uint8_t b) { return (b & 0xC0) == 0x80; }

void append_hex(std::string& out, const char* prefix, uint32_t value, int digits) {
  static constexpr std::array<char, 16> k_hex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                 '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
  out += prefix;
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
    out += k_hex[(value >> static_cast<unsigned>(shift)) & 0xFu];
}

}  // namespace

namespace utf8_detail {

Rune decode_multibyte_rune(std::string_view s, size_t pos) {
  if (pos >= s.size()) return {k_replacement_char, 0};
  const auto b0 = static_cast<uint8_t>(s[pos]);
  if (b0 < 0x80) return {b0, 1};
  size_t len = 0;
  char32_t cp = 0;
  // Second-byte bounds reject overlong forms, surrogates and > U+10FFFF.
  uint8_t lo = 0x80;
  uint8_t hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1Fu;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0Fu;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07u;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return {k_replacement_char, 1};
  }
  if (pos + len > s.size()) return {k_replacement_char, 1};
  for (size_t i = 1; i < len; ++i) {
    const auto b = static_cast<uint8_t>(s[pos + i]);
    const uint8_t min = i == 1 ? lo : 0x80;
    const uint8_t max = i == 1 ? hi : 0xBF;
    if (b < min || b > max) return {k_replacement_char, 1};
    cp = (cp << 6) | (b & 0x3Fu);
  }
  return {cp, len};
}

}  // namespace utf8_detail

Rune decode_last_rune(std::string_view s, size_t end) {
  if (end == 0) return {k_replacement_char, 0};
  // The last sequence starts at most three continuation bytes back.
  size_t start = end - 1;
  const size_t limit = end >= 4 ? end - 4 : 0;
  while (start > limit && is_continuation(static_cast<uint8_t>(s[start]))) --start;
  const Rune r = decode_rune(s.substr(0, end), start);
  if (start + r.width != end) return {k_replacement_char, 1};
  return r;
}

void utf8_detail::append_multibyte_utf8(std::string& out, char32_t cp) {
  if (cp > k_max_rune || (cp >= 0xD800 && cp <= 0xDFFF)) cp = k_replacement_char;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t pos = 0; pos < s.size();) {
    const Rune r = decode_rune(s, pos);
    if (r.value == k_replacement_char && r.width == 1) {
      append_utf8(out, r.value);
    } else {
      out.append(s.substr(pos, r.width));
    }
    pos += r.width;
  }
  return out;
}

bool utf8_detail::is_non_ascii_go_space(char32_t cp) {
  switch (cp) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

std::string_view trim_left_go_space(std::string_view s) {
  size_t begin = 0;
  while (begin < s.size()) {
    const Rune r = decode_rune(s, begin);
    if (!is_go_space(r.value)) break;
    begin += r.width;
  }
  return s.substr(begin);
}

std::string_view trim_right_go_space(std::string_view s) {
  size_t end = s.size();
  while (end > 0) {
    const Rune r = decode_last_rune(s, end);
    if (!is_go_space(r.value)) break;
    end -= r.width;
  }
  return s.substr(0, end);
}

std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (size_t pos = 0; pos < s.size();) {
    const Rune r = decode_rune(s, pos);
    const char32_t cp = r.value;
    if (r.width == 1 && cp == k_replacement_char) {
      append_hex(out, "\\x", static_cast<uint8_t>(s[pos]), 2);
    } else if (cp == '"' || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (is_print(cp)) {
      out.append(s.substr(pos, r.width));
    } else {
      switch (cp) {
        case '\a': out += "\\a"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\v': out += "\\v"; break;
        default:
          if (cp < ' ' || cp == 0x7F) {
            append_hex(out, "\\x", cp, 2);
          } else if (cp < 0x10000) {
            append_hex(out, "\\u", cp, 4);
          } else {
            append_hex(out, "\\U", cp, 8);
          }
      }
    }
    pos += r.width;
  }
  out += '"';
  return out;
}

}  // namespace base
