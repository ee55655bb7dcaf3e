#include "frontend/parser/go_text.h"

namespace frontend::parser {

namespace {

unsigned char byte_at(std::string_view text, size_t pos) { return static_cast<unsigned char>(text[pos]); }

bool is_continuation(std::string_view text, size_t pos) {
  return pos < text.size() && (byte_at(text, pos) & 0xC0) == 0x80;
}

}  // namespace

Rune decode_rune(std::string_view text, size_t pos) {
  unsigned char b0 = byte_at(text, pos);
  if (b0 < 0x80) return {b0, 1};
  const Rune bad{k_replacement_char, 1};
  if (b0 < 0xC2) return bad;  // continuation byte or overlong 2-byte lead
  if (b0 < 0xE0) {
    if (!is_continuation(text, pos + 1)) return bad;
    return {static_cast<char32_t>(((b0 & 0x1Fu) << 6) | (byte_at(text, pos + 1) & 0x3Fu)), 2};
  }
  if (b0 < 0xF0) {
    if (!is_continuation(text, pos + 1) || !is_continuation(text, pos + 2)) return bad;
    unsigned char b1 = byte_at(text, pos + 1);
    if (b0 == 0xE0 && b1 < 0xA0) return bad;   // overlong
    if (b0 == 0xED && b1 >= 0xA0) return bad;  // surrogate
    return {static_cast<char32_t>(((b0 & 0x0Fu) << 12) | ((b1 & 0x3Fu) << 6) |
                                  (byte_at(text, pos + 2) & 0x3Fu)),
            3};
  }
  if (b0 < 0xF5) {
    if (!is_continuation(text, pos + 1) || !is_continuation(text, pos + 2) ||
        !is_continuation(text, pos + 3))
      return bad;
    unsigned char b1 = byte_at(text, pos + 1);
    if (b0 == 0xF0 && b1 < 0x90) return bad;   // overlong
    if (b0 == 0xF4 && b1 >= 0x90) return bad;  // beyond U+10FFFF
    return {static_cast<char32_t>(((b0 & 0x07u) << 18) | ((b1 & 0x3Fu) << 12) |
                                  ((byte_at(text, pos + 2) & 0x3Fu) << 6) |
                                  (byte_at(text, pos + 3) & 0x3Fu)),
            4};
  }
  return bad;
}

void append_utf8(std::string& out, char32_t rune) {
  if (rune > 0x10FFFF || (rune >= 0xD800 && rune <= 0xDFFF)) rune = k_replacement_char;
  if (rune < 0x80) {
    out += static_cast<char>(rune);
  } else if (rune < 0x800) {
    out += static_cast<char>(0xC0 | (rune >> 6));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  } else if (rune < 0x10000) {
    out += static_cast<char>(0xE0 | (rune >> 12));
    out += static_cast<char>(0x80 | ((rune >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (rune >> 18));
    out += static_cast<char>(0x80 | ((rune >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((rune >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  }
}

bool is_go_space(char32_t r) {
  switch (r) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return r >= 0x2000 && r <= 0x200A;
  }
}

bool is_go_space_byte(unsigned char b) { return is_go_space(b); }

std::string_view trim_left_space(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    Rune r = decode_rune(text, pos);
    if (!is_go_space(r.value)) break;
    pos += r.width;
  }
  return text.substr(pos);
}

std::string_view trim_right_space(std::string_view text) {
  // Walk back over whole characters: find each character's start by
  // skipping continuation bytes, then check that it decodes to a space of
  // exactly that width (an invalid sequence is never a space).
  size_t end = text.size();
  while (end > 0) {
    size_t start = end - 1;
    size_t limit = end >= 4 ? end - 4 : 0;
    while (start > limit && (byte_at(text, start) & 0xC0) == 0x80) --start;
    Rune r = decode_rune(text, start);
    if (start + r.width != end || !is_go_space(r.value)) break;
    end = start;
  }
  return text.substr(0, end);
}

}  // namespace frontend::parser
