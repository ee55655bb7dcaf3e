#include "frontend/instructions/go_parse.h"

#include <cstdlib>
#include <limits>

namespace frontend::instructions {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

constexpr uint64_t k_max_duration = uint64_t{1} << 63;  // one past int64 max

std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

base::Error invalid_duration(std::string_view orig) {
  return base::make_error("time: invalid duration " + quote(orig));
}

// Nanoseconds per unit; the two spellings of "micro" are Go's.
std::optional<uint64_t> unit_nanos(std::string_view u) {
  if (u == "ns") return 1;
  if (u == "us" || u == "\xC2\xB5s" || u == "\xCE\xBCs") return 1000;
  if (u == "ms") return 1000 * 1000;
  if (u == "s") return 1000 * 1000 * 1000;
  if (u == "m") return uint64_t{60} * 1000 * 1000 * 1000;
  if (u == "h") return uint64_t{3600} * 1000 * 1000 * 1000;
  return std::nullopt;
}

}  // namespace

std::optional<bool> parse_go_bool(std::string_view s) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False")
    return false;
  return std::nullopt;
}

std::optional<uint64_t> parse_go_uint(std::string_view s, int base, int bits) {
  if (s.empty()) return std::nullopt;
  const uint64_t max = bits >= 64 ? std::numeric_limits<uint64_t>::max()
                                  : (uint64_t{1} << bits) - 1;
  const auto b = static_cast<uint64_t>(base);
  uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    auto d = static_cast<uint64_t>(c - '0');
    if (d >= b) return std::nullopt;
    if (v > (max - d) / b) return std::nullopt;
    v = v * b + d;
  }
  return v;
}

base::Result<int64_t> parse_go_int(std::string_view s, int bits) {
  auto syntax = [&] {
    return base::make_error("strconv.ParseInt: parsing " + quote(s) + ": invalid syntax");
  };
  std::string_view digits = s;
  bool neg = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    neg = digits[0] == '-';
    digits.remove_prefix(1);
  }
  if (digits.empty()) return syntax();
  for (char c : digits)
    if (!is_digit(c)) return syntax();
  auto mag = parse_go_uint(digits, 10, 64);
  const uint64_t cutoff = uint64_t{1} << (bits - 1);
  if (!mag || (!neg && *mag >= cutoff) || (neg && *mag > cutoff))
    return base::make_error("strconv.ParseInt: parsing " + quote(s) + ": value out of range");
  if (neg) return *mag == cutoff ? -static_cast<int64_t>(cutoff - 1) - 1 : -static_cast<int64_t>(*mag);
  return static_cast<int64_t>(*mag);
}

base::Result<int64_t> parse_go_duration(std::string_view orig) {
  std::string_view s = orig;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return int64_t{0};
  if (s.empty()) return invalid_duration(orig);
  uint64_t total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || is_digit(s[0]))) return invalid_duration(orig);
    // Integer part.
    uint64_t v = 0;
    size_t i = 0;
    for (; i < s.size() && is_digit(s[i]); ++i) {
      if (v > k_max_duration / 10) return invalid_duration(orig);
      v = v * 10 + static_cast<uint64_t>(s[i] - '0');
      if (v > k_max_duration) return invalid_duration(orig);
    }
    bool pre = i > 0;
    s.remove_prefix(i);
    // Fraction part: digits past what fits are ignored, as Go does.
    uint64_t f = 0;
    double scale = 1;
    bool post = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      bool overflow = false;
      size_t j = 0;
      for (; j < s.size() && is_digit(s[j]); ++j) {
        if (overflow) continue;
        if (f > (k_max_duration - 1) / 10) {
          overflow = true;
          continue;
        }
        uint64_t y = f * 10 + static_cast<uint64_t>(s[j] - '0');
        if (y > k_max_duration) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j > 0;
      s.remove_prefix(j);
    }
    if (!pre && !post) return invalid_duration(orig);
    size_t u = 0;
    while (u < s.size() && !(s[u] == '.' || is_digit(s[u]))) ++u;
    if (u == 0) return base::make_error("time: missing unit in duration " + quote(orig));
    std::string_view unit_text = s.substr(0, u);
    s.remove_prefix(u);
    auto unit = unit_nanos(unit_text);
    if (!unit)
      return base::make_error("time: unknown unit " + quote(unit_text) + " in duration " +
                              quote(orig));
    if (v > k_max_duration / *unit) return invalid_duration(orig);
    v *= *unit;
    if (f > 0) {
      v += static_cast<uint64_t>(static_cast<double>(f) * (static_cast<double>(*unit) / scale));
      if (v > k_max_duration) return invalid_duration(orig);
    }
    total += v;
    if (total > k_max_duration) return invalid_duration(orig);
  }
  if (neg) {
    if (total == k_max_duration) return std::numeric_limits<int64_t>::min();
    return -static_cast<int64_t>(total);
  }
  if (total > k_max_duration - 1) return invalid_duration(orig);
  return static_cast<int64_t>(total);
}

base::Result<int64_t> parse_ram_in_bytes(std::string_view s) {
  auto invalid = [&] { return base::make_error("invalid size: '" + std::string(s) + "'"); };
  // ^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    return i > start;
  };
  if (!digits()) return invalid();
  size_t dots = 0;
  while (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return invalid();
    ++dots;
  }
  std::string number(s.substr(0, i));
  if (dots > 1) return invalid();  // "1.2.3" matches the pattern but is no number
  if (i < s.size() && s[i] == ' ') ++i;
  double mul = 1;
  if (i < s.size()) {
    switch (s[i]) {
      case 'k': case 'K': mul = 1024.0; ++i; break;
      case 'm': case 'M': mul = 1024.0 * 1024; ++i; break;
      case 'g': case 'G': mul = 1024.0 * 1024 * 1024; ++i; break;
      case 't': case 'T': mul = 1024.0 * 1024 * 1024 * 1024; ++i; break;
      case 'p': case 'P': mul = 1024.0 * 1024 * 1024 * 1024 * 1024; ++i; break;
      default: break;
    }
  }
  if (i < s.size() && (s[i] == 'i' || s[i] == 'I')) ++i;
  if (i < s.size() && (s[i] == 'b' || s[i] == 'B')) ++i;
  if (i != s.size()) return invalid();
  double value = std::strtod(number.c_str(), nullptr) * mul;
  if (!(value < 9.2e18)) return invalid();
  return static_cast<int64_t>(value);
}

}  // namespace frontend::instructions
