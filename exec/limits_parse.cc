#include "exec/limits_parse.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace exec {
namespace {

constexpr int64_t k_min_memory = 6 * 1024 * 1024;  // docker's linuxMinMemory
constexpr uint64_t k_default_shm = 64ull << 20;
constexpr int64_t k_nano = 1'000'000'000;

base::Error bad_value(std::string_view flag, std::string_view value, const std::string& why,
                      std::string hint = {}) {
  base::Error e = base::make_error("invalid value \"" + std::string(value) + "\" for " +
                                   std::string(flag) + ": " + why);
  e.hint = std::move(hint);
  return e;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// The shape docker's size regex accepts: digits, any number of ".digits"
// groups, one optional space, then [kmgtp]? i? b? (case-insensitive). Returns
// the numeric part and the unit multiplier.
bool match_size(std::string_view s, std::string_view& number, int64_t& multiplier) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    return i > start;
  };
  if (!digits()) return false;
  while (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  number = s.substr(0, i);
  if (i < s.size() && s[i] == ' ') ++i;
  multiplier = 1;
  if (i < s.size()) {
    static constexpr std::string_view k_units = "kmgtp";
    size_t u = k_units.find(lower(s[i]));
    if (u != std::string_view::npos) {
      multiplier = int64_t{1} << (10 * (u + 1));
      ++i;
    }
  }
  if (i < s.size() && lower(s[i]) == 'i') ++i;
  if (i < s.size() && lower(s[i]) == 'b') ++i;
  return i == s.size();
}

base::Result<int64_t> parse_size(std::string_view flag, std::string_view value) {
  static const std::string k_hint =
      "give a number with an optional unit b, k, m, g, t or p (1k = 1024 bytes), e.g. 512m";
  std::string_view number;
  int64_t multiplier = 1;
  if (!match_size(value, number, multiplier)) return bad_value(flag, value, "invalid size", k_hint);
  double size = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), size);
  // "1.2.3" passes the shape check but is not a number, as in docker.
  if (ec != std::errc() || end != number.data() + number.size() || !std::isfinite(size))
    return bad_value(flag, value, "invalid size", k_hint);
  size *= static_cast<double>(multiplier);
  if (size >= 9.2233720368547758e18) return bad_value(flag, value, "size is too large");
  return static_cast<int64_t>(size);  // truncates fractions of a byte, as docker does
}

// Digits of a non-negative decimal integer, leading zeros dropped ("" = 0).
std::string strip_zeros(std::string digits) {
  size_t nz = digits.find_first_not_of('0');
  return nz == std::string::npos ? std::string() : digits.substr(nz);
}

// value = digits × 10^exp10, as an int64 if it is an integer that fits.
enum class Exact { ok, fraction, overflow };
Exact to_int64(std::string digits, int64_t exp10, int64_t& out) {
  digits = strip_zeros(std::move(digits));
  while (exp10 < 0 && !digits.empty() && digits.back() == '0') {
    digits.pop_back();
    ++exp10;
  }
  if (digits.empty()) {
    out = 0;
    return Exact::ok;
  }
  if (exp10 < 0) return Exact::fraction;
  if (static_cast<int64_t>(digits.size()) + exp10 > 18) return Exact::overflow;
  int64_t v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  for (int64_t k = 0; k < exp10; ++k) v *= 10;
  out = v;
  return Exact::ok;
}

std::optional<uint64_t> parse_u64(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string quoted_or(const LimitFlags* given, std::optional<std::string> LimitFlags::*field,
                      const std::string& fallback) {
  if (given && (given->*field)) return *(given->*field);
  return fallback;
}

std::string format_cpus(double cpus) {
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%g", cpus);
  return buf.data();
}

}  // namespace

base::Result<int64_t> parse_memory_bytes(std::string_view flag, std::string_view value) {
  return parse_size(flag, value);
}

base::Result<int64_t> parse_memory_swap(std::string_view flag, std::string_view value) {
  if (value == "-1") return int64_t{-1};
  return parse_size(flag, value);
}

base::Result<int64_t> parse_nano_cpus(std::string_view flag, std::string_view value) {
  // The forms Go's big.Rat accepts for a decimal: [+-] digits [. digits]
  // [e [+-] digits] (either side of the point may be empty, not both), or
  // [+-] digits / digits.
  std::string_view s = value;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  const base::Error not_a_number =
      bad_value(flag, value, "not a rational number", "give a decimal number such as 1.5");
  int64_t nano = 0;
  if (size_t slash = s.find('/'); slash != std::string_view::npos) {
    auto num = parse_u64(s.substr(0, slash));
    auto den = parse_u64(s.substr(slash + 1));
    if (!num || !den || *den == 0) return not_a_number;
    uint64_t scaled = 0;
    if (__builtin_mul_overflow(*num, static_cast<uint64_t>(k_nano), &scaled))
      return bad_value(flag, value, "value is too large");
    if (scaled % *den != 0) return bad_value(flag, value, "value is too precise");
    scaled /= *den;
    if (scaled > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return bad_value(flag, value, "value is too large");
    nano = static_cast<int64_t>(scaled);
  } else {
    std::string digits;
    int64_t exp10 = 0;
    size_t i = 0;
    size_t int_digits = 0, frac_digits = 0;
    for (; i < s.size() && is_digit(s[i]); ++i, ++int_digits) digits += s[i];
    if (i < s.size() && s[i] == '.') {
      for (++i; i < s.size() && is_digit(s[i]); ++i, ++frac_digits) digits += s[i];
    }
    if (int_digits + frac_digits == 0) return not_a_number;
    exp10 -= static_cast<int64_t>(frac_digits);
    if (i < s.size() && lower(s[i]) == 'e') {
      ++i;
      bool exp_negative = false;
      if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
      auto e = parse_u64(s.substr(i));
      if (!e || *e > 1000) return not_a_number;
      exp10 += exp_negative ? -static_cast<int64_t>(*e) : static_cast<int64_t>(*e);
      i = s.size();
    }
    if (i != s.size()) return not_a_number;
    switch (to_int64(digits, exp10 + 9, nano)) {
      case Exact::ok: break;
      case Exact::fraction:
        return bad_value(flag, value, "value is too precise",
                         "at most nine decimals are kept (nano-CPUs)");
      case Exact::overflow: return bad_value(flag, value, "value is too large");
    }
  }
  return negative ? -nano : nano;
}

base::Result<int64_t> parse_int64(std::string_view flag, std::string_view value) {
  std::string_view s = value;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  bool prefixed = false;
  if (s.size() > 1 && s[0] == '0') {
    char p = lower(s[1]);
    if (p == 'x' || p == 'o' || p == 'b') {
      base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
      s.remove_prefix(2);
      prefixed = true;
    } else {
      base = 8;  // Go's base 0: a leading zero means octal
    }
  }
  // Underscores may separate digits (and follow a prefix), never lead,
  // trail or repeat.
  std::string digits;
  bool last_underscore = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_') {
      if (last_underscore || i + 1 == s.size() || (i == 0 && !prefixed))
        return bad_value(flag, value, "not an integer");
      last_underscore = true;
      continue;
    }
    last_underscore = false;
    digits += s[i];
  }
  uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (digits.empty() || (ec != std::errc() && ec != std::errc::result_out_of_range) ||
      end != digits.data() + digits.size())
    return bad_value(flag, value, "not an integer");
  constexpr uint64_t k_max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (ec == std::errc::result_out_of_range || magnitude > k_max + (negative ? 1 : 0))
    return bad_value(flag, value, "value out of range");
  if (negative) return magnitude == k_max + 1 ? std::numeric_limits<int64_t>::min()
                                              : -static_cast<int64_t>(magnitude);
  return static_cast<int64_t>(magnitude);
}

namespace {

// go-units reads ulimit values with base 10 only.
base::Result<int64_t> parse_decimal_int64(std::string_view flag, std::string_view value) {
  std::string_view s = value;
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size())
    return bad_value(flag, value, "not an integer");
  return v;
}

}  // namespace

base::Result<Ulimit> parse_ulimit(std::string_view value) {
  static constexpr std::array<std::string_view, 15> k_names = {
      "core",   "cpu",   "data",   "fsize",  "locks",  "memlock",    "msgqueue", "nice",
      "nofile", "nproc", "rss",    "rtprio", "rttime", "sigpending", "stack"};
  constexpr std::string_view flag = "--ulimit";
  size_t eq = value.find('=');
  if (eq == std::string_view::npos)
    return bad_value(flag, value, "expected name=soft[:hard]", "e.g. --ulimit nofile=1024:2048");
  std::string_view name = value.substr(0, eq);
  bool known = false;
  for (auto n : k_names) known = known || n == name;
  if (!known) {
    std::string list;
    for (auto n : k_names) list += (list.empty() ? "" : ", ") + std::string(n);
    return bad_value(flag, value, "unknown ulimit type \"" + std::string(name) + "\"",
                     "known types: " + list);
  }
  std::string_view limits = value.substr(eq + 1);
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t colon = limits.find(':', start);
    parts.push_back(limits.substr(start, colon == std::string_view::npos ? colon : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (parts.size() > 2)
    return bad_value(flag, value, "too many values, expected soft[:hard]");
  // -1 stands for unlimited, as "infinity" does.
  auto parse_one = [&](std::string_view v) -> base::Result<int64_t> {
    if (v == "infinity") return int64_t{-1};
    auto n = parse_decimal_int64(flag, v);
    if (!n.ok()) return bad_value(flag, value, "\"" + std::string(v) + "\" is not an integer");
    if (*n < -1) return bad_value(flag, value, "limit " + std::string(v) + " is negative");
    return *n;
  };
  TRY_ASSIGN(int64_t soft, parse_one(parts[0]));
  int64_t hard = soft;
  if (parts.size() == 2) {
    TRY_ASSIGN(hard, parse_one(parts[1]));
  }
  if (hard != -1) {
    if (soft == -1)
      return bad_value(flag, value, "soft limit unlimited exceeds hard limit " + std::to_string(hard));
    if (soft > hard)
      return bad_value(flag, value, "soft limit " + std::to_string(soft) +
                                        " exceeds hard limit " + std::to_string(hard));
  }
  auto as_rlim = [](int64_t n) {
    return n == -1 ? std::numeric_limits<uint64_t>::max() : static_cast<uint64_t>(n);
  };
  return Ulimit{std::string(name), as_rlim(soft), as_rlim(hard)};
}

base::Result<uint64_t> parse_shm_size(std::string_view value) {
  TRY_ASSIGN(int64_t size, parse_size("--shm-size", value));
  return size == 0 ? k_default_shm : static_cast<uint64_t>(size);
}

base::Result<Limits> parse_limit_flags(const LimitFlags& flags, unsigned host_cpus) {
  Limits limits;
  if (flags.memory) {
    TRY_ASSIGN(int64_t v, parse_memory_bytes("--memory", *flags.memory));
    if (v > 0) limits.memory_bytes = v;
  }
  if (flags.memory_swap) {
    TRY_ASSIGN(int64_t v, parse_memory_swap("--memory-swap", *flags.memory_swap));
    if (v != 0) limits.memory_swap_bytes = v;
  }
  if (flags.cpus) {
    TRY_ASSIGN(int64_t nano, parse_nano_cpus("--cpus", *flags.cpus));
    if (nano < 0) {
      return bad_value("--cpus", *flags.cpus,
                       "range of CPUs is from 0.01 to " + std::to_string(host_cpus) +
                           ".00, as there are only " + std::to_string(host_cpus) +
                           " CPUs available");
    }
    if (nano > 0) limits.cpus = static_cast<double>(nano) / static_cast<double>(k_nano);
  }
  if (flags.cpu_quota) {
    TRY_ASSIGN(int64_t v, parse_int64("--cpu-quota", *flags.cpu_quota));
    if (v > 0) limits.cpu_quota_us = static_cast<uint64_t>(v);
  }
  if (flags.cpu_period) {
    TRY_ASSIGN(int64_t v, parse_int64("--cpu-period", *flags.cpu_period));
    if (v < 0) return bad_value("--cpu-period", *flags.cpu_period, "must not be negative");
    if (v > 0) limits.cpu_period_us = static_cast<uint64_t>(v);
  }
  if (flags.pids_limit) {
    TRY_ASSIGN(int64_t v, parse_int64("--pids-limit", *flags.pids_limit));
    if (v > 0) limits.pids_max = v;
  }
  if (flags.shm_size) {
    TRY_ASSIGN(limits.shm_size, parse_shm_size(*flags.shm_size));
  }
  for (const auto& u : flags.ulimits) {
    TRY_ASSIGN(Ulimit parsed, parse_ulimit(u));
    // A later --ulimit of the same type replaces the earlier one, as in docker.
    std::erase_if(limits.ulimits, [&](const Ulimit& o) { return o.name == parsed.name; });
    limits.ulimits.push_back(std::move(parsed));
  }
  TRY(validate_limits(limits, host_cpus, &flags));
  return limits;
}

base::Result<void> validate_limits(const Limits& limits, unsigned host_cpus,
                                   const LimitFlags* as_given) {
  if (limits.memory_bytes && *limits.memory_bytes < k_min_memory) {
    return bad_value("--memory",
                     quoted_or(as_given, &LimitFlags::memory, std::to_string(*limits.memory_bytes)),
                     "minimum memory limit allowed is 6 MiB");
  }
  if (limits.memory_swap_bytes) {
    std::string swap =
        quoted_or(as_given, &LimitFlags::memory_swap, std::to_string(*limits.memory_swap_bytes));
    int64_t s = *limits.memory_swap_bytes;
    if (s < -1) return bad_value("--memory-swap", swap, "must be -1 or a size");
    if (s > 0 && !limits.memory_bytes)
      return bad_value("--memory-swap", swap, "--memory-swap needs --memory",
                       "--memory-swap is the total of memory and swap; set --memory as well");
    if (s > 0 && s < *limits.memory_bytes)
      return bad_value("--memory-swap", swap,
                       "must be at least --memory (" +
                           quoted_or(as_given, &LimitFlags::memory,
                                     std::to_string(*limits.memory_bytes)) + ")",
                       "--memory-swap is the total of memory and swap; -1 allows unlimited swap");
  }
  if (limits.cpus) {
    if (limits.cpu_quota_us)
      return base::make_error("conflicting options: --cpus and --cpu-quota cannot both be set");
    if (limits.cpu_period_us)
      return base::make_error("conflicting options: --cpus and --cpu-period cannot both be set");
    if (*limits.cpus < 0 || *limits.cpus > static_cast<double>(host_cpus)) {
      return bad_value("--cpus", quoted_or(as_given, &LimitFlags::cpus, format_cpus(*limits.cpus)),
                       "range of CPUs is from 0.01 to " + std::to_string(host_cpus) +
                           ".00, as there are only " + std::to_string(host_cpus) +
                           " CPUs available");
    }
  }
  if (limits.cpu_period_us && (*limits.cpu_period_us < 1000 || *limits.cpu_period_us > 1000000)) {
    return bad_value(
        "--cpu-period",
        quoted_or(as_given, &LimitFlags::cpu_period, std::to_string(*limits.cpu_period_us)),
        "CPU CFS period must be between 1000 (1ms) and 1000000 (1s) microseconds");
  }
  if (limits.cpu_quota_us && *limits.cpu_quota_us < 1000) {
    return bad_value(
        "--cpu-quota",
        quoted_or(as_given, &LimitFlags::cpu_quota, std::to_string(*limits.cpu_quota_us)),
        "CPU CFS quota must be at least 1000 (1ms) microseconds");
  }
  return {};
}

}  // namespace exec
