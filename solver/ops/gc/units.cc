#include "solver/ops/gc/units.h"

#include <cctype>
#include <cmath>
#include <cstdio>

namespace solver::ops::gc {

base::Result<int64_t> parse_size(std::string_view text) {
  auto invalid = [&] { return base::make_error("invalid size: '" + std::string(text) + "'"); };
  size_t i = 0;
  std::string number;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    number += text[i++];
  if (number.empty() || number.front() == '.' || number.back() == '.') return invalid();
  if (i < text.size() && text[i] == ' ') ++i;
  double multiplier = 1;
  if (i < text.size()) {
    switch (std::tolower(static_cast<unsigned char>(text[i]))) {
      case 'k': multiplier = 1024.0; break;
      case 'm': multiplier = 1024.0 * 1024; break;
      case 'g': multiplier = 1024.0 * 1024 * 1024; break;
      case 't': multiplier = 1024.0 * 1024 * 1024 * 1024; break;
      case 'p': multiplier = 1024.0 * 1024 * 1024 * 1024 * 1024; break;
      default: multiplier = 0;
    }
    if (multiplier != 0) ++i;
    else multiplier = 1;
  }
  if (i < text.size() && std::tolower(static_cast<unsigned char>(text[i])) == 'i') ++i;
  if (i < text.size() && std::tolower(static_cast<unsigned char>(text[i])) == 'b') ++i;
  if (i != text.size()) return invalid();
  // "1.2.3" is a number for docker's pattern but not for strtod: refuse it.
  char* end = nullptr;
  double value = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size()) return invalid();
  double bytes = value * multiplier;
  if (!std::isfinite(bytes) || bytes >= 9.2e18) return invalid();
  return static_cast<int64_t>(bytes);
}

std::string human_size(int64_t bytes) {
  static const char* const k_units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  double v = static_cast<double>(bytes);
  size_t unit = 0;
  while (v >= 1000 && unit + 1 < std::size(k_units)) {
    v /= 1000;
    ++unit;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g%s", v, k_units[unit]);
  return buf;
}

}  // namespace solver::ops::gc
