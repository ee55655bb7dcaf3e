#include "solver/ops/file/mode_spec.h"

#include <sys/stat.h>

namespace solver_ops::file {
namespace {

constexpr uint32_t k_user = 04700;   // setuid + rwx for the owner
constexpr uint32_t k_group = 02070;  // setgid + rwx for the group
constexpr uint32_t k_other = 00007;
constexpr uint32_t k_sticky = 01000;
constexpr uint32_t k_standard = k_user | k_group | k_other;  // everything but sticky

base::Error invalid(const std::string& text) {
  return base::make_error("invalid chmod parameter: '" + text + "'");
}

}  // namespace

void ModeSpec::add(char op, uint32_t who, uint32_t arg) {
  // Without u/g/o/a the clause affects every bit (no umask applies here).
  const uint32_t mask = ~uint32_t{0};
  Cmd c;
  switch (op) {
    case '=':
      // "=" clears the classes named (all standard bits when none are) and
      // then adds like "+".
      c.op = '-';
      c.bits = who != 0 ? who : k_standard;
      m_cmds.push_back(c);
      [[fallthrough]];
    case '+':
    case '-':
    case 'X':
      c.op = op == '=' ? '+' : op;
      c.bits = (who != 0 ? who : mask) & arg;
      break;
    default: {  // 'u', 'g', 'o': copy that class; arg is the operator
      c.op = op;
      if (who != 0) {
        if (who & S_IRUSR) c.targets |= 4;
        if (who & S_IRGRP) c.targets |= 2;
        if (who & S_IROTH) c.targets |= 1;
        c.bits = ~uint32_t{0};
      } else {
        c.targets = 7;
        c.bits = mask;
      }
      c.set = arg == '+' || arg == '=';
      c.clear = arg == '-' || arg == '=';
    }
  }
  m_cmds.push_back(c);
}

base::Result<ModeSpec> ModeSpec::parse(const std::string& text) {
  ModeSpec spec;
  if (text.empty()) return invalid(text);
  if (text[0] >= '0' && text[0] <= '9') {
    uint32_t v = 0;
    for (char ch : text) {
      if (ch < '0' || ch > '7' || v > 07777) return invalid(text);
      v = v * 8 + static_cast<uint32_t>(ch - '0');
    }
    if (v > 07777) return invalid(text);
    spec.m_octal = true;
    spec.m_value = v;
    return spec;
  }
  size_t i = 0;
  auto at = [&]() -> char { return i < text.size() ? text[i] : '\0'; };
  bool equal_done = false;
  for (;;) {
    uint32_t who = 0;
    for (;; ++i) {
      char ch = at();
      if (ch == 'a') who |= k_standard;
      else if (ch == 'u') who |= k_user;
      else if (ch == 'g') who |= k_group;
      else if (ch == 'o') who |= k_other;
      else break;
    }
    for (;;) {  // one or more operations for this clause
      char op = at();
      if (op != '+' && op != '-' && op != '=') return invalid(text);
      ++i;
      if (op == '=') equal_done = false;
      who &= ~k_sticky;
      uint32_t perm = 0;
      uint32_t perm_x = 0;
      for (;; ++i) {
        char ch = at();
        if (ch == 'r') {
          perm |= 0444;
        } else if (ch == 'w') {
          perm |= 0222;
        } else if (ch == 'x') {
          perm |= 0111;
        } else if (ch == 'X') {
          // As chmod(1) does, "=X" sets execute where "+X" would.
          if (op != '-') perm_x = 0111;
        } else if (ch == 's') {
          // setuid/setgid mean nothing for "other" alone.
          if (who == 0 || (who & ~k_other) != 0) perm |= S_ISUID | S_ISGID;
        } else if (ch == 't') {
          if (who == 0 || (who & ~k_other) != 0) {
            who |= k_sticky;
            perm |= k_sticky;
          }
        } else if (ch == 'u' || ch == 'g' || ch == 'o') {
          if (perm != 0) {
            spec.add(op, who, perm);
            perm = 0;
          }
          if (op == '=') equal_done = true;
          if (perm_x != 0) {
            spec.add('X', who, perm_x);
            perm_x = 0;
          }
          spec.add(ch, who, static_cast<uint32_t>(op));
        } else {
          if (perm != 0 || (op == '=' && !equal_done)) {
            if (op == '=') equal_done = true;
            spec.add(op, who, perm);
            perm = 0;
          }
          if (perm_x != 0) spec.add('X', who, perm_x);
          break;
        }
      }
      if (i >= text.size() || text[i] == ',') break;
    }
    if (i >= text.size()) break;
    ++i;  // ','
    if (i >= text.size()) return invalid(text);
  }
  return spec;
}

uint32_t ModeSpec::apply(uint32_t mode) const {
  if (m_octal) return m_value;
  const uint32_t original = mode & 07777;
  const bool is_dir = S_ISDIR(mode);
  uint32_t out = original;
  for (const Cmd& c : m_cmds) {
    switch (c.op) {
      case '+': out |= c.bits; break;
      case '-': out &= ~c.bits; break;
      case 'X':
        if ((original & 0111) != 0 || is_dir) out |= c.bits;
        break;
      default: {
        uint32_t value = c.op == 'u' ? (out >> 6) & 7 : c.op == 'g' ? (out >> 3) & 7 : out & 7;
        if (c.clear) {
          uint32_t clr = c.set ? 7 : value;
          if (c.targets & 4) out &= ~((clr << 6) & c.bits);
          if (c.targets & 2) out &= ~((clr << 3) & c.bits);
          if (c.targets & 1) out &= ~(clr & c.bits);
        }
        if (c.set) {
          if (c.targets & 4) out |= (value << 6) & c.bits;
          if (c.targets & 2) out |= (value << 3) & c.bits;
          if (c.targets & 1) out |= value & c.bits;
        }
      }
    }
  }
  return out & 07777;
}

}  // namespace solver_ops::file
