#include "cli/progress/text_util.h"

#include <cstdio>

namespace cli::progress {

namespace {

constexpr char k_esc = '\x1b';

// Decodes the code point at text[i]; sets `len` to its byte length. Invalid or
// truncated sequences decode as one byte with code point -1.
int32_t decode_utf8(std::string_view text, size_t i, size_t& len) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char b0 = byte(i);
  len = 1;
  if (b0 < 0x80) return b0;
  size_t need = 0;
  int32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    need = 1;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    need = 2;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    need = 3;
    cp = b0 & 0x07;
  } else {
    return -1;
  }
  if (i + need >= text.size()) return -1;
  for (size_t k = 1; k <= need; ++k) {
    unsigned char b = byte(i + k);
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  len = need + 1;
  return cp;
}

bool is_wide(int32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
         (cp >= 0x3041 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
         (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) ||
         (cp >= 0x1F300 && cp <= 0x1F64F) || (cp >= 0x1F900 && cp <= 0x1F9FF) ||
         (cp >= 0x20000 && cp <= 0x3FFFD);
}

bool is_combining(int32_t cp) {
  return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
         (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
         (cp >= 0xFE20 && cp <= 0xFE2F) || cp == 0x200B || cp == 0x200D;
}

int columns_of(int32_t cp) {
  if (cp < 0) return 1;
  if (is_combining(cp)) return 0;
  return is_wide(cp) ? 2 : 1;
}

// Index just past the escape sequence that starts at text[i] (an ESC).
size_t skip_escape(std::string_view text, size_t i) {
  size_t n = text.size();
  if (i + 1 >= n) return n;
  char kind = text[i + 1];
  if (kind == '[') {  // CSI: parameters and intermediates, then one final byte
    size_t k = i + 2;
    while (k < n && !(text[k] >= 0x40 && text[k] <= 0x7E)) ++k;
    return k < n ? k + 1 : n;
  }
  if (kind == ']' || kind == 'P' || kind == 'X' || kind == '^' || kind == '_') {
    // OSC, DCS, SOS, PM, APC: a string ended by BEL or ST (ESC \).
    for (size_t k = i + 2; k < n; ++k) {
      if (text[k] == '\x07') return k + 1;
      if (text[k] == k_esc && k + 1 < n && text[k + 1] == '\\') return k + 2;
    }
    return n;
  }
  size_t k = i + 1;
  while (k < n && text[k] >= 0x20 && text[k] <= 0x2F) ++k;  // intermediates
  return k < n ? k + 1 : n;
}

// Removes escapes and control characters. `tab` and `cr` say what to do with
// those two: a tab is kept (for later expansion) or becomes a space; a CR
// restarts the line or becomes a space.
enum class Tab { keep, space };
enum class CarriageReturn { restart, space };

std::string strip_controls(std::string_view raw, Tab tab, CarriageReturn cr) {
  std::string out;
  out.reserve(raw.size());
  size_t i = 0;
  while (i < raw.size()) {
    char c = raw[i];
    if (c == k_esc) {
      i = skip_escape(raw, i);
      continue;
    }
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '\t') {
      out += tab == Tab::keep ? '\t' : ' ';
    } else if (c == '\r' || c == '\n') {
      if (cr == CarriageReturn::restart && c == '\r') {
        out.clear();
      } else {
        out += ' ';
      }
    } else if (u < 0x20 || u == 0x7F) {
      // other C0 controls (bell, backspace, ...) have no place in a log view
    } else if (u == 0xC2 && i + 1 < raw.size() && static_cast<unsigned char>(raw[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(raw[i + 1]) <= 0x9F) {
      i += 2;  // a C1 control encoded in UTF-8; some terminals act on it
      continue;
    } else {
      out += c;
    }
    ++i;
  }
  return out;
}

}  // namespace

std::string clean_log_line(std::string_view raw) {
  while (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
  std::string stripped = strip_controls(raw, Tab::keep, CarriageReturn::restart);
  if (stripped.find('\t') == std::string::npos) return stripped;
  std::string out;
  out.reserve(stripped.size() + 16);
  size_t counted = 0;  // bytes of `out` already included in `column`
  int column = 0;
  for (char c : stripped) {
    if (c != '\t') {
      out += c;
      continue;
    }
    column += display_columns(std::string_view(out).substr(counted));
    int spaces = 8 - column % 8;
    out.append(static_cast<size_t>(spaces), ' ');
    column += spaces;
    counted = out.size();
  }
  return out;
}

std::string clean_name(std::string_view raw) {
  return strip_controls(raw, Tab::space, CarriageReturn::space);
}

int display_columns(std::string_view text) {
  int cols = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t len = 1;
    cols += columns_of(decode_utf8(text, i, len));
    i += len;
  }
  return cols;
}

std::string_view truncate_columns(std::string_view text, int columns) {
  int cols = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t len = 1;
    int w = columns_of(decode_utf8(text, i, len));
    if (cols + w > columns) break;
    cols += w;
    i += len;
  }
  return text.substr(0, i);
}

std::string format_log_offset(int64_t offset_ns) {
  double sec = offset_ns < 0 ? 0.0 : static_cast<double>(offset_ns) / 1e9;
  int precision = sec < 10 ? 3 : sec < 100 ? 2 : 1;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", precision, sec);
  return buf;
}

std::string format_duration(int64_t ns) {
  double sec = ns < 0 ? 0.0 : static_cast<double>(ns) / 1e9;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1fs", sec);
  return buf;
}

}  // namespace cli::progress
