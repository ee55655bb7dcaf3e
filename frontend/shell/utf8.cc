#include "frontend/shell/utf8.h"

#include <array>
#include <cstdint>

namespace frontend::shell {

Decoded decode_at(std::string_view s, size_t pos) {
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

void append_utf8(std::string& out, char32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = k_replacement_char;
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
    const Decoded d = decode_at(s, pos);
    if (d.cp == k_replacement_char && d.width == 1) {
      append_utf8(out, d.cp);
    } else {
      out.append(s.substr(pos, d.width));
    }
    pos += d.width;
  }
  return out;
}

bool is_space(char32_t cp) {
  switch (cp) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

namespace {

void append_hex(std::string& out, const char* prefix, uint32_t value, int digits) {
  static constexpr std::array<char, 16> k_hex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                 '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
  out += prefix;
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
    out += k_hex[(value >> static_cast<unsigned>(shift)) & 0xFu];
}

}  // namespace

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (size_t pos = 0; pos < s.size();) {
    const Decoded d = decode_at(s, pos);
    const char32_t cp = d.cp;
    if (d.width == 1 && cp == k_replacement_char) {
      append_hex(out, "\\x", static_cast<uint8_t>(s[pos]), 2);
    } else if (cp == '"' || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (is_print(cp)) {
      out.append(s.substr(pos, d.width));
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
    pos += d.width;
  }
  out += '"';
  return out;
}

}  // namespace frontend::shell
